"""The transactional outbox: events and jobs written in the transaction of the change that
causes them, delivered after commit (DESIGN.md "Background work").

``enqueue`` adds a row in the caller's transaction, so an event exists exactly when its change
committed. ``run_pending`` claims rows one at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so any number of workers in any number of processes share the queue; SQLite's single writer
serialises them) and runs the handler of the row's topic in the same transaction that marks it
done: a crashed handler leaves the row pending, a failing one records its error and is retried
up to ``MAX_ATTEMPTS`` times. Topics without a handler (``document.finalized`` and the other
domain events) stay in the outbox for the webhook dispatcher.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.tables import outbox_events

MAX_ATTEMPTS = 5
Handler = Callable[[Session, uuid.UUID, dict[str, Any], Clock], None]


def enqueue(session: Session, *, tenant_id: uuid.UUID, topic: str, payload: dict[str, Any],
            clock: Clock) -> uuid.UUID:
    event_id = uuid.uuid4()
    session.execute(insert(outbox_events).values(
        id=event_id, tenant_id=tenant_id, topic=topic, payload=payload,
        created_at=clock.now(), attempts=0, done_at=None, last_error=None))
    return event_id


def run_pending(*, db: Database, handlers: dict[str, Handler], clock: Clock,
                limit: int = 100, tenant_id: uuid.UUID | None = None) -> int:
    """Run up to ``limit`` pending events that have a handler; return how many succeeded."""
    done = 0
    for _ in range(limit):
        outcome = _run_one(db, handlers, clock, tenant_id)
        if outcome is None:
            break
        done += outcome
    return done


def _run_one(db: Database, handlers: dict[str, Handler], clock: Clock,
             tenant_id: uuid.UUID | None) -> int | None:
    """1 if an event ran, 0 if it failed, None if nothing is pending."""
    failed: tuple[uuid.UUID, str] | None = None
    with db.transaction() as session:
        row = _claim(session, handlers.keys(), tenant_id)
        if row is None:
            return None
        try:
            with session.begin_nested():
                handlers[row.topic](session, row.tenant_id, dict(row.payload), clock)
        except Exception as error:
            failed = (row.id, f"{type(error).__name__}: {error}"[:2000])
        else:
            session.execute(update(outbox_events).where(outbox_events.c.id == row.id)
                            .values(done_at=clock.now(), attempts=row.attempts + 1))
            return 1
    with db.transaction() as session:
        session.execute(update(outbox_events).where(outbox_events.c.id == failed[0]).values(
            attempts=outbox_events.c.attempts + 1, last_error=failed[1]))
    return 0


def _claim(session: Session, topics: Iterable[str], tenant_id: uuid.UUID | None) -> Any:
    query = select(outbox_events).where(
        outbox_events.c.done_at.is_(None), outbox_events.c.topic.in_(list(topics)),
        outbox_events.c.attempts < MAX_ATTEMPTS)
    if tenant_id is not None:
        query = query.where(outbox_events.c.tenant_id == tenant_id)
    return session.execute(query.order_by(outbox_events.c.created_at).limit(1)
                           .with_for_update(skip_locked=True)).first()
