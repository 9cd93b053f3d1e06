"""Cash-based incoming and outgoing invoices: create, cancel, delete (seed 003 §3.3).

Each operation is one transaction: the invoice, its bookings, their journals and the audit
entries commit together or not at all. The posting rules are in ``domain.accounting``
(``rules_ea`` for single-entry, ``rules_de`` for double-entry tenants); payments are in
``services.accounting.payments``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import accounting as repo
from beleg.db.audit import record_change
from beleg.db.contacts import partners as contacts
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.domain.accounting import rules_de
from beleg.domain.accounting.components import invoice_side
from beleg.domain.accounting.currency import invoice_currency
from beleg.domain.accounting.invoices import (
    CashInvoice,
    InvoiceCannotBeCancelled,
    Outcome,
    Payment,
    PaymentType,
)
from beleg.domain.accounting.lines import Direction, LineInput, check_given, resolve_lines
from beleg.domain.audit.chain import AuditAction
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import round_to_currency
from beleg.services.accounting.bookings import (
    Bookkeeper,
    WorkingInvoice,
    add_initial,
    add_payment,
    assign_sequence,
    cancel_booking,
    load_invoice,
    save_totals,
)
from beleg.services.accounting.payments import PaymentInput, book_payment

ENTITY = "CashInvoice"


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
        keeper = Bookkeeper(books, actor, clock)
        work = WorkingInvoice.of(books, _new_invoice(session, books, direction, data, clock))
        repo.insert_invoice(session, tenant_id, work.invoice)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type=ENTITY,
            entity_id=work.invoice.id,
            before=None,
            after=_snapshot(work.invoice),
            clock=clock,
        )
        if books.mode is AccountingMode.DE:
            _book_de(session, keeper, work, data)
        elif data.paid_date is not None:
            payment = _payment_on_creation(data, data.paid_date)
            book_payment(session, keeper=keeper, work=work, payment=payment)
        save_totals(session, keeper=keeper, work=work, paid_date=data.paid_date)
        return work.outcome()


def _book_de(
    session: Session, keeper: Bookkeeper, work: WorkingInvoice, data: InvoiceInput
) -> None:
    """Seed 003 §3.3 B.1-3: numbered at creation; an incoming invoice paid on its invoice
    date gets one payment booking, every other invoice an initial booking first."""
    invoice = work.invoice
    assign_sequence(session, keeper=keeper, work=work, year=invoice.invoice_date.year)
    if invoice.direction is Direction.INCOMING and data.paid_date == invoice.invoice_date:
        _book_paid_at_once(session, keeper, work, data.paid_contra_account)
        return
    booked = rules_de.initial(
        work.side,
        counter_account=invoice.unpaid(),
        booking_date=invoice.invoice_date,
        rate=invoice.currency_rate,
        description=invoice.description or "",
    )
    add_initial(session, keeper=keeper, work=work, booked=booked)
    if data.paid_date is not None:
        payment = _payment_on_creation(data, data.paid_date)
        book_payment(session, keeper=keeper, work=work, payment=payment)


def _book_paid_at_once(
    session: Session, keeper: Bookkeeper, work: WorkingInvoice, contra_account: str | None
) -> None:
    """An incoming invoice paid on its invoice date: one payment booking of the whole
    invoice against the payment account."""
    invoice = work.invoice
    account = keeper.books.payment_account(contra_account, "paidContraAccount")
    booked = rules_de.initial(
        work.side,
        counter_account=account,
        booking_date=invoice.invoice_date,
        rate=invoice.currency_rate,
        description=invoice.description or "",
    )
    payment = Payment(
        PaymentType.PAYMENT,
        invoice.invoice_date,
        invoice.total,
        invoice.total_main,
        account,
        invoice.currency_rate,
        invoice.description,
    )
    add_payment(session, keeper=keeper, work=work, booked=booked, payment=payment)


def _payment_on_creation(data: InvoiceInput, paid_date: date) -> PaymentInput:
    """The payment of an invoice created with ``paidDate``: the whole invoice, described like
    the invoice (seed 003 §3.3 A.2)."""
    return PaymentInput(
        payment_date=paid_date,
        contra_account=data.paid_contra_account,
        description=data.description,
        field_prefix="paid",
    )


def _new_invoice(
    session: Session, books: TenantBooks, direction: Direction, data: InvoiceInput, clock: Clock
) -> CashInvoice:
    """The invoice ``data`` describes, checked: lines, totals, currency and partner."""
    if data.invoice_date is None:  # seed 003 §7 item 8: required in both modes
        raise ValidationFailed("accounting.invoice_date_required", field="invoiceDate")
    currency, rate = invoice_currency(books, data.currency, data.currency_rate)
    lines = resolve_lines(books, data.lines, direction, currency)
    side = invoice_side(lines, direction, books.chart, currency)
    net = sum((ln.net for ln in lines), Decimal(0))
    tax = sum((ln.tax for ln in lines), Decimal(0))
    check_given(data.given_totals, {"netTotal": net, "taxTotal": tax, "total": side.total})
    if side.total <= 0:
        raise ValidationFailed("accounting.total_not_positive", field="lines")
    if data.paid_date is not None and not data.paid_contra_account:
        raise ValidationFailed("accounting.paid_contra_account_required", field="paidContraAccount")
    partner_id, partner_name, contra = _partner(session, books, direction, data)
    now = clock.now()
    total = sum((line.total for line in lines), Decimal(0))
    total_main = round_to_currency(total * rate, books.main)
    return CashInvoice(
        id=uuid.uuid4(),
        direction=direction,
        invoice_date=data.invoice_date,
        currency=currency,
        currency_rate=rate,
        net_total=net,
        tax_total=tax,
        total=total,
        total_main=total_main,
        remaining=total,
        remaining_main=total_main,
        created_at=now,
        updated_at=now,
        lines=lines,
        due_date=data.due_date,
        invoice_reference=data.invoice_reference,
        description=data.description,
        partner_id=partner_id,
        partner_name=partner_name,
        unpaid_account=_unpaid_account(books, direction, contra),
        delivery_from=_delivery(books, data.delivery_from),
        delivery_to=_delivery(books, data.delivery_to),
    )


def _unpaid_account(books: TenantBooks, direction: Direction, contra: str | None) -> str | None:
    """DE: the partner's own contra account, else payables (incoming) or receivables
    (outgoing); EA books nothing while unpaid."""
    if books.mode is not AccountingMode.DE:
        return None
    default = books.chart.payables if direction is Direction.INCOMING else books.chart.receivables
    return contra or default


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
        keeper = Bookkeeper(books, actor, clock)
        work = load_invoice(session, books=books, invoice_id=invoice_id, direction=direction)
        before = _snapshot(work.invoice)
        if work.invoice.is_cancelled:
            raise Conflict("accounting.invoice_already_cancelled", field="invoice")
        if work.invoice.active_payments():
            raise InvoiceCannotBeCancelled("accounting.invoice_has_payments", field="invoice")
        for booking in work.invoice.standing_initials():
            cancel_booking(
                session,
                keeper=keeper,
                work=work,
                booking=booking,
                cancel_date=cancel_date,
                reason=reason,
            )
        work.invoice = replace(work.invoice, cancelled_date=cancel_date, cancelled_reason=reason)
        save_totals(session, keeper=keeper, work=work, paid_date=None)
        _audit_change(session, keeper, before, work.invoice)
        return work.outcome()


def _audit_change(
    session: Session, keeper: Bookkeeper, before: dict[str, object], invoice: CashInvoice
) -> None:
    record_change(
        session,
        actor=keeper.actor,
        tenant_id=keeper.tenant_id,
        action=AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=invoice.id,
        before=before,
        after=_snapshot(invoice),
        clock=keeper.clock,
    )


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
        invoice = repo.lock_invoice(session, books, invoice_id, direction)
        if books.mode is AccountingMode.DE:
            raise ValidationFailed("accounting.delete_double_entry", field="invoice")
        if invoice.bookings:
            raise ValidationFailed("accounting.delete_with_bookings", field="invoice")
        repo.delete_invoice(session, tenant_id, invoice_id)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=ENTITY,
            entity_id=invoice_id,
            before=_snapshot(invoice),
            after=None,
            clock=clock,
        )


def _snapshot(invoice: CashInvoice) -> dict[str, object]:
    return {
        "direction": invoice.direction.value,
        "sequence": invoice.sequence,
        "invoice_date": invoice.invoice_date,
        "paid_date": invoice.paid_date,
        "cancelled_date": invoice.cancelled_date,
        "cancelled_reason": invoice.cancelled_reason,
        "partner_name": invoice.partner_name,
        "currency": invoice.currency.code,
        "currency_rate": invoice.currency_rate,
        "total": invoice.total,
        "remaining": invoice.remaining,
    }
