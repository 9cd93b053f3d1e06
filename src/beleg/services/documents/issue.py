"""Issuing a sales document, a step that creating, cancelling, correcting and converting
documents (and, later, the billing run) compose: for one built and stored FINALIZED or
EXTERNAL document it allocates the number (FINALIZED: from the counter that the numbering
rules or the sequence group choose, in the caller's transaction so numbers stay gapless),
posts its ledger booking (invoices and credit memos, by the tenant's mode) and records it in
the history, settles the deposit invoices its lines name, and queues the outbox events
(``document.finalized``, and ``render.pdf`` for the PDF of a FINALIZED document).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.documents import store
from beleg.db.outbox import enqueue
from beleg.domain.documents.model import HistoryType, State
from beleg.domain.documents.records import SalesDocument
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import NumberingContext
from beleg.services.documents.bookings import book_issue
from beleg.services.documents.history import add_entry
from beleg.services.numbering.allocation import allocate_document_number


def issue_document(
    session: Session,
    *,
    actor: Actor,
    books: TenantBooks,
    doc: SalesDocument,
    numbering: NumberingContext,
    clock: Clock,
) -> SalesDocument:
    """Number, book, settle and announce the stored document ``doc`` in the caller's
    transaction; returns it as issued."""
    tenant_id = books.tenant_id
    if doc.state is State.FINALIZED:
        number = allocate_document_number(
            session,
            tenant_id=tenant_id,
            doc_type=doc.doc_type,
            doc_date=doc.doc_date,
            context=numbering,
            sequence_group_id=doc.sequence_group_id,
        )
        doc = replace(doc, number=number)
        store.save_number(session, tenant_id, doc)
    doc = _booked(session, books, doc, actor=actor, clock=clock)
    _settle_deposits(session, tenant_id, doc, clock)
    _announce(session, tenant_id, doc, clock)
    return doc


def _booked(
    session: Session, books: TenantBooks, doc: SalesDocument, *, actor: Actor, clock: Clock
) -> SalesDocument:
    """``doc`` with its booking (DE invoices and credit memos) and its RECEIVABLES entry."""
    journal_id = book_issue(session, books=books, doc=doc, actor=actor, clock=clock)
    if journal_id is None:
        return doc
    doc = replace(doc, journal_id=journal_id)
    store.save_journal(session, books.tenant_id, doc)
    return add_entry(
        session,
        tenant_id=books.tenant_id,
        doc=doc,
        entry_type=HistoryType.RECEIVABLES,
        entry_date=doc.doc_date,
        amount=doc.total,
        clock=clock,
        is_payment=False,
        journal_id=journal_id,
    )


def _settle_deposits(
    session: Session, tenant_id: uuid.UUID, doc: SalesDocument, clock: Clock
) -> None:
    """The deposit invoices that lines of ``doc`` settle are settled by it."""
    for line in doc.lines:
        deposit_id = line.texts.get("depositInvoiceId")
        if deposit_id:
            store.mark_deposit_settled(
                session, tenant_id, uuid.UUID(deposit_id), settled_by=doc.id, at=clock.now()
            )


def _announce(session: Session, tenant_id: uuid.UUID, doc: SalesDocument, clock: Clock) -> None:
    """The outbox events of an issued document (its PDF is rendered after commit)."""
    payload: dict[str, Any] = {
        "id": str(doc.id),
        "type": doc.doc_type.value,
        "number": doc.number,
        "state": doc.state.value,
    }
    enqueue(session, tenant_id=tenant_id, topic="document.finalized", payload=payload, clock=clock)
    if doc.state is State.FINALIZED:
        enqueue(session, tenant_id=tenant_id, topic="render.pdf", payload=payload, clock=clock)
