"""Data access of invoice and offer templates (and their subscription schedule), in the
caller's transaction and scoped to one tenant."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import document_templates
from beleg.domain.documents.templates import DocumentTemplate, IntervalType
from beleg.domain.errors import NotFound
from beleg.domain.numbering.counters import DocumentType

T = document_templates.c


def template(
    session: Session,
    tenant_id: uuid.UUID,
    template_id: uuid.UUID,
    doc_type: DocumentType,
    *,
    lock: bool = False,
) -> DocumentTemplate:
    """The template ``template_id`` of ``doc_type``; NotFound naming ``template`` otherwise."""
    query = select(document_templates).where(
        T.tenant_id == tenant_id, T.id == template_id, T.doc_type == doc_type.value
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound("documents.template_not_found", field="template", id=template_id)
    return template_record(row)


def template_record(row: Row[Any]) -> DocumentTemplate:
    """A stored template row as a record."""
    return DocumentTemplate(
        id=row.id,
        doc_type=DocumentType(row.doc_type),
        name=row.name,
        interval=row.interval,
        interval_type=IntervalType(row.interval_type) if row.interval_type else None,
        next_invoice_date=row.next_invoice_date,
        anchor_date=row.anchor_date,
        issued_count=row.issued_count,
        raw=row.body["raw"],
        document=row.body["input"],
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _values(template: DocumentTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "interval": template.interval,
        "interval_type": template.interval_type.value if template.interval_type else None,
        "next_invoice_date": template.next_invoice_date,
        "anchor_date": template.anchor_date,
        "issued_count": template.issued_count,
        "body": {"raw": dict(template.raw), "input": dict(template.document)},
        "updated_at": template.updated_at,
    }


def insert_template(session: Session, tenant_id: uuid.UUID, template: DocumentTemplate) -> None:
    session.execute(
        insert(document_templates).values(
            tenant_id=tenant_id,
            id=template.id,
            doc_type=template.doc_type.value,
            created_at=template.created_at,
            **_values(template),
        )
    )


def update_template(session: Session, tenant_id: uuid.UUID, template: DocumentTemplate) -> None:
    """Replace what a template holds (its id, type and creation time stay)."""
    session.execute(
        update(document_templates)
        .where(T.tenant_id == tenant_id, T.id == template.id)
        .values(**_values(template))
    )


def save_schedule(session: Session, tenant_id: uuid.UUID, template: DocumentTemplate) -> None:
    """Store a subscription's next invoice date and count after an invoice was issued."""
    session.execute(
        update(document_templates)
        .where(T.tenant_id == tenant_id, T.id == template.id)
        .values(
            next_invoice_date=template.next_invoice_date,
            issued_count=template.issued_count,
            updated_at=template.updated_at,
        )
    )


def delete_template(session: Session, tenant_id: uuid.UUID, template_id: uuid.UUID) -> None:
    session.execute(delete(document_templates).where(T.tenant_id == tenant_id, T.id == template_id))


def due_template_ids(session: Session, tenant_id: uuid.UUID, today: date) -> list[uuid.UUID]:
    """The templates whose next invoice is dated ``today`` or earlier."""
    return list(
        session.execute(
            select(T.id).where(T.tenant_id == tenant_id, T.next_invoice_date <= today)
        ).scalars()
    )
