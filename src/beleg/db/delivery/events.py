"""The dispatcher's access to the outbox (ADR 0021): take a tenant's pending domain events of
the topics delivery reacts to, and mark them done in the same transaction as their deliveries
and mails, so that an event becomes them exactly once.

Events of topics that have a background handler (``jobs/handlers.py``) are never taken here:
their handler marks them done."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from beleg.db.outbox import MAX_ATTEMPTS, retry_wait
from beleg.db.tables import outbox_events
from beleg.domain.delivery.events import DomainEvent


def take_pending(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    topics: Collection[str],
    limit: int,
    now: datetime,
) -> list[DomainEvent]:
    """Up to ``limit`` pending events of ``topics``, oldest first, row-locked (``SKIP LOCKED``
    on PostgreSQL: concurrent dispatchers take disjoint events)."""
    c = outbox_events.c
    rows = session.execute(
        select(c.id, c.tenant_id, c.topic, c.payload, c.created_at)
        .where(
            c.done_at.is_(None),
            c.relayed_at.is_(None),
            c.tenant_id == tenant_id,
            c.topic.in_(list(topics)),
            or_(c.claimed_until.is_(None), c.claimed_until < now),
        )
        .order_by(c.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [DomainEvent(r.id, r.tenant_id, r.topic, dict(r.payload), r.created_at) for r in rows]


def mark_done(session: Session, *, event_ids: Sequence[uuid.UUID], now: datetime) -> None:
    if event_ids:
        session.execute(
            update(outbox_events)
            .where(outbox_events.c.id.in_(list(event_ids)))
            .values(done_at=now, claimed_until=None)
        )


def record_failure(session: Session, *, event_id: uuid.UUID, error: str, now: datetime) -> None:
    """An event whose reaction failed: its error, one attempt more, and a wait before the
    next (``retry_wait``); after ``MAX_ATTEMPTS`` it is given up (done, the error kept)."""
    attempts = session.execute(
        select(outbox_events.c.attempts).where(outbox_events.c.id == event_id)
    ).scalar_one()
    values: dict[str, object] = {
        "attempts": attempts + 1,
        "last_error": error[:2000],
        "claimed_until": now + retry_wait(attempts + 1),
    }
    if attempts + 1 >= MAX_ATTEMPTS:
        values.update(done_at=now, claimed_until=None)
    session.execute(update(outbox_events).where(outbox_events.c.id == event_id).values(**values))
