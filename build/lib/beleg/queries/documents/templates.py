"""Invoice and offer templates as seed 003 InvoiceTemplateDto / OfferTemplateDto: the document
as it was sent, with the template's id, name and subscription fields."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.tables import document_templates
from beleg.domain.errors import NotFound


def template_dto(row: Any) -> dict[str, Any]:
    out = {
        k: v
        for k, v in row.body["raw"].items()
        if k
        not in (
            "templateName",
            "templateInterval",
            "templateIntervalType",
            "nextInvoiceDate",
            "uuid",
        )
    }
    out["uuid"] = str(row.id)
    out["templateName"] = row.name
    if row.interval is not None:
        out.update(templateInterval=row.interval, templateIntervalType=row.interval_type)
    if row.next_invoice_date is not None:
        out["nextInvoiceDate"] = row.next_invoice_date
    return out


def list_templates(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    doc_type: str,
    search: str | None,
    include_subscriptions: bool,
) -> list[dict[str, Any]]:
    """Seed 003 §4.8.2: subscription templates only with ``include_subscriptions``."""
    query = select(document_templates).where(
        document_templates.c.tenant_id == tenant_id, document_templates.c.doc_type == doc_type
    )
    if not include_subscriptions:
        query = query.where(document_templates.c.interval.is_(None))
    with db.reader() as session:
        rows = session.execute(query.order_by(document_templates.c.name)).all()
    needle = (search or "").casefold()
    return [template_dto(r) for r in rows if needle in r.name.casefold()]


def get_template(
    *, db: Database, tenant_id: uuid.UUID, doc_type: str, template_id: uuid.UUID
) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(document_templates).where(
                document_templates.c.tenant_id == tenant_id,
                document_templates.c.id == template_id,
                document_templates.c.doc_type == doc_type,
            )
        ).one_or_none()
    if row is None:
        raise NotFound("documents.template_not_found", field="template", id=template_id)
    return template_dto(row)
