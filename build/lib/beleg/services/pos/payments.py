"""Invoice and credit-memo payments through a cash register (seed 003 InvoicePaymentDto
``cashRegister``; §7 item 23).

The payment books like any other (``document_bookings``) with the register's cash account as
the payment account; the register then issues a signed INCOME receipt with one line on the
document's receivables account (tax class entry 000: the VAT was charged by the invoice, so
the amount counts in the RKSV 0 % bucket), ``referenceText`` = the document number. A credit
memo paid out in cash is a negative receipt and must be covered by the register's balance.
Cancelling the payment cancels the receipt (the payment's own reversal is the receipt's).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.pos import receipts as receipts_db
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType
from beleg.domain.pos.receipts import ZERO, NewReceipt, Receipt, ReceiptParty, untaxed_line
from beleg.domain.pos.registers import (
    MAX_REGISTER,
    TEST_REGISTER,
    ReceiptType,
)
from beleg.messages import text
from beleg.services.documents.cash_point import CashPayment, CashReceiptRef
from beleg.services.pos.cancellations import append_cancellation
from beleg.services.pos.chain import LockedRegister, append_receipt, next_number
from beleg.services.pos.closings import prepare_day
from beleg.services.pos.receipts import RECEIPT_LANGUAGE, open_register, record_receipt


def _payment_register(
    session: Session, tenant_id: uuid.UUID, number: int, clock: Clock
) -> LockedRegister:
    """The locked register a payment goes through: not the test register, taking receipts."""
    if number == TEST_REGISTER:
        raise ValidationFailed("pos.test_register_no_payments", field="cashRegister")
    if not 0 < number <= MAX_REGISTER:
        raise NotFound("pos.payment_register_not_found", field="cashRegister", number=number)
    return open_register(
        session, tenant_id=tenant_id, number=number, clock=clock, field="cashRegister"
    )


class RegisterCashPoint:
    """The cash point of sales-document payments: the tenant's cash registers. Every method
    is a step that runs in the caller's transaction and locks the register for it."""

    def cash_account(
        self, session: Session, *, tenant_id: uuid.UUID, register_no: int, clock: Clock
    ) -> str:
        """The cash account of a register that takes payments."""
        return _payment_register(session, tenant_id, register_no, clock).register.cash_account

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
        """The receipt of a cash payment: one line on the document's unpaid account."""
        register = _payment_register(session, books.tenant_id, register_no, clock)
        receipt = _issue(session, register, payment, actor=actor, clock=clock)
        return CashReceiptRef(receipt.register_no, receipt.number, receipt.qr_code)

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
        """Cancel the receipt of a payment with the payment's reversal ``journal_id``."""
        register = _payment_register(session, books.tenant_id, register_no, clock)
        original = receipts_db.receipt_by_number(
            session, tenant_id=books.tenant_id, register_no=register_no, number=receipt_no
        )
        append_cancellation(
            session,
            books=books,
            register=register,
            original=original,
            actor=actor,
            clock=clock,
            journal_id=journal_id,
        )


CASH_POINT = RegisterCashPoint()


def _issue(
    session: Session, register: LockedRegister, payment: CashPayment, *, actor: Actor, clock: Clock
) -> Receipt:
    """Store and sign the INCOME receipt of ``payment``."""
    now, day = register.now, payment.day
    at = register.receipt_time(None if day == now.date() else datetime.combine(day, now.time()))
    prepare_day(session, register=register, at=at, clock=clock)
    number, sequence = next_number(
        session, register=register, receipt_type=ReceiptType.INCOME, year=at.year
    )
    stored = append_receipt(
        session,
        register=register,
        receipt=_receipt(payment, at),
        number=number,
        sequence=sequence,
        clock=clock,
    )
    record_receipt(session, actor=actor, register=register, receipt=stored, clock=clock)
    return stored


def _receipt(payment: CashPayment, at: datetime) -> NewReceipt:
    """One line of ``payment.amount`` on the document's unpaid account, in the 0 % bucket."""
    total = payment.amount
    line = untaxed_line(
        _line_name(payment.doc_type, payment.number),
        account=payment.account,
        total=total,
        tax_rate=Decimal(0),
    )
    party = ReceiptParty(
        customer=payment.customer_id,
        customer_name=payment.customer_name,
        reference_text=payment.number,
        reference_date=payment.doc_date,
    )
    return NewReceipt(
        ReceiptType.INCOME,
        at,
        at.date(),
        total,
        (ZERO, ZERO, ZERO, total, ZERO),
        (line,),
        party,
        journal_id=payment.journal_id,
        document_id=payment.document_id,
    )


def _line_name(doc_type: DocumentType, number: str) -> str:
    """``Zahlung Rechnung R 2026 1`` / ``Zahlung Gutschrift G 2026 1``."""
    if doc_type is DocumentType.CREDIT_MEMO:
        return text("pos.credit_memo_payment_line", RECEIPT_LANGUAGE, number=number)
    return text("pos.invoice_payment_line", RECEIPT_LANGUAGE, number=number)
