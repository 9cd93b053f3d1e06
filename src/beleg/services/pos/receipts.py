"""Receipts of a cash register (seed 003 §3.6, §4.19.14-15).

- INCOME: lines like sales-document lines (item defaulting, N/T prices, discounts); every line
  needs ``totalPrice``, which must equal the computed total, and ``totalAmount`` the sum of the
  lines. It is signed (RKSV) and booked at once against the register's cash account, in both
  accounting modes (a cash sale is paid when it is made): income and output VAT per line.
- REBOOK: cash in from ``fromAccount`` or out to ``toAccount`` (U accounts), unsigned, one
  synthetic ``Bargeld-Einlage``/``Bargeld-Entnahme`` line, booked as a rebook (U journal).
- Cancelling creates a receipt with every amount negated (``originalReceipt`` ↔
  ``cancelReceipt``); it reverses the original journal. A receipt that paid an invoice is
  cancelled by cancelling that payment.
The test register (0) signs training receipts and books nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.outbox import enqueue
from beleg.db.tables import cash_receipts
from beleg.domain.accounting import rules_de
from beleg.domain.amounts import check_amount
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.domain.pos.registers import (
    ReceiptType,
    RegisterState,
    check_cancellable,
    check_receipt_time,
    parse_receipt_type,
)
from beleg.money import round_to_currency
from beleg.services.documents.bookings import reverse
from beleg.services.documents.lines import DocLineInput
from beleg.services.documents.parties import resolve_party
from beleg.services.ledger.posting import post_journals
from beleg.services.pos.chain import (
    NewReceipt,
    Register,
    append_receipt,
    lock_register,
    next_number,
)
from beleg.services.pos.closings import prepare_day
from beleg.services.pos.receipt_lines import (
    buckets_of,
    income_lines,
    income_side,
    negated_lines,
    stored,
)

ENTITY = "CashReceipt"
CASH_IN, CASH_OUT = "Bargeld-Einlage", "Bargeld-Entnahme"


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
    address_info: dict[str, Any] | None = None
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
) -> str:
    """Register an INCOME or REBOOK receipt; returns its number."""
    receipt_type = parse_receipt_type(data.receipt_type)
    if data.total_amount is None:
        raise ValidationFailed(
            "totalAmount is required", de="totalAmount ist erforderlich", field="totalAmount"
        )
    total = check_amount(data.total_amount, "totalAmount", 2)
    with db.transaction() as session:
        reg = open_register(session, tenant_id, register_no, clock)
        books = load_books(session, tenant_id)
        at = check_receipt_time(
            data.date_time,
            now=reg.now,
            last_receipt=reg.row["last_receipt_at"],
            allow_past=reg.row["allow_past_income"],
        )
        receipt = (
            _income(session, books, data, total, at)
            if receipt_type is ReceiptType.INCOME
            else _rebook(books, data, total, at)
        )
        prepare_day(session, reg, at, clock)
        number, sequence = next_number(session, reg, receipt_type, at.year)
        receipt = replace(
            receipt,
            journal_id=_book(session, books, reg, receipt, number, actor=actor, clock=clock),
        )
        append_receipt(session, reg, receipt, number=number, sequence=sequence, clock=clock)
        record(session, actor, reg, number=number, receipt=receipt, clock=clock)
        return number


def open_register(
    session: Session,
    tenant_id: uuid.UUID,
    register_no: int,
    clock: Clock,
    *,
    field: str = "cash_register",
) -> Register:
    reg = lock_register(session, tenant_id, register_no, clock, field=field)
    if not reg.state.takes_receipts:
        raise Conflict(
            f"cash register {register_no} is {reg.state.value} and takes no receipts",
            de=f"Kassa {register_no} nimmt keine Belege an",
            field=field,
        )
    return reg


def _income(
    session: Session, books: TenantBooks, data: ReceiptInput, total: Decimal, at: datetime
) -> NewReceipt:
    if data.from_account or data.to_account or data.description:
        name = (
            "fromAccount"
            if data.from_account
            else ("toAccount" if data.to_account else "description")
        )
        raise ValidationFailed(
            f"{name} is only for REBOOK receipts",
            de=f"{name} gibt es nur bei REBOOK-Belegen",
            field=name,
        )
    lines, buckets = income_lines(session, books, data.lines, total)
    party = resolve_party(
        session,
        tenant_id=books.tenant_id,
        customer=data.customer,
        customer_name=data.customer_name,
        additional_address=data.additional_address,
        address_info=data.address_info,
    )
    return NewReceipt(
        ReceiptType.INCOME, at, at.date(), total, total, buckets, tuple(lines), _party(data, party)
    )


def _party(data: ReceiptInput, party: Any) -> dict[str, Any]:
    values = {
        "customer": str(party.customer_id) if party.customer_id else None,
        "customerName": party.name,
        "customerMail": data.customer_mail,
        "additionalAddress": str(party.additional_address) if party.additional_address else None,
        "referenceDate": data.reference_date.isoformat() if data.reference_date else None,
        "referenceText": data.reference_text,
        "textAfterLines": data.text_after_lines,
        "addressInfo": party.address_info,
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


def _rebook(books: TenantBooks, data: ReceiptInput, total: Decimal, at: datetime) -> NewReceipt:
    if data.lines:
        raise ValidationFailed(
            "a REBOOK receipt has no lines", field="lines", de="Ein REBOOK-Beleg hat keine Zeilen"
        )
    if (data.from_account is None) == (data.to_account is None):
        raise ValidationFailed(
            "exactly one of fromAccount and toAccount is required",
            de="Genau eines von fromAccount und toAccount ist erforderlich",
            field="fromAccount",
        )
    if total <= 0:
        raise ValidationFailed(
            "totalAmount must be more than 0",
            field="totalAmount",
            de="totalAmount muss größer 0 sein",
        )
    cash_in = data.from_account is not None
    total = round_to_currency(total, books.main)  # exact: at most 2 places were accepted
    name = "fromAccount" if cash_in else "toAccount"
    account = books.payment_account(data.from_account or data.to_account, name)
    line = {
        "id": 1,
        "itemName": CASH_IN if cash_in else CASH_OUT,
        "itemPrice": total,
        "itemPriceType": "T",
        "netPrice": total,
        "taxPrice": Decimal("0.00"),
        "totalPrice": total,
        "amount": Decimal(1),
        "account": account,
        "taxClassEntry": "000",
    }
    return NewReceipt(
        ReceiptType.REBOOK,
        at,
        at.date(),
        total,
        total if cash_in else -total,
        lines=(stored(line),),
        from_account=account if cash_in else None,
        to_account=None if cash_in else account,
        description=data.description,
    )


def _book(
    session: Session,
    books: TenantBooks,
    reg: Register,
    receipt: NewReceipt,
    number: str,
    *,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID | None:
    """The receipt's journal: none for training receipts (test register)."""
    if reg.state is RegisterState.TEST:
        return None
    cash, day, text = reg.row["cash_account"], receipt.date_time.date(), f"Kassenbeleg {number}"
    if receipt.receipt_type is ReceiptType.INCOME:
        draft = rules_de.initial(
            income_side(books, receipt.lines),
            counter_account=cash,
            booking_date=day,
            rate=Decimal(1),
            description=text,
        ).draft
    else:
        other = receipt.from_account or receipt.to_account
        postings = (Posting(cash, receipt.cash), Posting(other, -receipt.cash))  # type: ignore[arg-type]
        draft = JournalDraft(
            JournalType.REBOOK, day, books.main, postings, Decimal(1), receipt.description or text
        )
    return post_journals(
        session, actor=actor, tenant_id=books.tenant_id, drafts=[draft], clock=clock
    )[0].id


def cancel_receipt(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, register_no: int, number: str, clock: Clock
) -> str:
    """Seed §4.19.15: a cancellation receipt; returns its number."""
    with db.transaction() as session:
        reg = open_register(session, tenant_id, register_no, clock)
        original = find_receipt(session, reg, number)
        if original["document_id"] is not None:
            raise Conflict(
                "this receipt paid a document: cancel that payment instead",
                de="Dieser Beleg bezahlt eine Rechnung; bitte die Zahlung stornieren",
                field="receipt",
            )
        books = load_books(session, tenant_id)
        return cancel_in(session, books, reg, original, actor=actor, clock=clock)


def cancel_in(
    session: Session,
    books: TenantBooks,
    reg: Register,
    original: dict[str, Any],
    *,
    actor: Actor,
    clock: Clock,
    journal_id: uuid.UUID | None = None,
) -> str:
    """Cancel ``original`` in the caller's transaction. ``journal_id`` is a reversal the
    caller already posted (an invoice payment); otherwise the original journal is reversed."""
    receipt_type = ReceiptType(original["receipt_type"])
    check_cancellable(
        receipt_type, cancelled_by=original["cancelled_by"], cancels=original["cancels"]
    )
    at = reg.now if reg.row["last_receipt_at"] is None else max(reg.now, reg.row["last_receipt_at"])
    prepare_day(session, reg, at, clock)
    number, sequence = next_number(session, reg, receipt_type, at.year)
    if journal_id is None and original["journal_id"] is not None:
        journal_id = reverse(
            session,
            books=books,
            journal_id=original["journal_id"],
            day=at.date(),
            reason=f"Storno Kassenbeleg {original['number']}",
            actor=actor,
            clock=clock,
        )
    total = -original["total"]
    cash = (
        total
        if receipt_type is ReceiptType.INCOME
        else (total if original["from_account"] else -total)
    )
    receipt = NewReceipt(
        receipt_type,
        at,
        at.date(),
        total,
        cash,
        _negated_buckets(original),
        tuple(negated_lines(original["lines"])),
        original["party"],
        original["from_account"],
        original["to_account"],
        original["description"],
        cancels=original["number"],
        journal_id=journal_id,
        document_id=original["document_id"],
    )
    append_receipt(session, reg, receipt, number=number, sequence=sequence, clock=clock)
    session.execute(
        update(cash_receipts)
        .where(
            cash_receipts.c.tenant_id == reg.tenant_id,
            cash_receipts.c.register_no == reg.number,
            cash_receipts.c.number == original["number"],
        )
        .values(cancelled_by=number)
    )
    record(session, actor, reg, number=number, receipt=receipt, clock=clock)
    return number


def _negated_buckets(original: dict[str, Any]) -> tuple[Decimal, ...]:
    return tuple(-b for b in buckets_of(original["lines"]))


def find_receipt(session: Session, reg: Register, number: str) -> dict[str, Any]:
    row = session.execute(
        select(cash_receipts).where(
            cash_receipts.c.tenant_id == reg.tenant_id,
            cash_receipts.c.register_no == reg.number,
            cash_receipts.c.number == number,
        )
    ).one_or_none()
    if row is None:
        raise NotFound(
            f"receipt {number} does not exist in cash register {reg.number}",
            de="Beleg nicht gefunden.",
            field="receipt",
        )
    return dict(row._mapping)


def record(
    session: Session, actor: Actor, reg: Register, *, number: str, receipt: NewReceipt, clock: Clock
) -> None:
    record_change(
        session,
        actor=actor,
        tenant_id=reg.tenant_id,
        action=AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=f"{reg.number}/{number}",
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
        tenant_id=reg.tenant_id,
        topic="cash_receipt.created",
        clock=clock,
        payload={
            "register": reg.number,
            "number": number,
            "type": receipt.receipt_type.value,
            "total": str(receipt.total),
        },
    )
