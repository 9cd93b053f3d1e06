"""The e-invoice workflow of issued documents (e-invoicing issue, item 6; ADR 0020): after a
document's PDF the worker makes its e-invoice in its customer's format (``render.pdf``
handler), outside the document's transaction: ``VALIDATED`` with the XML once every layer
passed, ``ERROR`` with the missing terms or the rules it breaks. The document stays issued
either way. A user may set an e-invoice in error aside (``IGNORED``, audited). Making it is
idempotent: a validated or ignored e-invoice in the same format is kept as it is.
"""

from __future__ import annotations

import uuid
from typing import Any

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.contacts import customers as customers_db
from beleg.db.database import Database
from beleg.db.documents import einvoices as einvoices_db
from beleg.domain.audit.chain import AuditAction
from beleg.domain.contacts.einvoicing import EInvoiceFormat
from beleg.domain.documents.einvoices import (
    EInvoiceRecord,
    EInvoiceState,
    Finding,
    ignored,
)
from beleg.domain.errors import DomainError, NotFound
from beleg.domain.identity.principal import Actor
from beleg.services.documents.einvoice import (
    EInvoiceFile,
    built,
    file_of,
    issued_document,
    source_of,
    with_pdf,
)
from beleg.services.documents.pdf import render_pdf_event

ENTITY = "EInvoice"
SETTLED = (EInvoiceState.VALIDATED, EInvoiceState.IGNORED, EInvoiceState.SENT)


def render_files_event(
    db: Database, tenant_id: uuid.UUID, payload: dict[str, Any], clock: Clock
) -> None:
    """The outbox handler of ``render.pdf``: the document's PDF, then its e-invoice when its
    customer wants one."""
    render_pdf_event(db, tenant_id, payload, clock)
    prepare_einvoice(db=db, tenant_id=tenant_id, doc_id=uuid.UUID(payload["id"]), clock=clock)


def prepare_einvoice(
    *, db: Database, tenant_id: uuid.UUID, doc_id: uuid.UUID, clock: Clock
) -> EInvoiceRecord | None:
    """Make and store the document's e-invoice in its customer's format; None when the
    document is no issued invoice or credit note, or its customer wants no e-invoice."""
    with db.reader() as session:
        try:
            doc = issued_document(session, tenant_id, doc_id)
        except DomainError:
            return None  # not an issued invoice or credit note: no e-invoice
        kind = _wanted(session, tenant_id, doc.customer_id)
        stored = einvoices_db.find_einvoice(session, tenant_id, doc_id)
        settled = stored is not None and stored.format is kind and stored.state in SETTLED
        if kind is None or settled:  # the common case for the PDFs of a billing run: one read
            return stored
        source = source_of(session, tenant_id, doc)
    made = built(with_pdf(source, kind, db=db, tenant_id=tenant_id, clock=clock), kind)
    findings = [Finding(p.field, p.code, None) for p in made.problems] + [
        Finding(f.layer.value, f.rule, f.text) for f in made.broken
    ]
    now = clock.now()
    record = EInvoiceRecord(
        document_id=doc_id,
        format=kind,
        state=EInvoiceState.ERROR if findings else EInvoiceState.VALIDATED,
        problems=tuple(findings),
        content=made.xml,
        created_at=now if stored is None else stored.created_at,
        updated_at=now,
    )
    with db.transaction() as session:
        einvoices_db.save_einvoice(session, tenant_id, record, now=now)
    return record


def _wanted(
    session: Any, tenant_id: uuid.UUID, customer_id: uuid.UUID | None
) -> EInvoiceFormat | None:
    if customer_id is None:
        return None
    parameters = customers_db.customer(session, tenant_id, customer_id).profile.e_invoicing
    return None if parameters is None else parameters.format


def einvoice_record(*, db: Database, tenant_id: uuid.UUID, doc_id: uuid.UUID) -> EInvoiceRecord:
    """The document's stored e-invoice; NotFound naming ``id`` when there is none."""
    with db.reader() as session:
        record = einvoices_db.find_einvoice(session, tenant_id, doc_id)
    if record is None:
        raise NotFound("einvoice.none", field="id", id=doc_id)
    return record


def stored_file(
    *, db: Database, tenant_id: uuid.UUID, doc_id: uuid.UUID, clock: Clock
) -> EInvoiceFile:
    """The validated e-invoice as stored, as a client downloads it."""
    record = einvoice_record(db=db, tenant_id=tenant_id, doc_id=doc_id)
    if record.content is None:
        raise NotFound("einvoice.none", field="id", id=doc_id)
    with db.reader() as session:
        doc = issued_document(session, tenant_id, doc_id)
    return file_of(record.content, doc, record.format, db=db, tenant_id=tenant_id, clock=clock)


def ignore_einvoice(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, doc_id: uuid.UUID, clock: Clock
) -> EInvoiceRecord:
    """Set the document's e-invoice in ERROR aside (audited); again: the same answer."""
    with db.transaction() as session:
        record = einvoices_db.find_einvoice(session, tenant_id, doc_id, lock=True)
        if record is None:
            raise NotFound("einvoice.none", field="id", id=doc_id)
        if record.state is EInvoiceState.IGNORED:
            return record
        after = ignored(record, now=clock.now())
        einvoices_db.save_einvoice(session, tenant_id, after, now=after.updated_at)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=doc_id,
            before=record.snapshot(),
            after=after.snapshot(),
            clock=clock,
        )
        return after
