"""Writing and verifying the audit trail.

``record_change`` appends inside the caller's transaction, so an operation and its audit entry
commit together or not at all. Timestamps come from the system clock: the trail records when a
change really happened, even for a tenant on a test clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.bulk import insert_rows
from beleg.db.tables import audit_entries, audit_heads
from beleg.domain.audit.chain import GENESIS_HASH, AuditAction, entry_hash
from beleg.domain.identity.principal import Actor

_NATIVE = frozenset({str, int, float, bool})


def json_safe(value: Any) -> Any:
    """Turn a snapshot into JSON-native values: Decimal and dates as strings, UUIDs as text."""
    if value is None or type(value) in _NATIVE:  # most values of a snapshot: as they are
        return value
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_safe(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def start_chain(session: Session, *, tenant_id: uuid.UUID) -> None:
    """Create the empty chain head of a new tenant (inside the tenant's creation)."""
    session.execute(insert(audit_heads).values(tenant_id=tenant_id, seq=0, hash=GENESIS_HASH))


@dataclass(frozen=True, slots=True)
class Change:
    """One audited change: what happened to which entity, with its state before and after."""

    action: AuditAction
    entity_type: str
    entity_id: str | uuid.UUID
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def record_change(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    action: AuditAction,
    entity_type: str,
    entity_id: str | uuid.UUID,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    clock: Clock,
) -> int:
    """Append one entry to ``tenant_id``'s chain; return its sequence number."""
    change = Change(action, entity_type, entity_id, before, after)
    return record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)


def record_changes(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    changes: list[Change],
    clock: Clock,
) -> int:
    """Append entries for ``changes`` in order; return the last sequence number.

    The chain head row is locked first (FOR UPDATE; SQLite's writer lock does the same), so
    concurrent writers of one tenant append one after the other without gaps. A batch takes
    the lock once and inserts all entries in one statement (bulk paths such as billing runs).
    """
    head = session.execute(
        select(audit_heads.c.seq, audit_heads.c.hash)
        .where(audit_heads.c.tenant_id == tenant_id)
        .with_for_update()
    ).one()
    seq, prev_hash, rows = head.seq, head.hash, []
    occurred_at = clock.now()
    for change in changes:
        seq += 1
        fields = _hashed_fields(actor, tenant_id, seq, occurred_at, change)
        digest = entry_hash(prev_hash, fields)
        rows.append(
            {
                **fields,
                "tenant_id": tenant_id,
                "occurred_at": occurred_at,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    if rows:
        insert_rows(session, audit_entries, rows)  # one COPY on PostgreSQL
        session.execute(
            update(audit_heads)
            .where(audit_heads.c.tenant_id == tenant_id)
            .values(seq=seq, hash=prev_hash)
        )
    return seq


def _hashed_fields(
    actor: Actor, tenant_id: uuid.UUID, seq: int, occurred_at: datetime, change: Change
) -> dict[str, Any]:
    principal, origin = actor.principal, actor.origin
    return {
        "tenant_id": str(tenant_id),
        "seq": seq,
        "occurred_at": occurred_at.isoformat(),
        "actor_type": principal.actor_type.value,
        "actor_id": principal.actor_id,
        "actor_name": principal.name,
        "ip_address": origin.ip_address,
        "request_id": origin.request_id,
        "action": change.action.value,
        "entity_type": change.entity_type,
        "entity_id": str(change.entity_id),
        "before": json_safe(change.before) if change.before is not None else None,
        "after": json_safe(change.after) if change.after is not None else None,
    }
