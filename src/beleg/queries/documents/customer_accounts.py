"""The customer account view (``GET /v2/customers/{id}/account``; seed 002 "Erstellungsdatum
bei Kundenkonto-Transaktionen"; ADR 0024): the customer's invoices, credit memos, payments,
write-offs and their cancellations in value-date order, each with its value date (the date of
the document or the date given with the payment), its entry date and instant (when it was
recorded: the history entry's ``created_at``, for a document the instant its receivable was
recorded or, without one, the document's creation) and the running balance per currency.
Which history entries are transactions: ``domain.documents.open_items.entry_kind``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.contacts import customers as customers_db
from beleg.db.database import Database
from beleg.db.tables import (
    cb_bookings,
    cb_invoices,
    dunning_notices,
    sales_document_history,
    sales_documents,
)
from beleg.db.tenancy import tenant_timezone
from beleg.domain.accounting.invoices import BookingKind, PaymentType
from beleg.domain.accounting.lines import Direction
from beleg.domain.documents.model import PAYABLE, HistoryType, State
from beleg.domain.documents.open_items import (
    CASH_OUT,
    SETTLEMENT_TYPES,
    AccountEntryType,
    entry_effect,
    entry_kind,
)
from beleg.domain.numbering.counters import DocumentType
from beleg.money import Currency, round_to_currency

SHOWN = (State.FINALIZED.value, State.EXTERNAL.value, State.CANCELLED.value)


@dataclass(frozen=True, slots=True)
class AccountTransaction:
    """One line of the account view; ``amount`` is the signed change of the balance."""

    id: uuid.UUID
    type: AccountEntryType
    document_id: uuid.UUID
    document_type: str
    document_number: str | None
    currency: str
    amount: Decimal
    value_date: date
    recorded_at: datetime
    note: str | None
    cancelled: bool
    order: int  # within one instant: the document before its entries, entries by position


def _documents(session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> list[Any]:
    d = sales_documents.c
    return list(
        session.execute(
            select(sales_documents).where(
                d.tenant_id == tenant_id,
                d.customer_id == customer_id,
                d.doc_type.in_([t.value for t in PAYABLE]),
                d.state.in_(SHOWN),
            )
        )
    )


def _document_rows(doc: Any, entries: list[Any]) -> list[AccountTransaction]:
    """The document's own transaction and, when it was cancelled by reversal (not by a
    counter document, which settles it), the cancellation."""
    receivable = next((e for e in entries if e.entry_type == HistoryType.RECEIVABLES), None)
    kind = (
        AccountEntryType.CREDIT_MEMO
        if doc.doc_type == DocumentType.CREDIT_MEMO.value
        else AccountEntryType.INVOICE
    )
    amount = entry_effect(kind, doc.sign, Decimal(doc.total))
    rows = [
        _row(
            doc,
            row_id=doc.id,
            kind=kind,
            amount=amount,
            value_date=doc.doc_date,
            recorded=receivable or doc,
            order=0,
        )
    ]
    settled = any(e.entry_type in SETTLEMENT_TYPES and not e.cancelled for e in entries)
    if doc.state == State.CANCELLED.value and not settled:
        reversal = next(
            (e for e in entries if e.entry_type == HistoryType.CANCELLED and e.cancels is None),
            None,
        )
        rows.append(
            _row(
                doc,
                row_id=reversal.id if reversal is not None else uuid.uuid5(doc.id, "cancellation"),
                kind=AccountEntryType.CANCELLATION,
                amount=-amount,
                value_date=doc.cancelled_date or doc.doc_date,
                recorded=reversal,
                order=len(entries) + 1,
                recorded_fallback=doc.updated_at,
            )
        )
    return rows


def _entry_rows(doc: Any, entries: list[Any]) -> list[AccountTransaction]:
    by_id = {e.id: e for e in entries}
    rows = []
    for e in entries:
        kind = entry_kind(HistoryType(e.entry_type), is_payment=e.is_payment)
        if e.entry_type == HistoryType.CANCELLED and e.cancels in by_id:
            cancelled = by_id[e.cancels]
            original = entry_kind(
                HistoryType(cancelled.entry_type), is_payment=cancelled.is_payment
            )
            kind = AccountEntryType.PAYMENT_CANCELLED if original is not None else None
        if kind is None:
            continue
        amount = entry_effect(kind, doc.sign, Decimal(e.amount))
        rows.append(
            _row(
                doc,
                row_id=e.id,
                kind=kind,
                amount=amount,
                value_date=e.entry_date,
                recorded=e,
                order=e.position,
                note=e.note,
                cancelled=e.cancelled,
            )
        )
    return rows


def _row(
    doc: Any,
    *,
    row_id: uuid.UUID,
    kind: AccountEntryType,
    amount: Decimal,
    value_date: date,
    recorded: Any,
    order: int,
    note: str | None = None,
    cancelled: bool = False,
    recorded_fallback: datetime | None = None,
) -> AccountTransaction:
    at = recorded.created_at if recorded is not None else recorded_fallback
    return AccountTransaction(
        id=row_id,
        type=kind,
        document_id=doc.id,
        document_type=doc.doc_type,
        document_number=doc.number,
        currency=doc.currency,
        amount=round_to_currency(amount, Currency.of(doc.currency)),
        value_date=value_date,
        recorded_at=at if at is not None else doc.updated_at,
        note=note,
        cancelled=cancelled,
        order=order,
    )


def _cash_invoices(session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> list[Any]:
    c = cb_invoices.c
    return list(
        session.execute(
            select(cb_invoices).where(
                c.tenant_id == tenant_id,
                c.partner_id == customer_id,
                c.direction == Direction.OUTGOING.value,
            )
        )
    )


def _by_parent(
    session: Session, tenant_id: uuid.UUID, table: Any, parent: str, ids: list[uuid.UUID]
) -> dict[Any, list[Any]]:
    """The tenant's rows of ``table`` (document history, cash-based bookings) per ``parent``
    id, each parent's in ``position`` order."""
    found: dict[Any, list[Any]] = defaultdict(list)
    if not ids:
        return found
    key = table.c[parent]
    rows = session.execute(
        select(table)
        .where(table.c.tenant_id == tenant_id, key.in_(ids))
        .order_by(key, table.c.position)
    )
    for row in rows:
        found[getattr(row, parent)].append(row)
    return found


def _cash_kind(booking: Any) -> AccountEntryType | None:
    """A payment booking as a transaction: money paid, or a write-off of the rest; an
    existing credit and the main-currency residue move no amount of the invoice currency."""
    if booking.kind != BookingKind.PAYMENT.value:
        return None
    if booking.payment_type == PaymentType.PAYMENT.value:
        return AccountEntryType.PAYMENT
    if booking.payment_type in (PaymentType.DISCOUNT.value, PaymentType.IRRECOVERABLE.value):
        return AccountEntryType.WRITE_OFF
    return None


def _cash_rows(invoice: Any, bookings: list[Any]) -> list[AccountTransaction]:
    """A cash-based outgoing invoice (seed 003 §3.3): its total, its payments and write-offs,
    their cancellations and its own cancellation."""
    head = _CashHead(invoice)
    by_id = {b.id: b for b in bookings}
    initial = next((b for b in bookings if b.kind == BookingKind.INITIAL.value), None)
    total = Decimal(invoice.total)
    rows = [head.row(invoice.id, AccountEntryType.INVOICE, total, invoice.invoice_date, initial, 0)]
    for b in bookings:
        target = by_id.get(b.cancelled_booking) if b.cancelled_booking else None
        kind = _cash_kind(b)
        if kind is not None:
            amount = -Decimal(b.payment_amount)
            rows.append(head.row(b.id, kind, amount, b.payment_date, b, b.position, b.cancelled))
        elif target is not None and _cash_kind(target) is not None:
            amount = Decimal(target.payment_amount)
            kind = AccountEntryType.PAYMENT_CANCELLED
            rows.append(head.row(b.id, kind, amount, b.cancelled_date, b, b.position))
    if invoice.cancelled_date is not None:
        undone = None  # the reversal of the initial booking (DE); EA booked none
        if initial is not None:
            undone = next((b for b in bookings if b.cancelled_booking == initial.id), None)
        row_id = undone.id if undone is not None else uuid.uuid5(invoice.id, "cancellation")
        kind = AccountEntryType.CANCELLATION
        at = undone or _Instant(invoice.updated_at)
        rows.append(head.row(row_id, kind, -total, invoice.cancelled_date, at, len(bookings) + 1))
    return rows


@dataclass(frozen=True, slots=True)
class _Instant:
    created_at: datetime


@dataclass(frozen=True, slots=True)
class _CashHead:
    invoice: Any

    def row(  # noqa: PLR0917 -- one line of the view, positionally as it reads
        self,
        row_id: uuid.UUID,
        kind: AccountEntryType,
        amount: Decimal,
        value_date: date,
        recorded: Any,
        order: int,
        cancelled: bool = False,
    ) -> AccountTransaction:
        invoice = self.invoice
        return AccountTransaction(
            id=row_id,
            type=kind,
            document_id=invoice.id,
            document_type=CASH_OUT,
            document_number=invoice.sequence or invoice.invoice_reference,
            currency=invoice.currency,
            amount=round_to_currency(amount, Currency.of(invoice.currency)),
            value_date=value_date,
            recorded_at=(recorded or invoice).created_at,
            note=None,
            cancelled=cancelled,
            order=order,
        )


def transactions(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[AccountTransaction]:
    """The customer's transactions in value-date order (then as recorded)."""
    docs = _documents(session, tenant_id, customer_id)
    history = _by_parent(
        session, tenant_id, sales_document_history, "document_id", [d.id for d in docs]
    )
    found: list[AccountTransaction] = []
    for doc in docs:
        entries = history.get(doc.id, [])
        found += _document_rows(doc, entries) + _entry_rows(doc, entries)
    cash = _cash_invoices(session, tenant_id, customer_id)
    bookings = _by_parent(session, tenant_id, cb_bookings, "invoice_id", [c.id for c in cash])
    for invoice in cash:
        found += _cash_rows(invoice, bookings.get(invoice.id, []))
    found += _fees(session, tenant_id, customer_id)
    found.sort(key=lambda t: (t.value_date, t.recorded_at, t.order, str(t.id)))
    return found


def _fees(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[AccountTransaction]:
    """The fees of the customer's dunning notices (ADR 0027), receivable from the notice."""
    n = dunning_notices.c
    rows = session.execute(
        select(dunning_notices).where(
            n.tenant_id == tenant_id, n.customer_id == customer_id, n.fee > 0
        )
    ).all()
    return [
        AccountTransaction(
            id=row.id,
            type=AccountEntryType.DUNNING_FEE,
            document_id=row.id,
            document_type="DUNNING_NOTICE",
            document_number=row.number,
            currency=row.currency,
            amount=round_to_currency(row.fee, Currency.of(row.currency)),
            value_date=row.notice_date,
            recorded_at=row.created_at,
            note=None,
            cancelled=False,
            order=0,
        )
        for row in rows
    ]


def customer_account(
    *, db: Database, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> dict[str, Any]:
    """The account view as ``/v2`` shows it; NotFound naming ``id`` for a customer of no
    one or of another tenant."""
    with db.reader() as session:
        customers_db.customer(session, tenant_id, customer_id)
        zone = ZoneInfo(tenant_timezone(session, tenant_id))
        found = transactions(session, tenant_id, customer_id)
    balances: dict[str, Decimal] = {}
    items = []
    for t in found:
        balances[t.currency] = balances.get(t.currency, Decimal(0)) + t.amount
        items.append(_item(t, balances[t.currency], zone))
    return {
        "customerId": customer_id,
        "balances": [{"currency": c, "balance": balances[c]} for c in sorted(balances)],
        "transactions": items,
    }


def _item(t: AccountTransaction, balance: Decimal, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "type": t.type.value,
        "documentId": t.document_id,
        "documentType": t.document_type,
        "documentNumber": t.document_number,
        "currency": t.currency,
        "amount": t.amount,
        "balance": balance,
        "valueDate": t.value_date,
        "entryDate": t.recorded_at.astimezone(zone).date(),
        "recordedAt": t.recorded_at,
        "note": t.note,
        "cancelled": t.cancelled,
    }
