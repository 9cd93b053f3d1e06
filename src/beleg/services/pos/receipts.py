"""Receipts of a cash register (seed 003 §3.6, §4.19.14).

- INCOME: lines like sales-document lines (item defaulting, N/T prices, discounts); every line
  needs ``totalPrice``, which must equal the computed total, and ``totalAmount`` the sum of the
  lines. It is signed (RKSV) and booked at once against the register's cash account, in both
  accounting modes (a cash sale is paid when it is made): income and output VAT per line.
- REBOOK: cash in from ``fromAccount`` or out to ``toAccount`` (U accounts), unsigned, one
  synthetic ``Bargeld-Einlage``/``Bargeld-Entnahme`` line, booked as a rebook (U journal).
The test register (0) signs training receipts and books nothing. Cancelling a receipt is
``services/pos/cancellations.py``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.outbox import enqueue
from beleg.domain.accounting import rules_de
from beleg.domain.amounts import check_amount
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.parties import Party
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.domain.pos.receipts import (
    NewReceipt,
    Receipt,
    ReceiptParty,
    income_side,
    untaxed_line,
)
from beleg.domain.pos.registers import (
    ReceiptType,
    RegisterState,
    parse_receipt_type,
)
from beleg.messages import text
from beleg.money import round_to_currency
from beleg.services.documents.lines import DocLineInput
from beleg.services.documents.parties import resolve_party
from beleg.services.ledger.posting import post_journals
from beleg.services.pos.chain import (
    LockedRegister,
    append_receipt,
    lock_register,
    next_number,
)
from beleg.services.pos.closings import prepare_day
from beleg.services.pos.receipt_lines import income_lines

ENTITY = "CashReceipt"
RECEIPT_LANGUAGE = "de"  # receipts are Austrian documents (RKSV): their texts are German


@dataclass(frozen=True, slots=True)
class ReceiptInput:
    """Seed 003 ReceiptDto as a client sends it."""

    receipt_type: str | None
    total_amount: Decimal | None
    lines: list[DocLineInput] = field(default_factory=list)
    date_time: datetime | None = None
    customer: str | None = None
    customer_name: str | None = None
    customer_mail: str | None = None
    additional_address: str | None = None
    address_info: dict[str, Any] | None = None  # the address override, as given (JSON)
    reference_date: date | None = None
    reference_text: str | None = None
    text_after_lines: str | None = None
    from_account: str | None = None
    to_account: str | None = None
    description: str | None = None


def create_receipt(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    register_no: int,
    data: ReceiptInput,
    clock: Clock,
) -> Receipt:
    """Register, sign and book an INCOME or REBOOK receipt."""
    with db.transaction() as session:
        return write_receipt(
            session,
            actor=actor,
            tenant_id=tenant_id,
            register_no=register_no,
            data=data,
            clock=clock,
        )


def write_receipt(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    register_no: int,
    data: ReceiptInput,
    clock: Clock,
) -> Receipt:
    """``create_receipt`` in the caller's transaction (a receipt mailed with it, say)."""
    receipt_type = parse_receipt_type(data.receipt_type)
    if data.total_amount is None:
        raise ValidationFailed("pos.required", field="totalAmount", name="totalAmount")
    total = check_amount(data.total_amount, "totalAmount", 2)
    register = open_register(session, tenant_id=tenant_id, number=register_no, clock=clock)
    books = load_books(session, tenant_id)
    at = register.receipt_time(data.date_time)
    receipt = (
        _income(session, books, data, total, at)
        if receipt_type is ReceiptType.INCOME
        else _rebook(books, data, total, at)
    )
    prepare_day(session, register=register, at=at, clock=clock)
    number, sequence = next_number(
        session, register=register, receipt_type=receipt_type, year=at.year
    )
    journal_id = _book(session, books, register, receipt, number, actor=actor, clock=clock)
    stored = append_receipt(
        session,
        register=register,
        receipt=replace(receipt, journal_id=journal_id),
        number=number,
        sequence=sequence,
        clock=clock,
    )
    record_receipt(session, actor=actor, register=register, receipt=stored, clock=clock)
    return stored


def open_register(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    number: int,
    clock: Clock,
    field: str = "cash_register",
) -> LockedRegister:
    """Lock a register that takes receipts (ACTIVE or TEST), in the caller's transaction."""
    register = lock_register(session, tenant_id=tenant_id, number=number, clock=clock, field=field)
    if not register.state.takes_receipts:
        raise Conflict(
            "pos.register_takes_no_receipts",
            field=field,
            number=number,
            state=register.state.value,
        )
    return register


def _income(
    session: Session, books: TenantBooks, data: ReceiptInput, total: Decimal, at: datetime
) -> NewReceipt:
    if data.from_account or data.to_account or data.description:
        name = (
            "fromAccount"
            if data.from_account
            else ("toAccount" if data.to_account else "description")
        )
        raise ValidationFailed("pos.rebook_only", field=name, name=name)
    lines, buckets = income_lines(session, books=books, given=data.lines, total=total)
    party = resolve_party(
        session,
        tenant_id=books.tenant_id,
        customer=data.customer,
        customer_name=data.customer_name,
        additional_address=data.additional_address,
        address_info=data.address_info,
    )
    return NewReceipt(ReceiptType.INCOME, at, at.date(), total, buckets, lines, _party(data, party))


def _party(data: ReceiptInput, party: Party) -> ReceiptParty:
    return ReceiptParty(
        customer=party.customer_id,
        customer_name=party.name,
        customer_mail=data.customer_mail,
        additional_address=party.additional_address,
        reference_date=data.reference_date,
        reference_text=data.reference_text,
        text_after_lines=data.text_after_lines,
        address_info=party.address_info,
    )


def _rebook(books: TenantBooks, data: ReceiptInput, total: Decimal, at: datetime) -> NewReceipt:
    if data.lines:
        raise ValidationFailed("pos.rebook_without_lines", field="lines")
    if (data.from_account is None) == (data.to_account is None):
        raise ValidationFailed("pos.rebook_one_account", field="fromAccount")
    if total <= 0:
        raise ValidationFailed("pos.rebook_amount_positive", field="totalAmount")
    cash_in = data.from_account is not None
    total = round_to_currency(total, books.main)  # exact: at most 2 places were accepted
    name = "fromAccount" if cash_in else "toAccount"
    account = books.payment_account(data.from_account or data.to_account, name)
    line = untaxed_line(
        text("pos.cash_in_line", RECEIPT_LANGUAGE)
        if cash_in
        else text("pos.cash_out_line", RECEIPT_LANGUAGE),
        account=account,
        total=total,
    )
    return NewReceipt(
        ReceiptType.REBOOK,
        at,
        at.date(),
        total,
        lines=(line,),
        from_account=account if cash_in else None,
        to_account=None if cash_in else account,
        description=data.description,
    )


def _book(
    session: Session,
    books: TenantBooks,
    register: LockedRegister,
    receipt: NewReceipt,
    number: str,
    *,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID | None:
    """The receipt's journal: none for training receipts (test register)."""
    if register.state is RegisterState.TEST:
        return None
    cash, day = register.register.cash_account, receipt.date_time.date()
    description = text("pos.receipt_journal_text", RECEIPT_LANGUAGE, number=number)
    if receipt.receipt_type is ReceiptType.INCOME:
        draft = rules_de.initial(
            income_side(receipt.lines, books.chart, books.main),
            counter_account=cash,
            booking_date=day,
            rate=Decimal(1),
            description=description,
        ).draft
    else:
        postings = (Posting(cash, receipt.cash), Posting(_other_account(receipt), -receipt.cash))
        draft = JournalDraft(
            JournalType.REBOOK,
            day,
            books.main,
            postings,
            Decimal(1),
            receipt.description or description,
        )
    return post_journals(
        session, actor=actor, tenant_id=books.tenant_id, drafts=[draft], clock=clock
    )[0].id


def _other_account(receipt: NewReceipt) -> str:
    """The U account a cash rebook moves cash from or to."""
    account = receipt.from_account or receipt.to_account
    if account is None:
        raise ValueError("a cash rebook names fromAccount or toAccount")
    return account


def record_receipt(
    session: Session, *, actor: Actor, register: LockedRegister, receipt: Receipt, clock: Clock
) -> None:
    """The audit entry and the ``cash_receipt.created`` event of a receipt a user (or a
    payment) made, in the caller's transaction."""
    record_change(
        session,
        actor=actor,
        tenant_id=register.tenant_id,
        action=AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=f"{register.number}/{receipt.number}",
        before=None,
        after={
            "type": receipt.receipt_type.value,
            "total": receipt.total,
            "dateTime": receipt.date_time.isoformat(),
            "cancels": receipt.cancels,
        },
        clock=clock,
    )
    enqueue(
        session,
        tenant_id=register.tenant_id,
        topic="cash_receipt.created",
        clock=clock,
        payload={
            "register": register.number,
            "number": receipt.number,
            "type": receipt.receipt_type.value,
            "total": str(receipt.total),
        },
    )
