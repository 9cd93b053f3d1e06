"""Read model of the audit trail."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import audit_entries
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import NotFound
from beleg.domain.identity.principal import ActorType
from beleg.queries.listing import ListSpec


def audit_item(row: Any) -> dict[str, Any]:
    m = row._mapping
    return {
        "seq": m["seq"],
        "occurredAt": m["occurred_at"],
        "actorType": m["actor_type"],
        "actorId": m["actor_id"],
        "actorName": m["actor_name"],
        "ipAddress": m["ip_address"],
        "requestId": m["request_id"],
        "action": m["action"],
        "entityType": m["entity_type"],
        "entityId": m["entity_id"],
        "before": m["before"],
        "after": m["after"],
        "hash": m["hash"],
    }


def get_audit_entry(*, db: Database, tenant_id: uuid.UUID, seq: int) -> dict[str, Any]:
    """One entry of the tenant's trail by its sequence number."""
    with db.reader() as session:
        row = session.execute(
            select(audit_entries).where(
                audit_entries.c.tenant_id == tenant_id, audit_entries.c.seq == seq
            )
        ).one_or_none()
    if row is None:
        raise NotFound("audit.entry_not_found", field="seq", seq=seq)
    return audit_item(row)


def audit_list(tenant_id: uuid.UUID) -> ListSpec:
    """The tenant's entries, newest first by default."""
    c = audit_entries.c
    return ListSpec(
        statement=select(audit_entries).where(c.tenant_id == tenant_id),
        filters={
            "seq": FilterField(c.seq, Kind.INTEGER),
            "occurredAt": FilterField(c.occurred_at, Kind.DATETIME),
            "actorType": FilterField(c.actor_type, Kind.ENUM, tuple(a.value for a in ActorType)),
            "actorId": FilterField(c.actor_id),
            "actorName": FilterField(c.actor_name),
            "ipAddress": FilterField(c.ip_address),
            "requestId": FilterField(c.request_id),
            "action": FilterField(c.action, Kind.ENUM, tuple(a.value for a in AuditAction)),
            "entityType": FilterField(c.entity_type),
            "entityId": FilterField(c.entity_id),
        },
        sortable={"seq": c.seq, "occurredAt": c.occurred_at},
        default_sort=[c.seq.desc()],
        to_item=audit_item,
        columns=[
            "seq",
            "occurredAt",
            "actorType",
            "actorId",
            "actorName",
            "ipAddress",
            "requestId",
            "action",
            "entityType",
            "entityId",
            "before",
            "after",
            "hash",
        ],
    )
