"""Invoice and offer templates, and recurring (subscription) invoices (seed 003 §3.4
"Templates", §4.8, §4.18, §7 item 21).

A template stores a document as the client sent it plus ``templateName``; an invoice template
with ``templateInterval`` and ``templateIntervalType`` (set together) and ``nextInvoiceDate`` is
a subscription. A template is validated like the FINALIZED document it will produce (totals
must match), so generation cannot fail on the template itself.

``run_due_subscriptions``: for every subscription whose ``nextInvoiceDate`` is on or before the
tenant's today, a FINALIZED invoice dated ``nextInvoiceDate`` is issued and the date advanced
to the next date of the schedule: the n-th invoice is dated ``nextInvoiceDate`` as set + n
intervals, counted from that anchor rather than from the previous date, so 31 January monthly
gives 28 February and 31 March. One transaction per invoice with the template row locked, so a
retry or a concurrent run never issues a period twice.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.tables import document_templates
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.create import DocumentInput, Links, build_document, create_in
from beleg.services.documents.lines import DocLineInput

ENTITY = "DocumentTemplate"
INTERVALS = {"DAY": "days", "MONTH": "months", "YEAR": "years"}
MAX_CATCH_UP = 400  # invoices one run issues per template at most (a year of daily ones)


@dataclasses.dataclass(frozen=True, slots=True)
class TemplateInput:
    name: str | None
    document: DocumentInput
    raw: dict[str, Any]  # the DTO as sent (camelCase), echoed on reads
    interval: int | None = None
    interval_type: str | None = None
    next_invoice_date: date | None = None


def save_template(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    data: TemplateInput,
    clock: Clock,
    template_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Create (no id) or replace a template."""
    _check(data)
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        probe = dataclasses.replace(
            data.document,
            state="FINALIZED",
            doc_date=data.next_invoice_date or data.document.doc_date,
        )
        with session.begin_nested() as nested:
            build_document(session, books, probe, Links(), clock)
            nested.rollback()
        values = {
            "name": data.name,
            "interval": data.interval,
            "interval_type": data.interval_type,
            "next_invoice_date": data.next_invoice_date,
            "anchor_date": data.next_invoice_date,
            "issued_count": 0,
            "body": {"raw": data.raw, "input": to_json(data.document)},
            "updated_at": clock.now(),
        }
        if template_id is None:
            template_id = uuid.uuid4()
            session.execute(
                insert(document_templates).values(
                    tenant_id=tenant_id,
                    id=template_id,
                    doc_type=data.document.doc_type.value,
                    created_at=clock.now(),
                    **values,
                )
            )
            action, before = AuditAction.CREATE, None
        else:
            old = _row(session, tenant_id, template_id, data.document.doc_type, lock=True)
            before = _snapshot(dict(old._mapping))
            session.execute(
                update(document_templates)
                .where(
                    document_templates.c.tenant_id == tenant_id,
                    document_templates.c.id == template_id,
                )
                .values(**values)
            )
            action = AuditAction.UPDATE
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=action,
            entity_type=ENTITY,
            entity_id=template_id,
            before=before,
            after=_snapshot(values),
            clock=clock,
        )
        return template_id


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in ("name", "interval", "interval_type", "next_invoice_date")}


def _check(data: TemplateInput) -> None:
    if not (data.name or "").strip():
        raise ValidationFailed(
            "templateName is required", de="templateName ist erforderlich", field="templateName"
        )
    if (data.interval is None) != (data.interval_type is None):
        raise ValidationFailed(
            "templateInterval and templateIntervalType must be set together",
            de="templateInterval und templateIntervalType nur gemeinsam",
            field="templateInterval",
        )
    if data.interval is not None:
        if data.interval < 1 or data.interval_type not in INTERVALS:
            raise ValidationFailed(
                "templateInterval must be at least 1 and templateIntervalType DAY, MONTH or YEAR",
                de="templateInterval >= 1, templateIntervalType DAY, MONTH oder YEAR",
                field="templateIntervalType",
            )
        if data.next_invoice_date is None:
            raise ValidationFailed(
                "nextInvoiceDate is required for a subscription",
                de="nextInvoiceDate ist für ein Abo erforderlich",
                field="nextInvoiceDate",
            )


def delete_template(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    template_id: uuid.UUID,
    clock: Clock,
) -> None:
    with db.transaction() as session:
        _row(session, tenant_id, template_id, doc_type, lock=True)
        session.execute(
            delete(document_templates).where(
                document_templates.c.tenant_id == tenant_id, document_templates.c.id == template_id
            )
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=ENTITY,
            entity_id=template_id,
            before={"id": template_id},
            after=None,
            clock=clock,
        )


def _row(
    session: Session,
    tenant_id: uuid.UUID,
    template_id: uuid.UUID,
    doc_type: DocumentType,
    *,
    lock: bool = False,
) -> Any:
    query = select(document_templates).where(
        document_templates.c.tenant_id == tenant_id,
        document_templates.c.id == template_id,
        document_templates.c.doc_type == doc_type.value,
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(
            f"template {template_id} does not exist", de="Vorlage nicht gefunden.", field="template"
        )
    return row


def run_due_subscriptions(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, today: date, clock: Clock
) -> list[uuid.UUID]:
    """Issue every invoice whose subscription date has come (see module docstring)."""
    with db.reader() as session:
        due = (
            session.execute(
                select(document_templates.c.id).where(
                    document_templates.c.tenant_id == tenant_id,
                    document_templates.c.next_invoice_date <= today,
                )
            )
            .scalars()
            .all()
        )
    issued = []
    for template_id in due:
        for _ in range(MAX_CATCH_UP):
            doc_id = _issue_next(
                db, actor, tenant_id, template_id=template_id, today=today, clock=clock
            )
            if doc_id is None:
                break
            issued.append(doc_id)
    return issued


def _issue_next(
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    *,
    template_id: uuid.UUID,
    today: date,
    clock: Clock,
) -> uuid.UUID | None:
    with db.transaction() as session:
        row = _row(session, tenant_id, template_id, DocumentType.INVOICE, lock=True)
        day = row.next_invoice_date
        if day is None or day > today or row.interval is None:
            return None
        data = dataclasses.replace(
            from_json(row.body["input"]), state="FINALIZED", doc_date=day, due_date=None
        )
        doc = create_in(session, actor=actor, tenant_id=tenant_id, data=data, clock=clock)
        issued = row.issued_count + 1
        step = relativedelta(**{INTERVALS[row.interval_type]: row.interval * issued})
        session.execute(
            update(document_templates)
            .where(
                document_templates.c.tenant_id == tenant_id, document_templates.c.id == template_id
            )
            .values(
                next_invoice_date=(row.anchor_date or day) + step,
                issued_count=issued,
                updated_at=clock.now(),
            )
        )
        return doc.id


def to_json(data: DocumentInput) -> dict[str, Any]:
    values = dataclasses.asdict(data)
    return _encode(values)


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, (Decimal, date)):
        return {
            "$": type(value).__name__,
            "v": str(value) if isinstance(value, Decimal) else value.isoformat(),
        }
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$", "v"}:
            return (
                Decimal(value["v"]) if value["$"] == "Decimal" else date.fromisoformat(value["v"])
            )
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def from_json(stored: dict[str, Any]) -> DocumentInput:
    values = _decode(stored)
    values["doc_type"] = DocumentType(values["doc_type"])
    values["lines"] = [DocLineInput(**line) for line in values["lines"]]
    values["totals"] = tuple(values["totals"])
    return DocumentInput(**values)
