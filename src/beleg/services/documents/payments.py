"""Payments on sales invoices and credit memos (seed 003 §3.4 "Payments", §4.9.1/9, §4.10.1/9).

A payment names exactly one of ``payingAccount`` (a means-of-payment account, type U) or
``cashRegister`` (which also issues a signed cash receipt through a ``CashPoint``); it is
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
from typing import Any, Protocol

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.outbox import enqueue
from beleg.domain.accounting.currency import payment_rate
from beleg.domain.amounts import check_amount
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.model import REST_TYPES, HistoryType, State
from beleg.domain.documents.settlement import check_payment
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType
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

ENTITY = "SalesDocumentPayment"


@dataclass(frozen=True, slots=True)
class CashPayment:
    """A document payment as a cash register sees it: the register issues the receipt."""

    document_id: uuid.UUID
    doc_type: DocumentType
    number: str
    doc_date: date
    customer_id: uuid.UUID | None
    customer_name: str
    account: str  # the unpaid (receivables) account the receipt's line names
    amount: Decimal  # signed: a credit memo paid out is negative
    day: date
    journal_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class CashReceiptRef:
    register_no: int
    number: str
    qr_code: str | None


class CashPoint(Protocol):
    """Payments through a cash register (seed 003 InvoicePaymentDto ``cashRegister``), provided
    by the pos context and passed in by the caller, so documents need not know registers."""

    def cash_account(
        self, session: Session, *, tenant_id: uuid.UUID, register_no: int, clock: Clock
    ) -> str:
        """The cash account of a register that takes payments (locked for the transaction)."""

    def issue_receipt(
        self,
        session: Session,
        *,
        books: TenantBooks,
        register_no: int,
        payment: CashPayment,
        actor: Actor,
        clock: Clock,
    ) -> CashReceiptRef:
        """The signed receipt of ``payment``."""

    def cancel_receipt(
        self,
        session: Session,
        *,
        books: TenantBooks,
        register_no: int,
        receipt_no: str,
        journal_id: uuid.UUID | None,
        actor: Actor,
        clock: Clock,
    ) -> None:
        """Cancel the receipt of a payment whose journal the caller reversed."""


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
    cash_point: CashPoint,
    clock: Clock,
) -> list[dict[str, Any]]:
    """Register a payment (and the write-off of the rest); returns the new history entries.
    A payment through a register books on its cash account and gets a receipt from
    ``cash_point``."""
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
        register = payment.cash_register
        if register is not None:
            account = cash_point.cash_account(
                session, tenant_id=tenant_id, register_no=register, clock=clock
            )
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
                cash_point.issue_receipt(
                    session,
                    books=books,
                    register_no=register,
                    payment=_cash_payment(books, doc, amount=amount, day=day, journal=journal),
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


def _receipt_fields(receipt: CashReceiptRef) -> dict[str, Any]:
    return {
        "cash_register_no": receipt.register_no,
        "receipt_no": receipt.number,
        "receipt_qr": receipt.qr_code,
    }


def _cash_payment(
    books: TenantBooks, doc: Doc, *, amount: Decimal, day: date, journal: uuid.UUID | None
) -> CashPayment:
    row = doc.row
    return CashPayment(
        document_id=doc.id,
        doc_type=doc.doc_type,
        number=row["number"],
        doc_date=row["doc_date"],
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        account=row["unpaid_account"] or books.chart.receivables,
        amount=amount * row["sign"],
        day=day,
        journal_id=journal,
    )


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
    books: TenantBooks, doc: Doc, payment: PaymentInput
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
    cash_point: CashPoint,
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
            cash_point.cancel_receipt(
                session,
                books=books,
                register_no=entry["cash_register_no"],
                receipt_no=entry["receipt_no"],
                journal_id=journal,
                actor=actor,
                clock=clock,
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
