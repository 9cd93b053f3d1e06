"""Users' system notifications (seed 003 §4.7.7): written where the system tells an admin
something (a webhook endpoint disabled, ``services/delivery/webhook_sending.py``), in the
transaction of that cause, beside the admins' mail; handed out once, to the user they are
for, by ``POST /api/1.1/notifications``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.database import Database
from beleg.db.identity import notifications as repo
from beleg.domain.identity.notifications import Notification, Priority
from beleg.domain.identity.principal import Actor


def notify_admins(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    message: str,
    params: Mapping[str, str],
    priority: Priority,
    clock: Clock,
) -> int:
    """One notification for each of the tenant's ADMIN and SUPERUSER users, in the caller's
    transaction; ``message`` is a catalogue key, ``params`` its parameters. Returns how many
    users were notified."""
    admins = repo.admin_ids(session, tenant_id)
    repo.insert_notifications(
        session, tenant_id, admins, message=message, params=params, priority=priority,
        now=clock.now(),
    )  # fmt: skip
    return len(admins)


def take_unread(*, db: Database, actor: Actor, clock: Clock) -> list[Notification]:
    """The acting user's unread notifications, oldest first, now marked read. A credential
    that acts for no user (a bare API key) has none."""
    user_id = actor.principal.user_id
    if user_id is None:
        return []
    with db.transaction() as session:
        return repo.take_unread(session, actor.principal.tenant_id, user_id, now=clock.now())
