"""Data access of the documents' e-invoices (``document_einvoices``), scoped to one tenant,
in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from beleg.db.bulk import insert_rows
from beleg.db.tables import document_einvoices
from beleg.domain.contacts.einvoicing import EInvoiceFormat
from beleg.domain.documents.einvoices import EInvoiceRecord, EInvoiceState, Finding

E = document_einvoices.c


def find_einvoice(
    session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID, *, lock: bool = False
) -> EInvoiceRecord | None:
    query = select(document_einvoices).where(E.tenant_id == tenant_id, E.document_id == doc_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _record(row)


def save_einvoice(
    session: Session, tenant_id: uuid.UUID, record: EInvoiceRecord, *, now: datetime
) -> None:
    """Insert the document's e-invoice, or replace the stored one's state and content."""
    values: dict[str, Any] = {
        "format": record.format.value,
        "state": record.state.value,
        "problems": [f.snapshot() for f in record.problems],
        "content": record.content,
        "updated_at": now,
    }
    done = session.execute(
        update(document_einvoices)
        .where(E.tenant_id == tenant_id, E.document_id == record.document_id)
        .values(**values)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        row = {"tenant_id": tenant_id, "document_id": record.document_id, "created_at": now}
        insert_rows(session, document_einvoices, [row | values])


def _record(row: Row[Any]) -> EInvoiceRecord:
    return EInvoiceRecord(
        document_id=row.document_id,
        format=EInvoiceFormat(row.format),
        state=EInvoiceState(row.state),
        problems=tuple(Finding(**f) for f in row.problems),
        content=row.content,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
