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
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType
from beleg.domain.pos.registers import (
    MAX_REGISTER,
    TEST_REGISTER,
    ReceiptType,
    check_receipt_time,
)
from beleg.services.documents.payments import CashPayment, CashReceiptRef
from beleg.services.pos.chain import NewReceipt, Register, append_receipt, next_number
from beleg.services.pos.closings import prepare_day
from beleg.services.pos.receipt_lines import stored
from beleg.services.pos.receipts import cancel_in, find_receipt, open_register, record

ZERO = Decimal("0.00")
WHAT = {DocumentType.INVOICE: "Rechnung", DocumentType.CREDIT_MEMO: "Gutschrift"}


def payment_register(session: Session, tenant_id: uuid.UUID, number: int, clock: Clock) -> Register:
    """The locked register a payment goes through: not the test register, taking receipts."""
    if number == TEST_REGISTER:
        raise ValidationFailed(
            "cashRegister 0 is the test register and takes no payments",
            de="Die Testkassa (0) nimmt keine Zahlungen an",
            field="cashRegister",
        )
    if not 0 < number <= MAX_REGISTER:
        raise NotFound(
            f"cashRegister {number} does not exist",
            de=f"Kassa {number} nicht gefunden.",
            field="cashRegister",
        )
    return open_register(session, tenant_id, number, clock, field="cashRegister")


class RegisterCashPoint:
    """The cash point of sales-document payments: the tenant's cash registers."""

    def cash_account(
        self, session: Session, *, tenant_id: uuid.UUID, register_no: int, clock: Clock
    ) -> str:
        account: str = payment_register(session, tenant_id, register_no, clock).row["cash_account"]
        return account

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
        reg = payment_register(session, books.tenant_id, register_no, clock)
        row = _issue(session, reg, payment, actor=actor, clock=clock)
        return CashReceiptRef(row["register_no"], row["number"], row["qr_code"])

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
        reg = payment_register(session, books.tenant_id, register_no, clock)
        original = find_receipt(session, reg, receipt_no)
        cancel_in(session, books, reg, original, actor=actor, clock=clock, journal_id=journal_id)


CASH_POINT = RegisterCashPoint()


def _issue(
    session: Session, reg: Register, payment: CashPayment, *, actor: Actor, clock: Clock
) -> dict[str, Any]:
    """Store and sign the INCOME receipt of ``payment``; returns the stored row."""
    day = payment.day
    requested = None if day == reg.now.date() else datetime.combine(day, reg.now.time())
    at = check_receipt_time(
        requested,
        now=reg.now,
        last_receipt=reg.row["last_receipt_at"],
        allow_past=reg.row["allow_past_income"],
    )
    total = payment.amount
    number = payment.number
    line = stored(
        {
            "id": 1,
            "itemName": f"Zahlung {WHAT[payment.doc_type]} {number}",
            "itemPrice": total,
            "itemPriceType": "T",
            "netPrice": total,
            "taxPrice": ZERO,
            "totalPrice": total,
            "amount": Decimal(1),
            "account": payment.account,
            "taxClassEntry": "000",
            "taxRate": Decimal(0),
        }
    )
    party = {
        k: v
        for k, v in {
            "customer": str(payment.customer_id) if payment.customer_id else None,
            "customerName": payment.customer_name,
            "referenceText": number,
            "referenceDate": payment.doc_date.isoformat(),
        }.items()
        if v
    }
    prepare_day(session, reg, at, clock)
    receipt_no, sequence = next_number(session, reg, ReceiptType.INCOME, at.year)
    receipt = NewReceipt(
        ReceiptType.INCOME,
        at,
        at.date(),
        total,
        total,
        (ZERO, ZERO, ZERO, total, ZERO),
        (line,),
        party,
        journal_id=payment.journal_id,
        document_id=payment.document_id,
    )
    row = append_receipt(session, reg, receipt, number=receipt_no, sequence=sequence, clock=clock)
    record(session, actor, reg, number=receipt_no, receipt=receipt, clock=clock)
    return row
