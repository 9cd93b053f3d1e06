"""Payments on sales invoices and credit memos (seed 003 §3.4 "Payments", §4.9.1/9, §4.10.1/9).

A payment names exactly one of ``payingAccount`` (a means-of-payment account, type U) or
``cashRegister`` (which also issues a signed cash receipt through a ``CashPoint``); it is
booked by the tenant's mode (``services.documents.bookings``) and recorded as a PAYED history
entry.
``restType`` writes off what remains after it as a second entry. Credit memos are paid out
whole (their payment has no amount). Cancelling an entry reverses its journal and adds a
CANCELLED entry; ``cancellationOfPayment`` tells whether money moved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.database import Database
from beleg.db.documents import store
from beleg.db.ledger import load_books
from beleg.domain.accounting.currency import payment_rate
from beleg.domain.documents.model import HistoryType
from beleg.domain.documents.records import (
    HistoryEntry,
    SalesDocument,
    cancellable_entry,
    payment_amount,
    require_payable,
)
from beleg.domain.documents.settlement import parse_rest_type
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.bookings import book_payment, book_write_off, reverse
from beleg.services.documents.cash_point import CashPayment, CashPoint
from beleg.services.documents.history import (
    add_entry,
    cancel_entry,
    record_payment_change,
    save_payment_state,
)


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
) -> list[HistoryEntry]:
    """Register a payment (and the write-off of the rest); returns the new history entries.
    A payment through a register books on its cash account and gets a receipt from
    ``cash_point``."""
    with db.transaction() as session:
        return record_payment(
            session,
            actor=actor,
            tenant_id=tenant_id,
            doc_type=doc_type,
            number=number,
            payment=payment,
            cash_point=cash_point,
            clock=clock,
        )


def record_payment(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    payment: PaymentInput,
    cash_point: CashPoint,
    clock: Clock,
) -> list[HistoryEntry]:
    """``add_payment`` in the caller's transaction (bank reconciliation pays several
    documents with one line, all or nothing)."""
    books = load_books(session, tenant_id)
    doc = require_payable(store.load_document(session, tenant_id, doc_type, number))
    day, paying, rate, rest = _checked(books, doc, payment)
    remaining = doc.remaining
    amount = payment_amount(doc, payment.amount, on_account=rest is HistoryType.ONACCOUNT)
    account = _account(session, books, payment, paying, cash_point=cash_point, clock=clock)
    first = len(doc.history)
    paid = _Paid(account, amount, day, rate, payment.note)
    doc = _paid(session, books, doc, payment, paid, actor=actor, cash_point=cash_point, clock=clock)
    if rest is not None and remaining - amount != 0:
        doc = _written_off(
            session, books, doc, rest, paid, amount=remaining - amount, actor=actor, clock=clock
        )
    doc = save_payment_state(session, tenant_id=tenant_id, doc=doc, day=day, clock=clock)
    record_payment_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        doc=doc,
        topic="document.payment_added",
        clock=clock,
    )
    return list(doc.history[first:])


def _account(
    session: Session,
    books: TenantBooks,
    payment: PaymentInput,
    paying: str | None,
    *,
    cash_point: CashPoint,
    clock: Clock,
) -> str:
    """The account paid to: ``paying`` (checked), or the cash account of the register."""
    if payment.cash_register is not None:
        return cash_point.cash_account(
            session, tenant_id=books.tenant_id, register_no=payment.cash_register, clock=clock
        )
    if paying is None:  # not reached: _checked requires payingAccount without cashRegister
        raise ValidationFailed("documents.payment_account_or_register", field="payingAccount")
    return paying


@dataclass(frozen=True, slots=True)
class _Paid:
    """A checked payment: the account it is paid to, its amount, date and rate."""

    account: str
    amount: Decimal
    day: date
    rate: Decimal
    note: str | None


def _paid(
    session: Session,
    books: TenantBooks,
    doc: SalesDocument,
    payment: PaymentInput,
    paid: _Paid,
    *,
    actor: Actor,
    cash_point: CashPoint,
    clock: Clock,
) -> SalesDocument:
    """``doc`` with the booked PAYED entry (and the receipt of a payment through a register)."""
    journal = book_payment(
        session,
        books=books,
        doc=doc,
        amount=paid.amount,
        account=paid.account,
        day=paid.day,
        rate=paid.rate,
        actor=actor,
        clock=clock,
    )
    receipt = None
    if payment.cash_register is not None:
        receipt = cash_point.issue_receipt(
            session,
            books=books,
            register_no=payment.cash_register,
            payment=_cash_payment(books, doc, paid, journal=journal),
            actor=actor,
            clock=clock,
        )
    return add_entry(
        session,
        tenant_id=books.tenant_id,
        doc=doc,
        entry_type=HistoryType.PAYED,
        entry_date=paid.day,
        amount=paid.amount,
        clock=clock,
        note=paid.note,
        paying_account=paid.account,
        journal_id=journal,
        cash_register_no=receipt.register_no if receipt else None,
        receipt_no=receipt.number if receipt else None,
        receipt_qr=receipt.qr_code if receipt else None,
    )


def _written_off(
    session: Session,
    books: TenantBooks,
    doc: SalesDocument,
    rest: HistoryType,
    paid: _Paid,
    *,
    amount: Decimal,
    actor: Actor,
    clock: Clock,
) -> SalesDocument:
    """``doc`` with the write-off of the rest ``amount`` (booked in DE where it moves income)."""
    journal = book_write_off(
        session,
        books=books,
        doc=doc,
        rest_type=rest,
        remaining=amount,
        day=paid.day,
        actor=actor,
        clock=clock,
    )
    return add_entry(
        session,
        tenant_id=books.tenant_id,
        doc=doc,
        entry_type=rest,
        entry_date=paid.day,
        amount=amount,
        clock=clock,
        note=paid.note,
        journal_id=journal,
    )


def _cash_payment(
    books: TenantBooks, doc: SalesDocument, paid: _Paid, *, journal: uuid.UUID | None
) -> CashPayment:
    return CashPayment(
        document_id=doc.id,
        doc_type=doc.doc_type,
        number=doc.number or "",
        doc_date=doc.doc_date,
        customer_id=doc.customer_id,
        customer_name=doc.customer_name or "",
        account=doc.unpaid_account or books.chart.receivables,
        amount=paid.amount * doc.sign,
        day=paid.day,
        journal_id=journal,
    )


def _checked(
    books: TenantBooks, doc: SalesDocument, payment: PaymentInput
) -> tuple[date, str | None, Decimal, HistoryType | None]:
    """Date, payment account (None for a cash register: the register's), rate, rest type."""
    if payment.day is None:
        raise ValidationFailed("documents.required", field="date", name="date")
    if (payment.paying_account is None) == (payment.cash_register is None):
        raise ValidationFailed("documents.payment_account_or_register", field="payingAccount")
    account = (
        None
        if payment.cash_register is not None
        else books.payment_account(payment.paying_account, "payingAccount")
    )
    rate = payment_rate(payment.currency_rate, doc.currency_rate)
    return payment.day, account, rate, parse_rest_type(payment.rest_type)


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
) -> SalesDocument:
    """Cancel a payment or write-off entry (seed 003 §4.9.1, PaymentCancellationDto)."""
    if day is None or not (reason or "").strip():
        name = "cancelDate" if day is None else "cancelReason"
        raise ValidationFailed("documents.required", field=name, name=name)
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        doc = require_payable(store.load_document(session, tenant_id, doc_type, number))
        entry = cancellable_entry(doc, entry_id)
        doc = _cancellation(
            session,
            books,
            doc,
            entry,
            day=day,
            reason=reason,
            cash_point=cash_point,
            actor=actor,
            clock=clock,
        )
        doc = cancel_entry(session, tenant_id=tenant_id, doc=doc, entry_id=entry.id)
        doc = save_payment_state(session, tenant_id=tenant_id, doc=doc, day=None, clock=clock)
        record_payment_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            doc=doc,
            topic="document.payment_cancelled",
            clock=clock,
        )
        return doc


def _cancellation(
    session: Session,
    books: TenantBooks,
    doc: SalesDocument,
    entry: HistoryEntry,
    *,
    day: date,
    reason: str | None,
    cash_point: CashPoint,
    actor: Actor,
    clock: Clock,
) -> SalesDocument:
    """``doc`` with the CANCELLED entry of ``entry`` (whether money moved: its type), its
    journal reversed and, for a cash payment, its receipt cancelled."""
    journal = reverse(
        session,
        books=books,
        journal_id=entry.journal_id,
        day=day,
        reason=reason or "",
        actor=actor,
        clock=clock,
    )
    doc = add_entry(
        session,
        tenant_id=books.tenant_id,
        doc=doc,
        entry_type=HistoryType.CANCELLED,
        entry_date=day,
        amount=entry.amount,
        clock=clock,
        note=reason,
        cancels=entry.id,
        cancellation_of_payment=entry.entry_type is HistoryType.PAYED,
        paying_account=entry.paying_account,
        journal_id=journal,
    )
    if entry.receipt_no and entry.cash_register_no is not None:
        cash_point.cancel_receipt(
            session,
            books=books,
            register_no=entry.cash_register_no,
            receipt_no=entry.receipt_no,
            journal_id=journal,
            actor=actor,
            clock=clock,
        )
    return doc
