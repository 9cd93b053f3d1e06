"""The transactional outbox: events and jobs written in the transaction of the change that
causes them, delivered after commit (DESIGN.md "Background work").

``enqueue`` adds a row in the caller's transaction, so an event exists exactly when its change
committed. ``run_pending`` works an event in three steps, so that no slow work (rendering a
PDF) ever runs inside a database transaction:

1. claim: a short transaction takes the oldest pending event of a handled topic
   (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of workers in any number of
   processes share the queue; SQLite's single writer serialises the claims) and gives it a
   lease (``claimed_until``) and an attempt;
2. work: the handler runs outside any transaction and opens its own short ones; it must be
   idempotent, since a worker that dies leaves the event to be claimed again once its lease
   ends;
3. done: a short transaction marks the event done, or records the error and keeps it leased
   for a growing wait (``retry_wait``: 16 s, 64 s, 256 s, ..., as the task queue waits
   between a job's attempts), then frees it for a retry, up to ``MAX_ATTEMPTS`` attempts.

On PostgreSQL the worker relays instead of claiming (``relay_pending``): one transaction
takes pending events, inserts one task-queue job per event through the same connection and
marks the events relayed, so an event becomes exactly one job or none, whatever crashes or
concurrent relays happen. The job then works its event with ``run_event``. A relayed event is
never claimed in-process, and a claimed (leased) one is never relayed.

Topics without a handler (``document.finalized`` and the other domain events) are taken by
delivery's dispatcher (``services/delivery/dispatch.py``, ADR 0021), which turns them into
webhook deliveries and mails.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.bulk import insert_rows
from beleg.db.database import Database
from beleg.db.tables import outbox_events

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)
RETRY_BASE = 4  # seconds; attempt n that fails waits RETRY_BASE ** (n + 1) (jobs/queue.py RETRY)
Handler = Callable[[Database, uuid.UUID, dict[str, Any], Clock], None]


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event on its way to the task queue."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    topic: str


Deferrer = Callable[[Any, Sequence[PendingEvent]], None]  # (DB-API connection, events)


def enqueue(
    session: Session, *, tenant_id: uuid.UUID, topic: str, payload: dict[str, Any], clock: Clock
) -> uuid.UUID:
    event_id = uuid.uuid4()
    session.execute(
        insert(outbox_events).values(
            id=event_id,
            tenant_id=tenant_id,
            topic=topic,
            payload=payload,
            created_at=clock.now(),
            attempts=0,
            claimed_until=None,
            done_at=None,
            relayed_at=None,
            last_error=None,
        )
    )
    return event_id


def enqueue_many(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    events: Sequence[tuple[str, dict[str, Any]]],
    clock: Clock,
) -> None:
    """Add ``(topic, payload)`` events in the caller's transaction, in one statement (a
    COPY on PostgreSQL)."""
    now = clock.now()
    insert_rows(
        session,
        outbox_events,
        [
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant_id,
                "topic": topic,
                "payload": payload,
                "created_at": now,
                "attempts": 0,
                "claimed_until": None,
                "done_at": None,
                "relayed_at": None,
                "last_error": None,
            }
            for topic, payload in events
        ],
    )


def run_pending(
    *,
    db: Database,
    handlers: dict[str, Handler],
    clock: Clock,
    limit: int = 100,
    tenant_id: uuid.UUID | None = None,
) -> int:
    """Work up to ``limit`` pending events that have a handler; return how many succeeded."""
    done = 0
    for _ in range(limit):
        event = _claim(db, handlers.keys(), tenant_id, clock)
        if event is None:
            break
        try:
            handlers[event.topic](db, event.tenant_id, dict(event.payload), clock)
        except Exception as error:
            failed = f"{type(error).__name__}: {error}"[:2000]
            _finish(db, event.id, clock, error=failed, wait=retry_wait(event.attempts + 1))
        else:
            _finish(db, event.id, clock, error=None)
            done += 1
    return done


def retry_wait(attempt: int) -> timedelta:
    """How long an event whose attempt number ``attempt`` failed waits before the next one."""
    return timedelta(seconds=RETRY_BASE ** (attempt + 1))


def relay_pending(
    *,
    db: Database,
    topics: Iterable[str],
    defer: Deferrer,
    clock: Clock,
    limit: int = 100,
    tenant_id: uuid.UUID | None = None,
) -> int:
    """Hand up to ``limit`` pending events of ``topics`` (of one tenant, or all) to the task
    queue; return how many.

    ``defer`` inserts the jobs through the given connection, inside this transaction: the
    jobs exist exactly when their events are marked relayed (a relay that fails or dies
    leaves both unwritten, and the next relay takes the events again)."""
    query = select(outbox_events.c.id, outbox_events.c.tenant_id, outbox_events.c.topic)
    if tenant_id is not None:
        query = query.where(outbox_events.c.tenant_id == tenant_id)
    with db.transaction() as session:
        rows = session.execute(
            query.where(*_pending(topics, clock))
            .order_by(outbox_events.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return 0
        events = [PendingEvent(row.id, row.tenant_id, row.topic) for row in rows]
        defer(session.connection().connection.driver_connection, events)
        session.execute(
            update(outbox_events)
            .where(outbox_events.c.id.in_([event.id for event in events]))
            .values(relayed_at=clock.now())
        )
    return len(events)


def run_event(
    *, db: Database, event_id: uuid.UUID, handlers: dict[str, Handler], clock: Clock
) -> bool:
    """Work one relayed event (what its task-queue job does); False when there is nothing to
    do (already done, or a topic without a handler). A failing handler's error is recorded
    on the event and raised again, so that the task queue retries the job."""
    with db.transaction() as session:
        event = session.execute(
            select(outbox_events).where(outbox_events.c.id == event_id).with_for_update()
        ).first()
        if event is None or event.done_at is not None or event.topic not in handlers:
            return False
        session.execute(
            update(outbox_events)
            .where(outbox_events.c.id == event_id)
            .values(attempts=event.attempts + 1)
        )
    try:
        handlers[event.topic](db, event.tenant_id, dict(event.payload), clock)
    except Exception as error:
        _finish(db, event.id, clock, error=f"{type(error).__name__}: {error}"[:2000])
        raise
    _finish(db, event.id, clock, error=None)
    return True


def _pending(topics: Iterable[str], clock: Clock) -> list[ColumnElement[bool]]:
    """Not done, not relayed, not leased to a worker, attempts left."""
    now = clock.now()
    return [
        outbox_events.c.done_at.is_(None),
        outbox_events.c.relayed_at.is_(None),
        outbox_events.c.topic.in_(list(topics)),
        outbox_events.c.attempts < MAX_ATTEMPTS,
        or_(outbox_events.c.claimed_until.is_(None), outbox_events.c.claimed_until < now),
    ]


def _claim(db: Database, topics: Iterable[str], tenant_id: uuid.UUID | None, clock: Clock) -> Any:
    now = clock.now()
    query = select(outbox_events).where(*_pending(topics, clock))
    if tenant_id is not None:
        query = query.where(outbox_events.c.tenant_id == tenant_id)
    with db.transaction() as session:
        row = session.execute(
            query.order_by(outbox_events.c.created_at).limit(1).with_for_update(skip_locked=True)
        ).first()
        if row is not None:
            session.execute(
                update(outbox_events)
                .where(outbox_events.c.id == row.id)
                .values(claimed_until=now + LEASE, attempts=row.attempts + 1)
            )
        return row


def _finish(
    db: Database,
    event_id: uuid.UUID,
    clock: Clock,
    *,
    error: str | None,
    wait: timedelta | None = None,
) -> None:
    """Done, or failed with ``error`` and leased for ``wait`` (no retry before then)."""
    now = clock.now()
    values: dict[str, Any] = {"claimed_until": now + wait if wait else None, "last_error": error}
    if error is None:
        values["done_at"] = now
    with db.transaction() as session:
        session.execute(
            update(outbox_events).where(outbox_events.c.id == event_id).values(**values)
        )
