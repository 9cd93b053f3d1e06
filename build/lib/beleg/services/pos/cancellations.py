"""Cancelling a receipt (seed 003 §4.19.15): a new receipt with every amount negated
(``originalReceipt`` ↔ ``cancelReceipt``), signed with ``STO`` in place of the turnover
counter; it reverses the original journal. A receipt that paid an invoice is cancelled by
cancelling that payment (``services/pos/payments.py``), whose own reversal it then carries.
"""

from __future__ import annotations

import uuid
from datetime import date

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.pos import receipts as receipts_db
from beleg.domain.errors import Conflict
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.pos.receipts import Receipt, cancellation
from beleg.domain.pos.registers import check_cancellable
from beleg.messages import text
from beleg.services.documents.bookings import reverse
from beleg.services.pos.chain import LockedRegister, append_receipt, next_number
from beleg.services.pos.closings import prepare_day
from beleg.services.pos.receipts import RECEIPT_LANGUAGE, open_register, record_receipt


def cancel_receipt(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, register_no: int, number: str, clock: Clock
) -> Receipt:
    """Seed §4.19.15: the cancellation receipt of receipt ``number``."""
    with db.transaction() as session:
        register = open_register(session, tenant_id=tenant_id, number=register_no, clock=clock)
        original = receipts_db.receipt_by_number(
            session, tenant_id=tenant_id, register_no=register_no, number=number
        )
        if original.document_id is not None:
            raise Conflict("pos.receipt_paid_document", field="receipt")
        books = load_books(session, tenant_id)
        return append_cancellation(
            session, books=books, register=register, original=original, actor=actor, clock=clock
        )


def append_cancellation(
    session: Session,
    *,
    books: TenantBooks,
    register: LockedRegister,
    original: Receipt,
    actor: Actor,
    clock: Clock,
    journal_id: uuid.UUID | None = None,
) -> Receipt:
    """Cancel ``original`` in the caller's transaction. ``journal_id`` is a reversal the
    caller already posted (an invoice payment); otherwise the original journal is reversed."""
    check_cancellable(
        original.receipt_type, cancelled_by=original.cancelled_by, cancels=original.cancels
    )
    at = register.next_time
    prepare_day(session, register=register, at=at, clock=clock)
    number, sequence = next_number(
        session, register=register, receipt_type=original.receipt_type, year=at.year
    )
    if journal_id is None:
        journal_id = _reverse(session, books, original, day=at.date(), actor=actor, clock=clock)
    stored = append_receipt(
        session,
        register=register,
        receipt=cancellation(original, at=at, journal_id=journal_id),
        number=number,
        sequence=sequence,
        clock=clock,
    )
    receipts_db.set_cancelled_by(
        session,
        tenant_id=register.tenant_id,
        register_no=register.number,
        number=original.number,
        cancelled_by=number,
    )
    record_receipt(session, actor=actor, register=register, receipt=stored, clock=clock)
    return stored


def _reverse(
    session: Session,
    books: TenantBooks,
    original: Receipt,
    *,
    day: date,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID | None:
    """The reversal of the original's journal (none for a training receipt, which has none)."""
    return reverse(
        session,
        books=books,
        journal_id=original.journal_id,
        day=day,
        reason=text("pos.cancellation_journal_text", RECEIPT_LANGUAGE, number=original.number),
        actor=actor,
        clock=clock,
    )
