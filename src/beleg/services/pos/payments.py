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
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.domain.pos.registers import (
    MAX_REGISTER,
    TEST_REGISTER,
    ReceiptType,
    check_receipt_time,
)
from beleg.services.accounting.context import Books
from beleg.services.documents.store import Doc
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


def issue_payment_receipt(
    session: Session,
    books: Books,
    reg: Register,
    doc: Doc,
    *,
    amount: Decimal,
    day: date,
    journal_id: uuid.UUID | None,
    actor: Actor,
    clock: Clock,
) -> dict[str, Any]:
    """The receipt of a cash payment of ``amount`` on ``doc``; returns the stored row."""
    requested = None if day == reg.now.date() else datetime.combine(day, reg.now.time())
    at = check_receipt_time(
        requested,
        now=reg.now,
        last_receipt=reg.row["last_receipt_at"],
        allow_past=reg.row["allow_past_income"],
    )
    total = amount * doc.row["sign"]
    number = doc.row["number"]
    line = stored(
        {
            "id": 1,
            "itemName": f"Zahlung {WHAT[doc.doc_type]} {number}",
            "itemPrice": total,
            "itemPriceType": "T",
            "netPrice": total,
            "taxPrice": ZERO,
            "totalPrice": total,
            "amount": Decimal(1),
            "account": doc.row["unpaid_account"] or books.chart.receivables,
            "taxClassEntry": "000",
            "taxRate": Decimal(0),
        }
    )
    party = {
        k: v
        for k, v in {
            "customer": str(doc.row["customer_id"]) if doc.row["customer_id"] else None,
            "customerName": doc.row["customer_name"],
            "referenceText": number,
            "referenceDate": doc.row["doc_date"].isoformat(),
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
        journal_id=journal_id,
        document_id=doc.id,
    )
    row = append_receipt(session, reg, receipt, number=receipt_no, sequence=sequence, clock=clock)
    record(session, actor, reg, number=receipt_no, receipt=receipt, clock=clock)
    return row


def cancel_payment_receipt(
    session: Session,
    books: Books,
    entry: dict[str, Any],
    *,
    journal_id: uuid.UUID | None,
    actor: Actor,
    clock: Clock,
) -> None:
    """Cancel the receipt of a cash payment whose journal the caller has reversed."""
    reg = payment_register(session, books.tenant_id, entry["cash_register_no"], clock)
    original = find_receipt(session, reg, entry["receipt_no"])
    cancel_in(session, books, reg, original, actor=actor, clock=clock, journal_id=journal_id)
