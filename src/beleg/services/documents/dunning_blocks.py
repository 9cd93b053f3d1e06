"""Dunning blocks and their release, per customer or per document (ADR 0027): a blocked
customer's or document's items are skipped by every dunning run until the block is released.
Each block and release is audited."""

from __future__ import annotations

import uuid

from beleg.clock import Clock
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.documents import dunning as repo
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor

ENTITY = "DunningBlock"
MAX_REASON = 500


def block(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    subject: str,
    subject_id: uuid.UUID,
    reason: str,
    clock: Clock,
) -> None:
    """Block dunning of a customer or document (404 for an unknown one; blocking again
    replaces the reason)."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed("documents.dunning_block_reason_required", field="reason")
    with db.transaction() as session:
        if not repo.subject_exists(session, tenant_id, subject, subject_id):
            raise NotFound(
                "documents.dunning_subject_not_found", subject=subject.lower(), id=str(subject_id)
            )
        found = repo.find_block(session, tenant_id, subject, subject_id)
        before = {"reason": found.reason} if found else None
        if found:
            repo.remove_block(session, tenant_id, subject, subject_id)
        repo.add_block(session, tenant_id, (subject, subject_id), reason, clock.now())
        change = Change(
            AuditAction.UPDATE if found else AuditAction.CREATE,
            ENTITY,
            f"{subject}:{subject_id}",
            before,
            {"reason": reason},
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)


def release(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    subject: str,
    subject_id: uuid.UUID,
    clock: Clock,
) -> None:
    """Release a block (404 when there is none)."""
    with db.transaction() as session:
        found = repo.find_block(session, tenant_id, subject, subject_id)
        if found is None:
            raise NotFound(
                "documents.dunning_block_unknown", subject=subject.lower(), id=str(subject_id)
            )
        repo.remove_block(session, tenant_id, subject, subject_id)
        change = Change(
            AuditAction.DELETE, ENTITY, f"{subject}:{subject_id}", {"reason": found.reason}, None
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
