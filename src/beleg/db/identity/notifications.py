"""Users' system notifications (``notifications``), in the caller's transaction, scoped to one
tenant."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from beleg.db.bulk import insert_rows
from beleg.db.tables import notifications, users
from beleg.domain.identity.notifications import Notification, Priority

N = notifications.c
ADMIN_ROLES = ("ADMIN", "SUPERUSER")


def admin_ids(session: Session, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    """The tenant's users with the ADMIN or SUPERUSER role."""
    u = users.c
    query = select(u.id).where(u.tenant_id == tenant_id, u.role.in_(ADMIN_ROLES)).order_by(u.id)
    return list(session.execute(query).scalars())


def insert_notifications(
    session: Session,
    tenant_id: uuid.UUID,
    user_ids: Sequence[uuid.UUID],
    *,
    message: str,
    params: Mapping[str, str],
    priority: Priority,
    now: datetime,
) -> None:
    """One unread notification for each of ``user_ids``."""
    rows = [
        {
            "tenant_id": tenant_id,
            "id": uuid.uuid4(),
            "user_id": user_id,
            "message": message,
            "params": dict(params),
            "priority": priority.value,
            "created_at": now,
            "read_at": None,
        }
        for user_id in user_ids
    ]
    if rows:
        insert_rows(session, notifications, rows)


def take_unread(
    session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID, *, now: datetime
) -> list[Notification]:
    """The user's unread notifications, oldest first, marked read at ``now`` (locked, so two
    concurrent readers never both get one)."""
    rows = session.execute(
        select(notifications)
        .where(N.tenant_id == tenant_id, N.user_id == user_id, N.read_at.is_(None))
        .order_by(N.created_at, N.id)
        .with_for_update()
    ).all()
    if rows:
        session.execute(
            update(notifications)
            .where(N.tenant_id == tenant_id, N.id.in_([r.id for r in rows]))
            .values(read_at=now)
        )
    return [
        Notification(r.id, r.user_id, r.message, dict(r.params), Priority(r.priority), r.created_at)
        for r in rows
    ]
