"""Cancelling, completing and converting sales documents (seed 003 §3.4 "Cancel", "Complete";
conversion offer -> order confirmation -> delivery note -> invoice).

Cancel (FINALIZED or EXTERNAL only; invoices and credit memos without standing payments):
- CANCELLATION reverses the document's journal (DE) and sets it CANCELLED;
- CANCELLATION_CREDIT_MEMO (invoices) issues a credit memo with the invoice's lines instead;
- CANCELLATION_INVOICE (invoices) issues a negative cancellation invoice instead.
The new document books the reverse itself, so the invoice's journal stays; both documents
then settle each other (CREDIT_FOR_INVOICE / CANCELLATION_INVOICE_FOR_INVOICE entries).
Deposit invoices a cancelled invoice had settled become open for settlement again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from beleg import messages
from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.documents import deposits as deposits_db
from beleg.db.documents import store
from beleg.db.ledger import load_books
from beleg.db.outbox import enqueue
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.model import CancelType, HistoryType, LineType, State, TypeCode
from beleg.domain.documents.records import (
    SalesDocument,
    check_completion_state,
    completed,
    require_issued,
    snapshot,
)
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.bookings import reverse
from beleg.services.documents.copies import copied_lines, document_input, related_texts
from beleg.services.documents.create import Links, create_in
from beleg.services.documents.history import add_entry, save_payment_state
from beleg.services.documents.issue import ENTITY

CONVERSIONS = {
    DocumentType.OFFER: (DocumentType.ORDER_CONFIRMATION, DocumentType.INVOICE),
    DocumentType.ORDER_CONFIRMATION: (DocumentType.DELIVERY_NOTE, DocumentType.INVOICE),
    DocumentType.DELIVERY_NOTE: (DocumentType.INVOICE,),
}
REVERSAL_LANGUAGE = "de"  # the description of a reversal journal ("Storno R 2026 1")


@dataclass(frozen=True, slots=True)
class CancelInput:
    """Seed 003 BusinessDocumentCancelDto."""

    day: date
    cancel_type: str | None = None
    layout_setup: str | None = None
    sequence_group: str | None = None


def cancel_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    data: CancelInput,
    clock: Clock,
) -> tuple[SalesDocument, str | None]:
    """Cancel; returns the document and the number of the document created for it."""
    kind = _cancel_type(doc_type, data.cancel_type)
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        doc = store.load_document(session, tenant_id, doc_type, number)
        require_issued(doc)
        before = snapshot(doc)
        if doc.active_payments():
            raise Conflict("documents.has_payments", field="number")
        new_number = None
        if kind is CancelType.CANCELLATION:
            doc = _reversed(session, books, doc, day=data.day, actor=actor, clock=clock)
        else:
            doc, new_number = _counter_document(
                session, actor, tenant_id, doc, kind=kind, data=data, clock=clock
            )
        doc = replace(doc, state=State.CANCELLED, cancelled_date=data.day)
        store.save_cancellation(session, tenant_id, doc)
        doc = save_payment_state(session, tenant_id=tenant_id, doc=doc, day=None, clock=clock)
        deposits_db.release_deposits(session, tenant_id, doc.id)
        _changed(session, actor, tenant_id, before=before, doc=doc, clock=clock)
        payload = {
            "id": str(doc.id),
            "type": doc_type.value,
            "number": number,
            "newDocumentNumber": new_number,
        }
        enqueue(
            session, tenant_id=tenant_id, topic="document.cancelled", clock=clock, payload=payload
        )
        return doc, new_number


def _cancel_type(doc_type: DocumentType, value: str | None) -> CancelType:
    try:
        kind: CancelType | None = CancelType(value or CancelType.CANCELLATION.value)
    except ValueError:
        kind = None
    if kind is None or (
        kind is not CancelType.CANCELLATION and doc_type is not DocumentType.INVOICE
    ):
        allowed = (
            ", ".join(CancelType)
            if doc_type is DocumentType.INVOICE
            else CancelType.CANCELLATION.value
        )
        raise ValidationFailed("documents.cancel_type_invalid", field="cancelType", allowed=allowed)
    return kind


def _reversed(
    session: Session,
    books: TenantBooks,
    doc: SalesDocument,
    *,
    day: date,
    actor: Actor,
    clock: Clock,
) -> SalesDocument:
    """``doc`` with its journal reversed (DE) and the CANCELLED entry recording it."""
    reason = messages.text("documents.reversal_text", REVERSAL_LANGUAGE, number=doc.number)
    journal = reverse(
        session,
        books=books,
        journal_id=doc.journal_id,
        day=day,
        reason=reason,
        actor=actor,
        clock=clock,
    )
    if journal is None:
        return doc
    return add_entry(
        session,
        tenant_id=books.tenant_id,
        doc=doc,
        entry_type=HistoryType.CANCELLED,
        entry_date=day,
        amount=doc.total,
        clock=clock,
        is_payment=False,
        journal_id=journal,
        cancellation_of_payment=False,
    )


def _counter_document(
    session: Session,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc: SalesDocument,
    *,
    kind: CancelType,
    data: CancelInput,
    clock: Clock,
) -> tuple[SalesDocument, str | None]:
    """Issue the credit memo or negative invoice that cancels ``doc`` and settle both;
    returns ``doc`` settled and the new document's number."""
    credit = kind is CancelType.CANCELLATION_CREDIT_MEMO
    base = document_input(
        doc,
        target=DocumentType.CREDIT_MEMO if credit else DocumentType.INVOICE,
        day=data.day,
        lines=copied_lines(doc, LineType.CREDIT_MEMO if credit else None, counted_only=True),
    )
    counter = replace(
        base,
        state=State.FINALIZED.value,
        totals=(doc.net, doc.tax, doc.total),
        normalize=True,
        layout_setup=data.layout_setup,
        sequence_group=data.sequence_group,
        texts=related_texts(doc),
    )
    links = Links(
        sign=-1, related_id=doc.id, type_code=TypeCode.CREDIT_NOTE if credit else TypeCode.INVOICE
    )
    new = create_in(
        session, actor=actor, tenant_id=tenant_id, clock=clock, data=counter, links=links
    )
    entry = (
        HistoryType.CREDIT_FOR_INVOICE if credit else HistoryType.CANCELLATION_INVOICE_FOR_INVOICE
    )
    doc, new = _settle_each_other(
        session, tenant_id, doc, new, entry=entry, day=data.day, clock=clock
    )
    return doc, new.number


def _settle_each_other(
    session: Session,
    tenant_id: uuid.UUID,
    doc: SalesDocument,
    counter: SalesDocument,
    *,
    entry: HistoryType,
    day: date,
    clock: Clock,
) -> tuple[SalesDocument, SalesDocument]:
    """``doc``'s remainder and ``counter``'s total settle each other (both get ``entry``)."""
    doc = add_entry(
        session,
        tenant_id=tenant_id,
        doc=doc,
        entry_type=entry,
        entry_date=day,
        amount=doc.remaining,
        clock=clock,
        counterpart_id=counter.id,
    )
    counter = add_entry(
        session,
        tenant_id=tenant_id,
        doc=counter,
        entry_type=entry,
        entry_date=day,
        amount=counter.total,
        clock=clock,
        counterpart_id=doc.id,
    )
    counter = save_payment_state(session, tenant_id=tenant_id, doc=counter, day=day, clock=clock)
    return doc, counter


def _changed(
    session: Session,
    actor: Actor,
    tenant_id: uuid.UUID,
    *,
    before: dict[str, Any],
    doc: SalesDocument,
    clock: Clock,
    **extra: Any,
) -> None:
    """The audit entry of a change to ``doc`` (``extra``: fields beyond its snapshot)."""
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=doc.id,
        before=before,
        after={**snapshot(doc), **extra},
        clock=clock,
    )


def complete_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    completion_state: str | None,
    day: date,
    clock: Clock,
) -> SalesDocument:
    """Seed 003 BusinessDocumentCompletionDto: offers ACCEPTED/REJECTED (open offers only),
    order confirmations IN_PROGRESS/DONE, delivery notes IN_PREPARATION/DELIVERED (until
    delivered)."""
    state = check_completion_state(doc_type, completion_state)
    with db.transaction() as session:
        doc = store.load_document(session, tenant_id, doc_type, number)
        before = snapshot(doc)
        doc = completed(doc, state, day=day, now=clock.now())
        store.save_completion(session, tenant_id, doc)
        _changed(
            session,
            actor,
            tenant_id,
            before=before,
            doc=doc,
            clock=clock,
            completionState=completion_state,
        )
        payload = {
            "id": str(doc.id),
            "type": doc_type.value,
            "number": number,
            "completionState": completion_state,
        }
        enqueue(
            session, tenant_id=tenant_id, topic="document.completed", clock=clock, payload=payload
        )
        return doc


def convert_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    target: str | None,
    state: str | None,
    day: date,
    clock: Clock,
) -> SalesDocument:
    """A new document of ``target`` type with this one's customer and lines (offer -> order
    confirmation -> delivery note -> invoice); the source keeps a link to it."""
    allowed = CONVERSIONS.get(doc_type, ())
    try:
        target_type: DocumentType | None = DocumentType(target or "")
    except ValueError:
        target_type = None
    if target_type is None or target_type not in allowed:
        names = ", ".join(t.value for t in allowed) or "nothing"
        raise ValidationFailed("documents.target_type_invalid", field="targetType", names=names)
    with db.transaction() as session:
        source = store.load_document(session, tenant_id, doc_type, number)
        require_issued(source)
        lines = copied_lines(source, None, counted_only=True)
        net, tax, total = (
            sum((getattr(ln, k) for ln in lines), Decimal(0))
            for k in ("net_price", "tax_price", "total_price")
        )
        data = document_input(source, target=target_type, day=day, lines=lines)
        return create_in(
            session,
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
            links=Links(source_id=source.id),
            data=replace(data, state=state, totals=(net, tax, total)),
        )
