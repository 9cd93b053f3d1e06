"""Invoice and offer templates, and recurring (subscription) invoices (seed 003 §3.4
"Templates", §4.8, §4.18, §7 item 21; the schedule in ``domain.documents.templates``).

A template stores a document as the client sent it plus ``templateName``; an invoice template
with ``templateInterval`` and ``templateIntervalType`` (set together) and ``nextInvoiceDate`` is
a subscription. A template is validated like the FINALIZED document it will produce (totals
must match), so generation cannot fail on the template itself.

``run_due_subscriptions``: for every subscription whose ``nextInvoiceDate`` is on or before the
tenant's today, a FINALIZED invoice dated ``nextInvoiceDate`` is issued and the date advanced
to the next date of the schedule (counted from the anchor, so 31 January monthly gives
28 February and 31 March). One transaction per invoice with the template row locked, so a
retry or a concurrent run never issues a period twice.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.documents import templates as repo
from beleg.db.ledger import load_books
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.templates import (
    DocumentTemplate,
    IntervalType,
    check_schedule,
    scheduled_date,
)
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.create import DocumentInput, Links, build_document, create_in
from beleg.services.documents.lines import DocLineInput

ENTITY = "DocumentTemplate"
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
    interval_type = check_schedule(
        data.name, data.interval, data.interval_type, data.next_invoice_date
    )
    with db.transaction() as session:
        _probe(session, tenant_id=tenant_id, data=data, clock=clock)
        old = (
            None
            if template_id is None
            else repo.template(session, tenant_id, template_id, data.document.doc_type, lock=True)
        )
        template = _template(old, data, interval_type, now=clock.now())
        if old is None:
            repo.insert_template(session, tenant_id, template)
        else:
            repo.update_template(session, tenant_id, template)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE if old else AuditAction.CREATE,
            entity_type=ENTITY,
            entity_id=template.id,
            before=_snapshot(old) if old else None,
            after=_snapshot(template),
            clock=clock,
        )
        return template.id


def _probe(session: Session, *, tenant_id: uuid.UUID, data: TemplateInput, clock: Clock) -> None:
    """Build (and drop) the FINALIZED document the template produces, to validate it."""
    books = load_books(session, tenant_id)
    probe = dataclasses.replace(
        data.document,
        state="FINALIZED",
        doc_date=data.next_invoice_date or data.document.doc_date,
    )
    with session.begin_nested() as nested:
        build_document(session, books=books, data=probe, links=Links(), clock=clock)
        nested.rollback()


def _template(
    old: DocumentTemplate | None,
    data: TemplateInput,
    interval_type: IntervalType | None,
    *,
    now: datetime,
) -> DocumentTemplate:
    """The template ``data`` describes, replacing ``old`` (its schedule starts anew)."""
    return DocumentTemplate(
        id=old.id if old else uuid.uuid4(),
        doc_type=old.doc_type if old else data.document.doc_type,
        name=data.name or "",
        interval=data.interval,
        interval_type=interval_type,
        next_invoice_date=data.next_invoice_date,
        anchor_date=data.next_invoice_date,
        issued_count=0,
        raw=data.raw,
        document=_to_json(data.document),
        created_at=old.created_at if old else now,
        updated_at=now,
    )


def _snapshot(template: DocumentTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "interval": template.interval,
        "interval_type": template.interval_type.value if template.interval_type else None,
        "next_invoice_date": template.next_invoice_date,
    }


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
        repo.template(session, tenant_id, template_id, doc_type, lock=True)
        repo.delete_template(session, tenant_id, template_id)
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


def run_due_subscriptions(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, today: date, clock: Clock
) -> list[uuid.UUID]:
    """Issue every invoice whose subscription date has come (see module docstring)."""
    with db.reader() as session:
        due = repo.due_template_ids(session, tenant_id, today)
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
        template = repo.template(session, tenant_id, template_id, DocumentType.INVOICE, lock=True)
        day = template.next_invoice_date
        if (
            day is None
            or day > today
            or template.interval is None
            or template.interval_type is None
        ):
            return None
        data = dataclasses.replace(
            _from_json(template.document), state="FINALIZED", doc_date=day, due_date=None
        )
        doc = create_in(session, actor=actor, tenant_id=tenant_id, data=data, clock=clock)
        issued = template.issued_count + 1
        anchor = template.anchor_date or day
        advanced = dataclasses.replace(
            template,
            next_invoice_date=scheduled_date(
                anchor, template.interval, template.interval_type, issued
            ),
            issued_count=issued,
            updated_at=clock.now(),
        )
        repo.save_schedule(session, tenant_id, advanced)
        return doc.id


def _to_json(data: DocumentInput) -> dict[str, Any]:
    """A document input as JSON (Decimals and dates tagged, so ``_from_json`` restores them)."""
    encoded: dict[str, Any] = _encode(dataclasses.asdict(data))
    return encoded


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, Decimal | date):
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


def _from_json(stored: Any) -> DocumentInput:
    """The document input ``_to_json`` stored."""
    values = _decode(stored)
    values["doc_type"] = DocumentType(values["doc_type"])
    values["lines"] = [DocLineInput(**line) for line in values["lines"]]
    values["totals"] = tuple(values["totals"])
    return DocumentInput(**values)
