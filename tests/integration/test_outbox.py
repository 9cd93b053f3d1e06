"""The outbox: an event is worked once, outside the transaction that claims it; a failing
handler's error is recorded and the event retried; a leased event is not claimed twice; topics
without a handler stay pending."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from beleg.clock import Clock, FixedClock
from beleg.db.database import Database
from beleg.db.outbox import LEASE, _claim, enqueue, retry_wait, run_pending
from beleg.db.tables import outbox_events
from tests.conftest import make_tenant

NOW = FixedClock(datetime(2026, 11, 21, 12, tzinfo=UTC))


def _event(db: Database, event_id: uuid.UUID) -> Any:
    with db.reader() as session:
        return session.execute(select(outbox_events).where(outbox_events.c.id == event_id)).one()


def test_failures_are_recorded_and_retried(db: Database, platform: dict[str, object]) -> None:
    tenant = make_tenant(db)
    with db.transaction() as session:
        first = enqueue(
            session, tenant_id=tenant.id, topic="test.flaky", payload={"n": 1}, clock=NOW
        )
        other = enqueue(session, tenant_id=tenant.id, topic="test.unhandled", payload={}, clock=NOW)
    calls: list[int] = []

    def flaky(db_: Database, tenant_id: uuid.UUID, payload: dict[str, Any], clock: Clock) -> None:
        calls.append(payload["n"])
        if len(calls) == 1:
            raise RuntimeError("printer on fire")

    handlers = {"test.flaky": flaky}
    assert run_pending(db=db, handlers=handlers, clock=NOW, tenant_id=tenant.id) == 0
    failed = _event(db, first)
    assert (failed.attempts, failed.last_error) == (1, "RuntimeError: printer on fire")
    assert (
        failed.claimed_until == NOW.instant + retry_wait(1) == NOW.instant + timedelta(seconds=16)
    )
    soon = FixedClock(NOW.instant + timedelta(seconds=15))
    assert run_pending(db=db, handlers=handlers, clock=soon, tenant_id=tenant.id) == 0
    assert calls == [1]  # not retried before its wait is over
    later = FixedClock(NOW.instant + timedelta(seconds=17))
    assert run_pending(db=db, handlers=handlers, clock=later, tenant_id=tenant.id) == 1
    assert calls == [1, 1]
    done = _event(db, first)
    assert done.done_at is not None and done.attempts == 2 and done.claimed_until is None
    assert _event(db, other).done_at is None  # no handler: waits for its consumer
    assert run_pending(db=db, handlers=handlers, clock=later, tenant_id=tenant.id) == 0


def test_a_leased_event_is_not_claimed_again_until_the_lease_ends(
    db: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(db)
    with db.transaction() as session:
        event_id = enqueue(session, tenant_id=tenant.id, topic="test.lease", payload={}, clock=NOW)
    claimed = _claim(db, ["test.lease"], tenant.id, NOW)
    assert claimed.id == event_id
    assert _claim(db, ["test.lease"], tenant.id, NOW) is None  # a worker holds it
    later = FixedClock(NOW.instant + LEASE + LEASE)  # that worker died
    assert _claim(db, ["test.lease"], tenant.id, later).id == event_id
