"""The payment history of a sales document, the payment state derived from it (seed 003
PaymentHistoryDto; rules in ``domain.documents.records``) and the record of a change to it.
Steps that other use cases compose: each runs in the caller's transaction and stores what it
changes; those that change the document return it as it now is."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.documents import store
from beleg.db.outbox import enqueue
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.model import HistoryType, State
from beleg.domain.documents.records import (
    HistoryEntry,
    SalesDocument,
    with_entry,
    with_entry_cancelled,
    with_payment_state,
)
from beleg.domain.identity.principal import Actor

PAYMENT_ENTITY = "SalesDocumentPayment"


def add_entry(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    doc: SalesDocument,
    entry_type: HistoryType,
    entry_date: date,
    amount: Decimal,
    clock: Clock,
    is_payment: bool = True,
    note: str | None = None,
    paying_account: str | None = None,
    journal_id: uuid.UUID | None = None,
    counterpart_id: uuid.UUID | None = None,
    cancels: uuid.UUID | None = None,
    cancellation_of_payment: bool | None = None,
    line_no: int | None = None,
    cash_register_no: int | None = None,
    receipt_no: str | None = None,
    receipt_qr: str | None = None,
) -> SalesDocument:
    """Append a history entry to ``doc`` and store it (a cash payment names its register
    and its receipt's number and QR code)."""
    entry = HistoryEntry(
        id=uuid.uuid4(),
        position=len(doc.history) + 1,
        entry_type=entry_type,
        is_payment=is_payment,
        entry_date=entry_date,
        amount=amount,
        created_at=clock.now(),
        note=note,
        paying_account=paying_account,
        cancels=cancels,
        cancellation_of_payment=cancellation_of_payment,
        journal_id=journal_id,
        counterpart_id=counterpart_id,
        line_no=line_no,
        cash_register_no=cash_register_no,
        receipt_no=receipt_no,
        receipt_qr=receipt_qr,
    )
    store.insert_history(session, tenant_id, doc.id, entry)
    return with_entry(doc, entry)


def cancel_entry(
    session: Session, *, tenant_id: uuid.UUID, doc: SalesDocument, entry_id: uuid.UUID
) -> SalesDocument:
    """Mark the history entry ``entry_id`` of ``doc`` cancelled."""
    store.mark_entry_cancelled(session, tenant_id, entry_id)
    return with_entry_cancelled(doc, entry_id)


def save_payment_state(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    doc: SalesDocument,
    day: date | None,
    clock: Clock,
) -> SalesDocument:
    """Derive the remaining amounts (document and lines) from the standing history and store
    them with the paid date (``day``, once the remainder reaches 0)."""
    updated = with_payment_state(doc, day=day, now=clock.now())
    store.save_payment_state(session, tenant_id, doc, updated)
    return updated


def record_payment_change(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc: SalesDocument,
    topic: str,
    clock: Clock,
) -> None:
    """The audit entry of the last history entry of ``doc`` (a payment, write-off or its
    cancellation) and the outbox event ``topic`` announcing the document's payment state."""
    last = doc.history[-1]
    after = {
        "document": doc.number,
        "type": last.entry_type.value,
        "amount": last.amount,
        "remaining": doc.remaining,
    }
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE,
        entity_type=PAYMENT_ENTITY,
        entity_id=last.id,
        before=None,
        after=after,
        clock=clock,
    )
    payload = {
        "id": str(doc.id),
        "type": doc.doc_type.value,
        "number": doc.number,
        "remaining": str(doc.remaining),
        "paid": doc.remaining <= 0 and doc.state is not State.CANCELLED,
    }
    enqueue(session, tenant_id=tenant_id, topic=topic, clock=clock, payload=payload)
