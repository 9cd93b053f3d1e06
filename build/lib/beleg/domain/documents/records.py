"""The records of sales documents: a document (its head) with its lines and its payment
history, as the repositories build them (``db/documents/store.py``) and the use cases pass
them on. Records are immutable: a change is a new record (``dataclasses.replace`` or the
functions below) that a repository writes back in the same transaction.

``texts`` (of a document and of a line) is the JSON of the printed and informational fields
stored as the client gave them (description, footer, reference text, address override,
deposits, ...); it is a document, not a row, and stays a mapping.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from beleg.domain.amounts import check_amount
from beleg.domain.documents.model import (
    PAYABLE,
    DiscountMode,
    HistoryType,
    LineType,
    State,
    TaxRounding,
    TypeCode,
)
from beleg.domain.documents.settlement import check_payment, line_remainders
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.ledger.tax import AmountType
from beleg.domain.numbering.counters import DocumentType
from beleg.money import Currency


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One stored line: what it was computed from and its signed amounts (``remaining`` is
    the line's share of what is still open)."""

    line_no: int
    line_type: LineType
    item_id: uuid.UUID | None
    quantity: Decimal
    item_price: Decimal | None
    item_price_type: AmountType | None
    discount: Decimal
    discount_mode: DiscountMode
    account: str
    tax_entry: str
    tax_rate: Decimal  # percent
    net: Decimal
    tax: Decimal
    total: Decimal
    remaining: Decimal
    texts: Mapping[str, Any]  # name, description, itemNumber, unitOfMeasure, depositInvoice


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """Seed 003 PaymentHistoryDto: a payment, write-off or booking of a document."""

    id: uuid.UUID
    position: int
    entry_type: HistoryType
    is_payment: bool
    entry_date: date
    amount: Decimal
    created_at: datetime
    note: str | None = None
    paying_account: str | None = None
    cancelled: bool = False
    cancels: uuid.UUID | None = None  # a CANCELLED entry: the entry it cancels
    cancellation_of_payment: bool | None = None
    journal_id: uuid.UUID | None = None
    counterpart_id: uuid.UUID | None = None  # the credit memo / cancellation invoice
    line_no: int | None = None  # a correction: the corrected line
    cash_register_no: int | None = None  # a cash payment: its register,
    receipt_no: str | None = None  # the receipt number
    receipt_qr: str | None = None  # and the receipt's RKSV code

    @property
    def stands(self) -> bool:
        """A payment entry that counts: not cancelled, not itself a cancellation."""
        return (
            self.is_payment and not self.cancelled and self.entry_type is not HistoryType.CANCELLED
        )


@dataclass(frozen=True, slots=True)
class SalesDocument:
    """A sales document (seed 003 BizDoc): offer, order confirmation, delivery note, invoice
    or credit memo, with its lines and history. ``sign`` is -1 for credit memos and
    cancellation invoices (their journals are mirrored); ``unpaid_account`` is set in DE."""

    id: uuid.UUID
    doc_type: DocumentType
    state: State
    number: str | None
    type_code: TypeCode
    sign: int
    doc_date: date
    due_date: date | None
    dunning_date: date | None
    paid_date: date | None
    customer_id: uuid.UUID | None
    customer_name: str | None
    currency: Currency
    currency_rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    remaining: Decimal
    payment_term_id: uuid.UUID | None
    layout_setup_id: uuid.UUID | None
    sequence_group_id: uuid.UUID | None
    unpaid_account: str | None
    journal_id: uuid.UUID | None
    completion_state: str | None
    completion_date: date | None
    cancelled_date: date | None
    related_id: uuid.UUID | None  # the document this one corrects or cancels
    source_id: uuid.UUID | None  # the document this one was converted from (or its order)
    deposit_settled_by: uuid.UUID | None  # a deposit invoice: the final invoice settling it
    texts: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime
    lines: tuple[DocumentLine, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    tax_rounding: TaxRounding = TaxRounding.PER_LINE

    @property
    def issued(self) -> bool:
        return self.state in (State.FINALIZED, State.EXTERNAL)

    @property
    def payable(self) -> bool:
        """Invoices and credit memos are paid and booked; the other types are not."""
        return self.doc_type in PAYABLE

    def active_payments(self) -> list[HistoryEntry]:
        """Payment entries that stand: not cancelled, not themselves cancellations."""
        return [h for h in self.history if h.stands]

    def settled(self) -> Decimal:
        return sum((h.amount for h in self.active_payments()), Decimal(0))

    def entry(self, entry_id: uuid.UUID) -> HistoryEntry | None:
        return next((h for h in self.history if h.id == entry_id), None)

    def line(self, line_no: int) -> DocumentLine | None:
        return next((ln for ln in self.lines if ln.line_no == line_no), None)


def require_issued(doc: SalesDocument) -> None:
    if not doc.issued:
        raise Conflict("documents.not_issued", field="state", state=doc.state.value)


# Seed 003 BusinessDocumentCompletionDto: the completion states per document type, and those
# after which a document cannot be completed again (an offer is decided once, an order
# confirmation is done, a delivery note delivered).
COMPLETION_STATES = {
    DocumentType.OFFER: ("ACCEPTED", "REJECTED"),
    DocumentType.ORDER_CONFIRMATION: ("IN_PROGRESS", "DONE"),
    DocumentType.DELIVERY_NOTE: ("IN_PREPARATION", "DELIVERED"),
}
FINAL_COMPLETION = {
    DocumentType.OFFER: ("ACCEPTED", "REJECTED"),
    DocumentType.ORDER_CONFIRMATION: ("DONE",),
    DocumentType.DELIVERY_NOTE: ("DELIVERED",),
}


def check_completion_state(doc_type: DocumentType, value: str | None) -> str:
    """``value`` if it is one of the completion states of ``doc_type``."""
    first, second = COMPLETION_STATES[doc_type]
    if value not in (first, second):
        raise ValidationFailed(
            "documents.completion_state_invalid",
            field="completionState",
            first=first,
            second=second,
        )
    return value


def completed(doc: SalesDocument, state: str, *, day: date, now: datetime) -> SalesDocument:
    """``doc`` (issued, not completed finally yet) completed as ``state`` on ``day``."""
    require_issued(doc)
    if doc.completion_state in FINAL_COMPLETION[doc.doc_type]:
        raise Conflict(
            "documents.already_completed", field="completionState", state=doc.completion_state
        )
    return replace(doc, completion_state=state, completion_date=day, updated_at=now)


def require_payable(doc: SalesDocument) -> SalesDocument:
    """``doc``, if it is an issued invoice or credit memo (only those are paid)."""
    require_issued(doc)
    if not doc.payable:
        raise ValidationFailed("documents.not_payable", field="number")
    return doc


def payment_amount(doc: SalesDocument, given: Decimal | None, *, on_account: bool) -> Decimal:
    """What a payment pays: a credit memo is paid out whole, an invoice the ``given``
    amount (required, 2 decimals at most, at most what remains unless ``on_account``)."""
    if doc.doc_type is DocumentType.CREDIT_MEMO:
        amount = doc.remaining
    else:
        amount = check_amount(given if given is not None else Decimal(-1), "amount", 2)
    check_payment(amount, doc.remaining, on_account=on_account, currency=doc.currency)
    return amount


def cancellable_entry(doc: SalesDocument, entry_id: uuid.UUID) -> HistoryEntry:
    """The payment or write-off entry ``entry_id`` of ``doc``, if it still stands."""
    entry = doc.entry(entry_id)
    if entry is None or not entry.is_payment or entry.entry_type is HistoryType.CANCELLED:
        raise NotFound("documents.payment_not_found", field="payment", id=entry_id)
    if entry.cancelled:
        raise Conflict("documents.payment_already_cancelled", field="payment")
    return entry


def receivables_entry(doc: SalesDocument, journal_id: uuid.UUID, *, now: datetime) -> HistoryEntry:
    """The RECEIVABLES entry of a document whose issue posted ``journal_id`` (not a payment)."""
    return HistoryEntry(
        id=uuid.uuid4(),
        position=len(doc.history) + 1,
        entry_type=HistoryType.RECEIVABLES,
        is_payment=False,
        entry_date=doc.doc_date,
        amount=doc.total,
        created_at=now,
        journal_id=journal_id,
    )


def with_entry(doc: SalesDocument, entry: HistoryEntry) -> SalesDocument:
    """``doc`` with ``entry`` appended to its history."""
    return replace(doc, history=(*doc.history, entry))


def with_entry_cancelled(doc: SalesDocument, entry_id: uuid.UUID) -> SalesDocument:
    """``doc`` with the history entry ``entry_id`` marked cancelled."""
    history = tuple(replace(h, cancelled=True) if h.id == entry_id else h for h in doc.history)
    return replace(doc, history=history)


def with_payment_state(doc: SalesDocument, *, day: date | None, now: datetime) -> SalesDocument:
    """The remaining amounts (document and lines) derived from the standing history, and the
    paid date: ``day`` (or the one set before) once nothing remains; a cancelled document
    has nothing remaining and no paid date."""
    cancelled = doc.state is State.CANCELLED
    remaining = Decimal(0) if cancelled else doc.total - doc.settled()
    paid_date = (day or doc.paid_date) if remaining <= 0 and not cancelled else None
    remainders = line_remainders(
        [ln.total for ln in doc.lines],
        [ln.line_type.counted for ln in doc.lines],
        max(remaining, Decimal(0)),
        doc.total,
        doc.currency,
    )
    lines = tuple(
        ln if ln.remaining == share else replace(ln, remaining=share)
        for ln, share in zip(doc.lines, remainders, strict=True)
    )
    return replace(doc, remaining=remaining, paid_date=paid_date, updated_at=now, lines=lines)


def snapshot(doc: SalesDocument) -> dict[str, Any]:
    """The audit snapshot of a document (JSON-shaped)."""
    return {
        "type": doc.doc_type.value,
        "state": doc.state.value,
        "number": doc.number,
        "date": doc.doc_date,
        "customer": doc.customer_name,
        "net": doc.net,
        "tax": doc.tax,
        "total": doc.total,
        "remaining": doc.remaining,
        "lines": len(doc.lines),
    }
