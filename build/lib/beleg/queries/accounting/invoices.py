"""Read models of cash-based invoices in the shape of seed 003 (IncomingInvoiceDto,
OutgoingInvoiceDto, InvoiceBookingDto, JournalDto).

Computed amounts are rendered at the currency's scale (``12.00``); echoed inputs (line
amounts, rates, private parts) without trailing zeros. Optional fields are omitted, not null
(seed 003 §2).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from beleg.db.database import Database
from beleg.db.tables import cb_bookings, cb_invoice_lines, cb_invoices, ledger_journals, tenants
from beleg.domain.accounting.lines import Direction
from beleg.domain.errors import NotFound
from beleg.money import Currency, round_to_currency
from beleg.queries.rendering import plain

JOURNAL_TYPES = {"E": "IncomeJournal", "A": "OutgoJournal", "U": "RebookJournal"}
BOOKING_TYPES = {
    "INITIAL": "InvoiceInitialBooking",
    "PAYMENT": "InvoicePaymentBooking",
    "CANCELLATION": "InvoiceCancellationBooking",
}


def _money(value: Decimal, currency: Currency) -> Decimal:
    """A computed amount at the currency's scale (stored amounts are already rounded)."""
    return round_to_currency(value, currency)


def _omit_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def header(row: Any, main: Currency) -> dict[str, Any]:
    m = row._mapping if hasattr(row, "_mapping") else row
    currency = Currency.of(m["currency"])
    party = "supplier" if m["direction"] == Direction.INCOMING.value else "customer"
    values = {
        "id": str(m["id"]),
        "invoiceSequence": m["sequence"] or "",
        "invoiceDate": m["invoice_date"],
        "dueDate": m["due_date"],
        "paidDate": m["paid_date"],
        "cancelledReason": m["cancelled_reason"],
        "cancelledDate": m["cancelled_date"],
        party: str(m["partner_id"]) if m["partner_id"] else None,
        f"{party}Name": m["partner_name"],
        "invoiceReference": m["invoice_reference"],
        "description": m["description"],
        "netTotal": _money(m["net_total"], currency),
        "taxTotal": _money(m["tax_total"], currency),
        "total": _money(m["total"], currency),
        "remainingTotal": _money(m["remaining"], currency),
        "remainingTotalInMainCurrency": _money(m["remaining_main"], main),
        "currency": m["currency"],
        "currencyRate": plain(m["currency_rate"]),
        "deliveryFromDate": m["delivery_from"],
        "deliveryToDate": m["delivery_to"],
    }
    if party == "customer" and m["partner_name"]:
        values["partnerName"] = m["partner_name"]  # seed 003 §7 item 32: the examples show it
    return _omit_none(values)


def line_item(row: Any, currency: Currency) -> dict[str, Any]:
    return _omit_none(
        {
            "description": row.description,
            "amount": plain(row.amount),
            "amountType": row.amount_type,
            "account": row.account,
            "taxEntry": row.tax_entry,
            "taxRate": plain(row.tax_rate),
            "netAmount": _money(row.net_amount, currency),
            "taxAmount": _money(row.tax_amount, currency),
            "totalAmount": _money(row.total_amount, currency),
            "privatePart": plain(row.private_part),
            "privatePartType": row.private_part_type,
            "privatePartAccount": row.private_part_account,
            "taxEntryModifier": row.tax_entry_modifier,
            "additionalSequence": row.additional_sequence,
        }
    )


def booking_item(b: Any, currency: Currency, main: Currency) -> dict[str, Any]:
    m = b._mapping if hasattr(b, "_mapping") else b
    values: dict[str, Any] = {
        "id": str(m["id"]),
        "type": BOOKING_TYPES[m["kind"]],
        "number": m["number"],
        "cancelled": m["cancelled"],
        "reconciled": False,
        "journalNumber": m["journal_number"],
    }
    if m["kind"] == "INITIAL":
        values["contraAccount"] = m["contra_account"]
    elif m["kind"] == "PAYMENT":
        values.update(
            {
                "paymentType": m["payment_type"],
                "paymentDate": m["payment_date"],
                "paymentAmount": _money(m["payment_amount"], currency),
                "paymentAmountInMainCurrency": _money(m["payment_amount_main"], main),
                "paymentContraAccount": m["payment_contra_account"],
                "paymentCurrencyRate": plain(m["payment_rate"]),
                "paymentDescription": m["payment_description"],
            }
        )
    else:
        values.update(
            {
                "cancelledDate": m["cancelled_date"],
                "cancelledReason": m["cancelled_reason"],
                "cancelledBooking": str(m["cancelled_booking"]),
            }
        )
    return _omit_none(values)


def _main(session: Session, tenant_id: uuid.UUID) -> Currency:
    return Currency.of(
        session.execute(select(tenants.c.currency).where(tenants.c.id == tenant_id)).scalar_one()
    )


def _invoice_row(
    session: Session, tenant_id: uuid.UUID, direction: Direction, invoice_id: uuid.UUID
) -> Any:
    row = session.execute(
        select(cb_invoices).where(
            cb_invoices.c.tenant_id == tenant_id,
            cb_invoices.c.id == invoice_id,
            cb_invoices.c.direction == direction.value,
        )
    ).one_or_none()
    if row is None:
        raise NotFound("accounting.invoice_not_found", field="invoice", invoice=invoice_id)
    return row


def _bookings(session: Session, tenant_id: uuid.UUID, invoice_id: uuid.UUID) -> list[Any]:
    return list(
        session.execute(
            select(cb_bookings)
            .where(cb_bookings.c.tenant_id == tenant_id, cb_bookings.c.invoice_id == invoice_id)
            .order_by(cb_bookings.c.position)
        ).all()
    )


def get_invoice(
    *, db: Database, tenant_id: uuid.UUID, direction: Direction, invoice_id: uuid.UUID
) -> dict[str, Any]:
    """The full invoice: header, lines and bookings."""
    with db.reader() as session:
        main = _main(session, tenant_id)
        row = _invoice_row(session, tenant_id, direction, invoice_id)
        currency = Currency.of(row.currency)
        lines = session.execute(
            select(cb_invoice_lines)
            .where(
                cb_invoice_lines.c.tenant_id == tenant_id,
                cb_invoice_lines.c.invoice_id == invoice_id,
            )
            .order_by(cb_invoice_lines.c.line_no)
        )
        item = header(row, main)
        item["lines"] = [line_item(line, currency) for line in lines]
        item["bookings"] = [
            booking_item(b, currency, main) for b in _bookings(session, tenant_id, invoice_id)
        ]
        return item


def list_invoices(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    direction: Direction,
    date_from: date,
    date_to: date,
    search: str | None,
    state: str | None,
    today: date,
) -> list[dict[str, Any]]:
    """Headers of the invoices dated in [from, to]; ``search`` is a case-insensitive
    substring of sequence, reference, description or partner (seed 003 §7 item 42)."""
    c = cb_invoices.c
    query = select(cb_invoices).where(
        c.tenant_id == tenant_id,
        c.direction == direction.value,
        c.invoice_date >= date_from,
        c.invoice_date <= date_to,
    )
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(
                *(
                    col.ilike(pattern)
                    for col in (c.sequence, c.invoice_reference, c.description, c.partner_name)
                )
            )
        )
    if state == "PAID":
        query = query.where(c.remaining == 0, c.cancelled_date.is_(None))
    elif state == "UNPAID":
        query = query.where(c.remaining > 0)
    elif state == "OVERDUE":
        query = query.where(and_(c.remaining > 0, c.due_date < today))
    with db.reader() as session:
        main = _main(session, tenant_id)
        rows = session.execute(query.order_by(c.invoice_date, c.created_at)).all()
        return [header(r, main) for r in rows]


def invoice_bookings(
    *, db: Database, tenant_id: uuid.UUID, direction: Direction, invoice_id: uuid.UUID
) -> list[dict[str, Any]]:
    with db.reader() as session:
        main = _main(session, tenant_id)
        row = _invoice_row(session, tenant_id, direction, invoice_id)
        return [
            booking_item(b, Currency.of(row.currency), main)
            for b in _bookings(session, tenant_id, invoice_id)
        ]


def invoice_journals(
    *, db: Database, tenant_id: uuid.UUID, direction: Direction, invoice_id: uuid.UUID
) -> list[dict[str, Any]]:
    """One JournalDto per booking with a journal (seed 003 §7 item 33: with id and number)."""
    with db.reader() as session:
        main = _main(session, tenant_id)
        _invoice_row(session, tenant_id, direction, invoice_id)
        j = ledger_journals.c
        rows = session.execute(
            select(cb_bookings, j.journal_type)
            .join(
                ledger_journals,
                and_(j.tenant_id == cb_bookings.c.tenant_id, j.id == cb_bookings.c.journal_id),
            )
            .where(cb_bookings.c.tenant_id == tenant_id, cb_bookings.c.invoice_id == invoice_id)
            .order_by(cb_bookings.c.position)
        ).all()
        return [
            {
                "id": str(r.journal_id),
                "journalNumber": r.journal_number,
                "journalType": JOURNAL_TYPES[r.journal_type],
                "netTotal": _money(r.net_main, main),
                "taxTotal": _money(r.tax_main, main),
                "total": _money(r.total_main, main),
                "cancelled": r.cancelled,
            }
            for r in rows
        ]
