"""Issuing a sales document, a step that creating, cancelling, correcting and converting
documents (and, later, the billing run) compose: for one built and stored FINALIZED or
EXTERNAL document it allocates the number (FINALIZED: from the counter that the numbering
rules or the sequence group choose, in the caller's transaction so numbers stay gapless),
posts its ledger booking (invoices and credit memos, by the tenant's mode) and records it in
the history, settles the deposit invoices its lines name, and queues the outbox events
(``document.finalized``, and ``render.pdf`` for the PDF of a FINALIZED document).

``issue_documents`` does the same for a batch of typed drafts (``domain.documents.drafts``:
billing runs) in the caller's transaction, in bulk: every counter gives one block of numbers
per batch (gapless: the batch commits whole or not at all), the journals are posted with one
``post_journals``, and documents, lines, history, outbox events and audit entries are written
with one statement per table. A draft that breaks a rule fails the whole batch, naming it
(``drafts[3].lines[0].account``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_changes
from beleg.db.documents import deposits as deposits_db
from beleg.db.documents import references, store
from beleg.db.documents.setup import layout_setup, payment_term, sequence_group_id
from beleg.db.ledger import load_books
from beleg.db.outbox import enqueue, enqueue_many
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.drafts import (
    DocumentDraft,
    DraftSetup,
    draft_document,
    numbering_context,
)
from beleg.domain.documents.events import finalized_payload
from beleg.domain.documents.model import HistoryType, State
from beleg.domain.documents.parties import Party, party_of
from beleg.domain.documents.records import SalesDocument, receivables_entry, snapshot, with_entry
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import NumberingContext
from beleg.services.documents.bookings import book_issue, issue_booking
from beleg.services.documents.history import add_entry
from beleg.services.ledger.posting import post_journals
from beleg.services.numbering.allocation import (
    NumberRequest,
    allocate_document_number,
    allocate_numbers_for,
)

ENTITY = "SalesDocument"  # the audit entity type of sales documents


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
            deposits_db.mark_deposit_settled(
                session, tenant_id, uuid.UUID(deposit_id), settled_by=doc.id, at=clock.now()
            )


def _announce(session: Session, tenant_id: uuid.UUID, doc: SalesDocument, clock: Clock) -> None:
    """The outbox events of an issued document (its PDF is rendered after commit)."""
    payload = finalized_payload(doc)
    enqueue(session, tenant_id=tenant_id, topic="document.finalized", payload=payload, clock=clock)
    if doc.state is State.FINALIZED:
        enqueue(session, tenant_id=tenant_id, topic="render.pdf", payload=payload, clock=clock)


def issue_documents(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    drafts: Sequence[DocumentDraft],
    clock: Clock,
) -> list[SalesDocument]:
    """Issue every draft as a FINALIZED document in the caller's transaction; returns the
    documents, numbered and booked, in the order of ``drafts``."""
    if not drafts:
        return []
    books = load_books(session, tenant_id)
    setup = DraftSetup(
        payment_term(session, tenant_id, None),
        layout_setup(session, tenant_id, None),
        sequence_group_id(session, tenant_id, None),
    )
    parties = _parties(session, tenant_id, drafts)
    now = clock.now()
    docs = [
        draft_document(d, books=books, party=p, setup=setup, index=i, now=now)
        for i, (d, p) in enumerate(zip(drafts, parties, strict=True))
    ]
    docs = _numbered(session, tenant_id, docs, drafts, parties)
    docs = _booked_in_bulk(session, books, docs, actor=actor, clock=clock)
    store.insert_documents(session, tenant_id, docs)
    enqueue_many(session, tenant_id=tenant_id, events=_events(docs), clock=clock)
    changes = [Change(AuditAction.CREATE, ENTITY, d.id, None, snapshot(d)) for d in docs]
    record_changes(session, actor=actor, tenant_id=tenant_id, changes=changes, clock=clock)
    return docs


def _parties(
    session: Session, tenant_id: uuid.UUID, drafts: Sequence[DocumentDraft]
) -> list[Party]:
    """The party of every draft: its customer (read in one query) or its name alone."""
    wanted = {d.customer_id for d in drafts if d.customer_id is not None}
    customers = references.customers(session, tenant_id, wanted)
    parties = []
    for index, draft in enumerate(drafts):
        customer = None
        if draft.customer_id is not None:
            customer = customers.get(draft.customer_id)
            if customer is None:
                raise ValidationFailed(
                    "documents.customer_unknown",
                    field=f"drafts[{index}].customer",
                    customer=draft.customer_id,
                )
        parties.append(
            party_of(customer, None, customer_name=draft.customer_name, address_info=None)
        )
    return parties


def _numbered(
    session: Session,
    tenant_id: uuid.UUID,
    docs: list[SalesDocument],
    drafts: Sequence[DocumentDraft],
    parties: Sequence[Party],
) -> list[SalesDocument]:
    """``docs`` numbered in draft order: one block per counter and period."""
    requests = [
        NumberRequest(d.doc_type, d.doc_date, numbering_context(d, p), doc.sequence_group_id)
        for d, p, doc in zip(drafts, parties, docs, strict=True)
    ]
    numbers = allocate_numbers_for(session, tenant_id=tenant_id, requests=requests)
    return [replace(doc, number=n) for doc, n in zip(docs, numbers, strict=True)]


def _booked_in_bulk(
    session: Session,
    books: TenantBooks,
    docs: list[SalesDocument],
    *,
    actor: Actor,
    clock: Clock,
) -> list[SalesDocument]:
    """The documents with their journals (one ``post_journals`` for the batch) and the
    RECEIVABLES entry each booked document records. A document that moves no amount (a
    billing run's usage within its free quota: every line 0.00) books nothing: a journal
    needs two non-zero postings."""
    bookings = [
        (i, b)
        for i, d in enumerate(docs)
        if _moves_amount(d) and (b := issue_booking(books, d)) is not None
    ]
    posted = post_journals(
        session,
        actor=actor,
        tenant_id=books.tenant_id,
        drafts=[b.draft for _, b in bookings],
        clock=clock,
    )
    booked = list(docs)
    for (index, _), journal in zip(bookings, posted, strict=True):
        doc = replace(docs[index], journal_id=journal.id)
        booked[index] = with_entry(doc, receivables_entry(doc, journal.id, now=clock.now()))
    return booked


def _moves_amount(doc: SalesDocument) -> bool:
    return any(line.net or line.tax for line in doc.lines) or bool(doc.total)


def _events(docs: Sequence[SalesDocument]) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for doc in docs:
        payload = finalized_payload(doc)
        events += [("document.finalized", payload), ("render.pdf", payload)]
    return events
