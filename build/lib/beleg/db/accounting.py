"""Data access of cash-based invoicing: invoices with their lines and bookings, and what the
journals of an invoice booked on its components. Every function runs in the caller's
transaction and is scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.db import ledger
from beleg.db.tables import cb_bookings, cb_invoice_lines, cb_invoices
from beleg.domain.accounting.components import Key
from beleg.domain.accounting.invoices import (
    Booking,
    BookingKind,
    Cancellation,
    CashInvoice,
    Payment,
    PaymentType,
)
from beleg.domain.accounting.lines import Direction, Line, LineInput, resolve_lines
from beleg.domain.errors import NotFound
from beleg.domain.ledger.books import TenantBooks
from beleg.money import Currency


def lock_invoice(
    session: Session, books: TenantBooks, invoice_id: uuid.UUID, direction: Direction
) -> CashInvoice:
    """The invoice with its lines (resolved against the tenant's chart) and bookings, locked
    until the transaction ends, so two operations on one invoice queue; NotFound naming
    ``invoice`` if it is not this tenant's invoice of this direction."""
    i = cb_invoices.c
    row = session.execute(
        select(cb_invoices)
        .where(i.tenant_id == books.tenant_id, i.id == invoice_id, i.direction == direction.value)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound("accounting.invoice_not_found", field="invoice", invoice=invoice_id)
    ln = cb_invoice_lines.c
    line_rows = session.execute(
        select(cb_invoice_lines)
        .where(ln.tenant_id == books.tenant_id, ln.invoice_id == invoice_id)
        .order_by(ln.line_no)
    ).all()
    currency = Currency.of(row.currency)
    lines = resolve_lines(books, [_line_input(r) for r in line_rows], direction, currency)
    b = cb_bookings.c
    booking_rows = session.execute(
        select(cb_bookings)
        .where(b.tenant_id == books.tenant_id, b.invoice_id == invoice_id)
        .order_by(b.position)
    ).all()
    return _invoice(row, currency, lines, tuple(_booking(r) for r in booking_rows))


def _line_input(row: Row[Any]) -> LineInput:
    """A stored line as the input it resolves from (its tax class, amount type and private
    account as resolved at creation)."""
    return LineInput(
        row.account,
        row.amount,
        row.amount_type,
        row.tax_entry,
        row.description,
        row.private_part,
        row.private_part_type,
        row.private_part_account,
        row.tax_entry_modifier,
        row.additional_sequence,
    )


def _invoice(
    row: Row[Any], currency: Currency, lines: tuple[Line, ...], bookings: tuple[Booking, ...]
) -> CashInvoice:
    return CashInvoice(
        id=row.id,
        direction=Direction(row.direction),
        invoice_date=row.invoice_date,
        currency=currency,
        currency_rate=row.currency_rate,
        net_total=row.net_total,
        tax_total=row.tax_total,
        total=row.total,
        total_main=row.total_main,
        remaining=row.remaining,
        remaining_main=row.remaining_main,
        created_at=row.created_at,
        updated_at=row.updated_at,
        lines=lines,
        bookings=bookings,
        sequence=row.sequence,
        due_date=row.due_date,
        paid_date=row.paid_date,
        cancelled_date=row.cancelled_date,
        cancelled_reason=row.cancelled_reason,
        invoice_reference=row.invoice_reference,
        description=row.description,
        partner_id=row.partner_id,
        partner_name=row.partner_name,
        unpaid_account=row.unpaid_account,
        delivery_from=row.delivery_from,
        delivery_to=row.delivery_to,
    )


def _booking(row: Row[Any]) -> Booking:
    payment = None
    if row.payment_type is not None:
        payment = Payment(
            payment_type=PaymentType(row.payment_type),
            day=row.payment_date,
            amount=row.payment_amount,
            amount_main=row.payment_amount_main,
            contra_account=row.payment_contra_account,
            rate=row.payment_rate,
            description=row.payment_description,
        )
    cancellation = None
    if row.cancelled_booking is not None:
        cancellation = Cancellation(row.cancelled_date, row.cancelled_reason, row.cancelled_booking)
    return Booking(
        id=row.id,
        invoice_id=row.invoice_id,
        position=row.position,
        kind=BookingKind(row.kind),
        number=row.number,
        created_at=row.created_at,
        cancelled=row.cancelled,
        journal_id=row.journal_id,
        journal_number=row.journal_number,
        contra_account=row.contra_account,
        payment=payment,
        cancellation=cancellation,
        net_main=row.net_main,
        tax_main=row.tax_main,
        total_main=row.total_main,
    )


def insert_invoice(session: Session, tenant_id: uuid.UUID, invoice: CashInvoice) -> None:
    """Store a new invoice and its lines (its bookings are added one by one)."""
    session.execute(insert(cb_invoices).values(tenant_id=tenant_id, **_header_values(invoice)))
    session.execute(
        insert(cb_invoice_lines),
        [
            _line_values(tenant_id, invoice.id, number, line)
            for number, line in enumerate(invoice.lines, start=1)
        ],
    )


def _header_values(invoice: CashInvoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "direction": invoice.direction.value,
        "sequence": invoice.sequence,
        "invoice_date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "paid_date": invoice.paid_date,
        "cancelled_date": invoice.cancelled_date,
        "cancelled_reason": invoice.cancelled_reason,
        "invoice_reference": invoice.invoice_reference,
        "description": invoice.description,
        "partner_id": invoice.partner_id,
        "partner_name": invoice.partner_name,
        "currency": invoice.currency.code,
        "currency_rate": invoice.currency_rate,
        "net_total": invoice.net_total,
        "tax_total": invoice.tax_total,
        "total": invoice.total,
        "total_main": invoice.total_main,
        "remaining": invoice.remaining,
        "remaining_main": invoice.remaining_main,
        "unpaid_account": invoice.unpaid_account,
        "delivery_from": invoice.delivery_from,
        "delivery_to": invoice.delivery_to,
        "created_at": invoice.created_at,
        "updated_at": invoice.updated_at,
    }


def _line_values(
    tenant_id: uuid.UUID, invoice_id: uuid.UUID, number: int, line: Line
) -> dict[str, Any]:
    item = line.source
    return {
        "tenant_id": tenant_id,
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


def update_invoice(session: Session, tenant_id: uuid.UUID, invoice: CashInvoice) -> None:
    """Store what operations change on an invoice: its sequence, remaining totals, paid and
    cancellation fields (its amounts and lines are fixed at creation)."""
    i = cb_invoices.c
    session.execute(
        update(cb_invoices)
        .where(i.tenant_id == tenant_id, i.id == invoice.id)
        .values(
            sequence=invoice.sequence,
            remaining=invoice.remaining,
            remaining_main=invoice.remaining_main,
            paid_date=invoice.paid_date,
            cancelled_date=invoice.cancelled_date,
            cancelled_reason=invoice.cancelled_reason,
            updated_at=invoice.updated_at,
        )
    )


def delete_invoice(session: Session, tenant_id: uuid.UUID, invoice_id: uuid.UUID) -> None:
    """Delete an invoice and its lines (callers check it has no bookings)."""
    ln = cb_invoice_lines.c
    session.execute(
        delete(cb_invoice_lines).where(ln.tenant_id == tenant_id, ln.invoice_id == invoice_id)
    )
    i = cb_invoices.c
    session.execute(delete(cb_invoices).where(i.tenant_id == tenant_id, i.id == invoice_id))


def insert_booking(session: Session, tenant_id: uuid.UUID, booking: Booking) -> None:
    payment, cancellation = booking.payment, booking.cancellation
    session.execute(
        insert(cb_bookings).values(
            tenant_id=tenant_id,
            id=booking.id,
            invoice_id=booking.invoice_id,
            position=booking.position,
            kind=booking.kind.value,
            number=booking.number,
            cancelled=booking.cancelled,
            journal_id=booking.journal_id,
            journal_number=booking.journal_number,
            contra_account=booking.contra_account,
            payment_type=payment.payment_type.value if payment else None,
            payment_date=payment.day if payment else None,
            payment_amount=payment.amount if payment else None,
            payment_amount_main=payment.amount_main if payment else None,
            payment_contra_account=payment.contra_account if payment else None,
            payment_rate=payment.rate if payment else None,
            payment_description=payment.description if payment else None,
            cancelled_date=cancellation.day if cancellation else None,
            cancelled_reason=cancellation.reason if cancellation else None,
            cancelled_booking=cancellation.booking_id if cancellation else None,
            net_main=booking.net_main,
            tax_main=booking.tax_main,
            total_main=booking.total_main,
            created_at=booking.created_at,
        )
    )


def mark_cancelled(session: Session, tenant_id: uuid.UUID, booking_id: uuid.UUID) -> None:
    """Set a booking's ``cancelled`` flag (once, when its cancellation booking is added)."""
    b = cb_bookings.c
    session.execute(
        update(cb_bookings)
        .where(b.tenant_id == tenant_id, b.id == booking_id)
        .values(cancelled=True)
    )


def component_sums(
    session: Session, tenant_id: uuid.UUID, journal_ids: Collection[uuid.UUID], keys: set[Key]
) -> dict[Key, Decimal]:
    """Signed sums per (account, tax code) of ``keys`` over the journals ``journal_ids``
    (journal currency)."""
    sums = ledger.posting_sums(session, tenant_id, journal_ids)
    return {key: amount for key, amount in sums.items() if key in keys}
