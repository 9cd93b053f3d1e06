"""Cash-based incoming and outgoing invoices: create, cancel, delete (seed 003 §3.3).

Each operation is one transaction: the invoice, its bookings, their journals and the audit
entries commit together or not at all. The posting rules are in ``domain.cash_invoicing``
(``rules_ea`` for single-entry, ``rules_de`` for double-entry tenants); payments are in
``cash_payments``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db import contacts
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.tables import cb_invoice_lines, cb_invoices
from beleg.domain.accounting import rules_de
from beleg.domain.accounting.components import invoice_side
from beleg.domain.accounting.lines import (
    Direction,
    Line,
    LineInput,
    check_given,
)
from beleg.domain.audit.chain import AuditAction
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import round_to_currency
from beleg.services.accounting.bookings import (
    Info,
    Invoice,
    add_booking,
    assign_sequence,
    cancel_booking_row,
    invoice_currency,
    load_invoice,
    resolve_lines,
    save_totals,
)
from beleg.services.accounting.payments import PaymentInput, book_payment

ENTITY = "CashInvoice"


class InvoiceCannotBeCancelled(Conflict):
    """Seed 003 §2.2: an invoice with active payments cannot be cancelled."""

    error = "InvoiceCannotBeCancelledException"


@dataclass(frozen=True, slots=True)
class InvoiceInput:
    invoice_date: date | None
    lines: list[LineInput]
    due_date: date | None = None
    paid_date: date | None = None
    paid_contra_account: str | None = None
    invoice_reference: str | None = None
    description: str | None = None
    currency: str | None = None
    currency_rate: Decimal | None = None
    partner_id: uuid.UUID | None = None
    partner_name: str | None = None
    delivery_from: date | None = None
    delivery_to: date | None = None
    given_totals: dict[str, Decimal | None] = field(default_factory=dict)  # netTotal, ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """The invoice after the operation and the info messages it produced (seed envelope)."""

    invoice_id: uuid.UUID
    infos: list[Info]


def create_invoice(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    direction: Direction,
    data: InvoiceInput,
    clock: Clock,
) -> Outcome:
    """Create an invoice; DE books it at once, EA only when it is paid (seed 003 §3.3)."""
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        invoice = _insert(session, books, direction, data, clock)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type=ENTITY,
            entity_id=invoice.id,
            before=None,
            after=_snapshot(invoice),
            clock=clock,
        )
        if books.mode is AccountingMode.DE:
            _book_de(session, books, invoice, data, actor=actor, clock=clock)
        elif data.paid_date is not None:
            book_payment(
                session,
                books=books,
                invoice=invoice,
                payment=_payment_on_creation(data),
                actor=actor,
                clock=clock,
            )
        save_totals(session, invoice, paid_date=data.paid_date, clock=clock)
        return Outcome(invoice.id, invoice.infos)


def _book_de(
    session: Session,
    books: TenantBooks,
    invoice: Invoice,
    data: InvoiceInput,
    *,
    actor: Actor,
    clock: Clock,
) -> None:
    """Seed 003 §3.3 B.1-3: numbered at creation; an incoming invoice paid on its invoice
    date gets one payment booking, every other invoice an initial booking first."""
    row = invoice.row
    assign_sequence(session, books, invoice, row["invoice_date"].year)
    same_day = (
        invoice.direction is Direction.INCOMING
        and data.paid_date is not None
        and data.paid_date == row["invoice_date"]
    )
    if same_day:
        account = books.payment_account(data.paid_contra_account, "paidContraAccount")
        booked = rules_de.initial(
            invoice.side,
            counter_account=account,
            booking_date=data.paid_date,
            rate=row["currency_rate"],
            description=row["description"] or "",
        )
        add_booking(
            session,
            books=books,
            invoice=invoice,
            actor=actor,
            clock=clock,
            booked=booked,
            values={
                "kind": "PAYMENT",
                "number": 1,
                "payment_type": "PAYMENT",
                "payment_date": data.paid_date,
                "payment_amount": row["total"],
                "payment_amount_main": row["total_main"],
                "payment_contra_account": account,
                "payment_rate": row["currency_rate"],
                "payment_description": row["description"],
            },
        )
        return
    booked = rules_de.initial(
        invoice.side,
        counter_account=row["unpaid_account"],
        booking_date=row["invoice_date"],
        rate=row["currency_rate"],
        description=row["description"] or "",
    )
    add_booking(
        session,
        books=books,
        invoice=invoice,
        actor=actor,
        clock=clock,
        booked=booked,
        values={"kind": "INITIAL", "number": 1, "contra_account": row["unpaid_account"]},
    )
    if data.paid_date is not None:
        book_payment(
            session,
            books=books,
            invoice=invoice,
            payment=_payment_on_creation(data),
            actor=actor,
            clock=clock,
        )


def _payment_on_creation(data: InvoiceInput) -> PaymentInput:
    """The payment of an invoice created with ``paidDate`` (callers check it is set): the
    whole invoice, described like the invoice (seed 003 §3.3 A.2)."""
    return PaymentInput(
        payment_date=data.paid_date,  # type: ignore[arg-type]
        contra_account=data.paid_contra_account,
        description=data.description,
        field_prefix="paid",
    )


def _insert(
    session: Session, books: TenantBooks, direction: Direction, data: InvoiceInput, clock: Clock
) -> Invoice:
    if data.invoice_date is None:  # seed 003 §7 item 8: required in both modes
        raise ValidationFailed(
            "invoiceDate is required", de="invoiceDate ist erforderlich", field="invoiceDate"
        )
    currency, rate = invoice_currency(books, data.currency, data.currency_rate)
    lines = resolve_lines(books, data.lines, direction, currency)
    side = invoice_side(lines, direction, books.chart, currency)
    check_given(
        data.given_totals,
        {
            "netTotal": sum((ln.net for ln in lines), Decimal(0)),
            "taxTotal": sum((ln.tax for ln in lines), Decimal(0)),
            "total": side.total,
        },
    )
    if side.total <= 0:
        raise ValidationFailed(
            "the invoice total must be more than 0",
            de="Die Rechnungssumme muss größer 0 sein",
            field="lines",
        )
    if data.paid_date is not None and not data.paid_contra_account:
        raise ValidationFailed(
            "paidContraAccount is required with paidDate",
            de="paidContraAccount ist mit paidDate erforderlich",
            field="paidContraAccount",
        )
    partner_id, partner_name, contra = _partner(session, books, direction, data)
    unpaid = None
    if books.mode is AccountingMode.DE:
        default = (
            books.chart.payables if direction is Direction.INCOMING else books.chart.receivables
        )
        unpaid = contra or default
    now = clock.now()
    total = sum((line.total for line in lines), Decimal(0))
    total_main = round_to_currency(total * rate, books.main)
    row = {
        "tenant_id": books.tenant_id,
        "id": uuid.uuid4(),
        "direction": direction.value,
        "sequence": None,
        "invoice_date": data.invoice_date,
        "due_date": data.due_date,
        "paid_date": None,
        "cancelled_date": None,
        "cancelled_reason": None,
        "invoice_reference": data.invoice_reference,
        "description": data.description,
        "partner_id": partner_id,
        "partner_name": partner_name,
        "currency": currency.code,
        "currency_rate": rate,
        "net_total": sum((ln.net for ln in lines), Decimal(0)),
        "tax_total": sum((ln.tax for ln in lines), Decimal(0)),
        "total": total,
        "total_main": total_main,
        "remaining": total,
        "remaining_main": total_main,
        "unpaid_account": unpaid,
        "delivery_from": _delivery(books, data.delivery_from),
        "delivery_to": _delivery(books, data.delivery_to),
        "created_at": now,
        "updated_at": now,
    }
    session.execute(insert(cb_invoices).values(**row))
    session.execute(
        insert(cb_invoice_lines),
        [_line_row(books, row["id"], n, line) for n, line in enumerate(lines, start=1)],
    )
    return Invoice(row, side, [])


def _partner(
    session: Session, books: TenantBooks, direction: Direction, data: InvoiceInput
) -> tuple[uuid.UUID | None, str | None, str | None]:
    """(id, name, contra account) of the invoice's supplier (incoming) or customer
    (outgoing); a free name when no id is given (seed 003 CbInvoice supplierName)."""
    if data.partner_id is None:
        return None, data.partner_name, None
    kind = ContactKind.SUPPLIER if direction is Direction.INCOMING else ContactKind.CUSTOMER
    partner = contacts.contact(
        session, books.tenant_id, kind, data.partner_id, field=kind.value.lower()
    )
    return partner.id, partner.display_name, partner.contra_account


def _delivery(books: TenantBooks, value: date | None) -> date | None:
    """Seed 003 CbInvoice: the delivery span exists in double-entry accounting only."""
    return value if books.mode is AccountingMode.DE else None


def _line_row(
    books: TenantBooks, invoice_id: uuid.UUID, number: int, line: Line
) -> dict[str, object]:
    item = line.source
    return {
        "tenant_id": books.tenant_id,
        "invoice_id": invoice_id,
        "line_no": number,
        "description": item.description,
        "amount": item.amount,
        "amount_type": line.amount_type.value,
        "account": item.account,
        "tax_entry": line.tax_entry,
        "tax_rate": line.tax_rate,
        "net_amount": line.net,
        "tax_amount": line.tax,
        "total_amount": line.total,
        "private_part": item.private_part,
        "private_part_type": item.private_part_type,
        "private_part_account": line.private_account,
        "tax_entry_modifier": line.modifier.value if line.modifier else None,
        "additional_sequence": item.additional_sequence,
    }


def cancel_invoice(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    direction: Direction,
    invoice_id: uuid.UUID,
    cancel_date: date,
    reason: str,
    clock: Clock,
) -> Outcome:
    """Cancel the invoice (seed 003 §3.3 A.5, B.6): only without active payments; in DE its
    initial booking is reversed with it. The invoice keeps its number and bookings."""
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        invoice = load_invoice(session, books, invoice_id, direction)
        before = _snapshot(invoice)
        if invoice.row["cancelled_date"] is not None:
            raise Conflict(
                "the invoice is already cancelled",
                de="Die Rechnung ist bereits storniert",
                field="invoice",
            )
        if invoice.active_payments():
            raise InvoiceCannotBeCancelled(
                "Rechnung kann nicht storniert werden. Evtl. existieren offene Zahlungen - "
                "stornieren Sie diese zuerst.",
                field="invoice",
            )
        for booking in [
            b for b in invoice.bookings if b["kind"] == "INITIAL" and not b["cancelled"]
        ]:
            cancel_booking_row(
                session,
                books=books,
                invoice=invoice,
                booking=booking,
                cancel_date=cancel_date,
                reason=reason,
                actor=actor,
                clock=clock,
            )
        invoice.row["cancelled_date"], invoice.row["cancelled_reason"] = cancel_date, reason
        save_totals(session, invoice, paid_date=None, clock=clock)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=invoice.id,
            before=before,
            after=_snapshot(invoice),
            clock=clock,
        )
        return Outcome(invoice.id, invoice.infos)


def delete_invoice(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    direction: Direction,
    invoice_id: uuid.UUID,
    clock: Clock,
) -> None:
    """Seed 003 §3.3 A.6: single-entry only, and only while nothing was ever booked."""
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        invoice = load_invoice(session, books, invoice_id, direction)
        if books.mode is AccountingMode.DE:
            raise ValidationFailed(
                "invoices in double-entry accounting cannot be deleted, only cancelled",
                de="Rechnungen der doppelten Buchhaltung können nur storniert werden",
                field="invoice",
            )
        if invoice.bookings:
            raise ValidationFailed(
                "the invoice has payments; it can only be cancelled",
                de="Die Rechnung hat Zahlungen und kann nur storniert werden",
                field="invoice",
            )
        before = _snapshot(invoice)
        where = (cb_invoice_lines.c.tenant_id == tenant_id) & (
            cb_invoice_lines.c.invoice_id == invoice_id
        )
        session.execute(delete(cb_invoice_lines).where(where))
        session.execute(
            delete(cb_invoices).where(
                cb_invoices.c.tenant_id == tenant_id, cb_invoices.c.id == invoice_id
            )
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=ENTITY,
            entity_id=invoice_id,
            before=before,
            after=None,
            clock=clock,
        )


def _snapshot(invoice: Invoice) -> dict[str, object]:
    keys = (
        "direction",
        "sequence",
        "invoice_date",
        "paid_date",
        "cancelled_date",
        "cancelled_reason",
        "partner_name",
        "currency",
        "currency_rate",
        "total",
        "remaining",
    )
    return {k: invoice.row[k] for k in keys}
