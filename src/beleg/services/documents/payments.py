"""Payments on sales invoices and credit memos (seed 003 §3.4 "Payments", §4.9.1/9, §4.10.1/9).

A payment names exactly one of ``payingAccount`` (a means-of-payment account, type U) or
``cashRegister`` (which also issues a signed cash receipt, ``cash_register_payments``); it is
booked by the tenant's mode (``document_bookings``) and recorded as a PAYED history entry.
``restType`` writes off what remains after it as a second entry. Credit memos are paid out
whole (their payment has no amount). Cancelling an entry reverses its journal and adds a
CANCELLED entry; ``cancellationOfPayment`` tells whether money moved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.outbox import enqueue
from beleg.domain.accounting.lines import check_amount
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.model import REST_TYPES, HistoryType, State
from beleg.domain.documents.settlement import check_payment
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.services.accounting.context import Books, load_books
from beleg.services.accounting.payments import payment_rate
from beleg.services.documents.bookings import book_payment, book_write_off, reverse
from beleg.services.documents.store import (
    PAYABLE,
    Doc,
    add_history,
    load_doc,
    mark_history_cancelled,
    require_issued,
    save_payment_state,
)
from beleg.services.pos.payments import (
    cancel_payment_receipt,
    issue_payment_receipt,
    payment_register,
)

ENTITY = "SalesDocumentPayment"


@dataclass(frozen=True, slots=True)
class PaymentInput:
    """Seed 003 InvoicePaymentDto / CreditMemoPaymentDto (the latter without amount)."""

    day: date | None
    amount: Decimal | None = None
    paying_account: str | None = None
    cash_register: int | None = None
    currency_rate: Decimal | None = None
    note: str | None = None
    rest_type: str | None = None


def add_payment(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    payment: PaymentInput,
    clock: Clock,
) -> list[dict[str, Any]]:
    """Register a payment (and the write-off of the rest); returns the new history entries."""
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        doc = _payable(load_doc(session, tenant_id, doc_type, number))
        day, account, rate, rest = _checked(books, doc, payment)
        remaining = doc.row["remaining"]
        amount = (
            remaining
            if doc_type is DocumentType.CREDIT_MEMO
            else check_amount(
                payment.amount if payment.amount is not None else Decimal(-1), "amount", 2
            )
        )
        check_payment(
            amount, remaining, on_account=rest is HistoryType.ONACCOUNT, currency=doc.currency
        )
        register = (
            None
            if payment.cash_register is None
            else payment_register(session, tenant_id, payment.cash_register, clock)
        )
        if register is not None:
            account = register.row["cash_account"]
        first = len(doc.history)
        journal = book_payment(
            session,
            books,
            doc,
            amount=amount,
            account=account,
            day=day,
            rate=rate,
            actor=actor,
            clock=clock,
        )
        receipt = (
            {}
            if register is None
            else _receipt_fields(
                issue_payment_receipt(
                    session,
                    books,
                    register,
                    doc,
                    amount=amount,
                    day=day,
                    journal_id=journal,
                    actor=actor,
                    clock=clock,
                )
            )
        )
        add_history(
            session,
            doc,
            entry_type=HistoryType.PAYED,
            entry_date=day,
            amount=amount,
            clock=clock,
            note=payment.note,
            paying_account=account,
            journal_id=journal,
            **receipt,
        )
        if rest is not None and remaining - amount != 0:
            rest_amount = remaining - amount
            journal = book_write_off(
                session,
                books,
                doc,
                rest_type=rest,
                remaining=rest_amount,
                day=day,
                actor=actor,
                clock=clock,
            )
            add_history(
                session,
                doc,
                entry_type=rest,
                entry_date=day,
                amount=rest_amount,
                clock=clock,
                note=payment.note,
                journal_id=journal,
            )
        save_payment_state(session, doc, day=day, clock=clock)
        _record(session, actor, doc, "document.payment_added", clock)
        return doc.history[first:]


def _receipt_fields(receipt: dict[str, Any]) -> dict[str, Any]:
    return {
        "cash_register_no": receipt["register_no"],
        "receipt_no": receipt["number"],
        "receipt_qr": receipt["qr_code"],
    }


def _payable(doc: Doc) -> Doc:
    require_issued(doc)
    if doc.doc_type not in PAYABLE:
        raise ValidationFailed(
            "only invoices and credit memos are paid",
            de="Nur Rechnungen und Gutschriften werden bezahlt",
            field="number",
        )
    return doc


def _checked(
    books: Books, doc: Doc, payment: PaymentInput
) -> tuple[date, str | None, Decimal, HistoryType | None]:
    """Date, payment account (None for a cash register: the register's), rate, rest type."""
    if payment.day is None:
        raise ValidationFailed("date is required", de="date ist erforderlich", field="date")
    if (payment.paying_account is None) == (payment.cash_register is None):
        raise ValidationFailed(
            "exactly one of payingAccount and cashRegister is required",
            de="Genau eines von payingAccount und cashRegister ist erforderlich",
            field="payingAccount",
        )
    account = (
        None
        if payment.cash_register is not None
        else books.payment_account(payment.paying_account, "payingAccount")
    )
    rate = payment_rate(payment.currency_rate, doc.row["currency_rate"])
    rest = None
    if payment.rest_type:
        try:
            rest = HistoryType(payment.rest_type)
        except ValueError:
            rest = None
        if rest not in REST_TYPES:
            allowed = ", ".join(r.value for r in REST_TYPES)
            raise ValidationFailed(
                f"restType must be one of {allowed}",
                de=f"restType muss einer von {allowed} sein",
                field="restType",
            )
    return payment.day, account, rate, rest


def cancel_payment(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    entry_id: uuid.UUID,
    day: date | None,
    reason: str | None,
    clock: Clock,
) -> Doc:
    """Cancel a payment or write-off entry (seed 003 §4.9.1, PaymentCancellationDto)."""
    if day is None or not (reason or "").strip():
        field = "cancelDate" if day is None else "cancelReason"
        raise ValidationFailed(f"{field} is required", de=f"{field} ist erforderlich", field=field)
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        doc = _payable(load_doc(session, tenant_id, doc_type, number))
        entry = next((h for h in doc.history if h["id"] == entry_id), None)
        if entry is None or not entry["is_payment"] or entry["entry_type"] == HistoryType.CANCELLED:
            raise NotFound(
                f"payment {entry_id} does not exist on this document",
                de="Zahlung nicht gefunden.",
                field="payment",
            )
        if entry["cancelled"]:
            raise Conflict(
                "the payment is already cancelled",
                de="Die Zahlung ist bereits storniert",
                field="payment",
            )
        journal = reverse(
            session,
            books,
            entry["journal_id"],
            day=day,
            reason=reason or "",
            actor=actor,
            clock=clock,
        )
        add_history(
            session,
            doc,
            entry_type=HistoryType.CANCELLED,
            entry_date=day,
            amount=entry["amount"],
            clock=clock,
            note=reason,
            cancels=entry["id"],
            cancellation_of_payment=entry["entry_type"] == HistoryType.PAYED,
            paying_account=entry["paying_account"],
            journal_id=journal,
        )
        if entry.get("receipt_no"):
            cancel_payment_receipt(
                session, books, entry, journal_id=journal, actor=actor, clock=clock
            )
        mark_history_cancelled(session, doc, entry)
        save_payment_state(session, doc, day=None, clock=clock)
        _record(session, actor, doc, "document.payment_cancelled", clock)
        return doc


def _record(session: Any, actor: Actor, doc: Doc, topic: str, clock: Clock) -> None:
    last = doc.history[-1]
    record_change(
        session,
        actor=actor,
        tenant_id=doc.row["tenant_id"],
        action=AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=last["id"],
        before=None,
        after={
            "document": doc.row["number"],
            "type": last["entry_type"],
            "amount": last["amount"],
            "remaining": doc.row["remaining"],
        },
        clock=clock,
    )
    enqueue(
        session,
        tenant_id=doc.row["tenant_id"],
        topic=topic,
        clock=clock,
        payload={
            "id": str(doc.id),
            "type": doc.doc_type.value,
            "number": doc.row["number"],
            "remaining": str(doc.row["remaining"]),
            "paid": doc.row["remaining"] <= 0 and doc.row["state"] != State.CANCELLED,
        },
    )
