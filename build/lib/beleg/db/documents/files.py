"""Data access of the rendered files of sales documents (the PDF and the view model it was
printed from), in the caller's transaction and scoped to one tenant."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import sales_document_files

F = sales_document_files.c
PDF = "pdf"


def stored_pdf(session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID) -> bytes | None:
    """The stored PDF of the document ``doc_id``, or None while it is not rendered."""
    content: bytes | None = session.execute(
        select(F.content).where(F.tenant_id == tenant_id, F.document_id == doc_id, F.kind == PDF)
    ).scalar_one_or_none()
    return content


def insert_pdf(
    session: Session,
    tenant_id: uuid.UUID,
    doc_id: uuid.UUID,
    *,
    content: bytes,
    layout: Any,
    rendered_at: datetime,
) -> bool:
    """Store a document's PDF with its JSON view model; False (nothing stored) if another
    writer stored one first."""
    try:
        with session.begin_nested():
            session.execute(
                insert(sales_document_files).values(
                    tenant_id=tenant_id,
                    document_id=doc_id,
                    kind=PDF,
                    content=content,
                    layout=layout,
                    rendered_at=rendered_at,
                )
            )
    except IntegrityError:
        return False
    return True
