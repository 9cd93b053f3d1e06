"""The task queue fed by the outbox (ADR 0018): the relay makes exactly one procrastinate job
per event, however often it runs; the job works its event once; a relayed event is never
claimed in-process. PostgreSQL only (procrastinate has no SQLite), except the URL conversion
and the registry."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text, update

from beleg.clock import FixedClock, SystemClock
from beleg.db.database import Database
from beleg.db.outbox import run_event, run_pending
from beleg.db.tables import outbox_events, sales_document_files
from beleg.jobs.handlers import HANDLERS
from beleg.jobs.queue import TASK, conninfo, deferring_app, prune_finished, relay, worker_app
from beleg.services.documents.create import create_document
from beleg.services.documents.einvoice_workflow import render_files_event
from tests.cli.test_commands import _invoice
from tests.conftest import TenantFixture, make_tenant, system_actor

NOW = FixedClock(datetime(2026, 12, 2, 12, tzinfo=UTC))
NOT_ON_SQLITE = "procrastinate runs on PostgreSQL only; set BELEG_TEST_DATABASE_URL (CI does)"


@pytest.fixture
def pg(db: Database) -> Database:
    if db.dialect != "postgresql":
        pytest.skip(NOT_ON_SQLITE)
    return db


def test_conninfo_is_the_libpq_form_of_the_sqlalchemy_url() -> None:
    assert (
        conninfo("postgresql+psycopg://beleg:s%40cret@db.example:6432/beleg?sslmode=require")
        == "postgresql://beleg:s%40cret@db.example:6432/beleg?sslmode=require"
    )
    assert conninfo("postgresql://postgres@127.0.0.1/x") == "postgresql://postgres@127.0.0.1/x"
    with pytest.raises(ValueError, match="PostgreSQL"):
        conninfo("sqlite:///./beleg.db")


def test_rendering_pdfs_is_a_registered_topic() -> None:
    # the PDF, then the e-invoice its customer wants (services/documents/einvoice_workflow.py)
    assert HANDLERS["render.pdf"] is render_files_event


def _finalised(db: Database, tenant: TenantFixture) -> tuple[uuid.UUID, uuid.UUID]:
    """A finalised invoice and its render.pdf event."""
    clock = SystemClock()
    doc_id = create_document(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        data=_invoice(clock.now().date()),
        clock=clock,
    )
    with db.reader() as session:
        rows = session.execute(
            select(outbox_events.c.id, outbox_events.c.payload).where(
                outbox_events.c.tenant_id == tenant.id, outbox_events.c.topic == "render.pdf"
            )
        ).all()
    [event_id] = [row.id for row in rows if row.payload["id"] == str(doc_id)]
    return doc_id, event_id


def _jobs(db: Database, event_id: uuid.UUID) -> list[Any]:
    with db.reader() as session:
        return list(
            session.execute(
                text(
                    "SELECT id, task_name, status, lock, queueing_lock, priority, args"
                    " FROM procrastinate_jobs WHERE queueing_lock = :key"
                ),
                {"key": str(event_id)},
            )
        )


def _event(db: Database, event_id: uuid.UUID) -> Any:
    with db.reader() as session:
        return session.execute(select(outbox_events).where(outbox_events.c.id == event_id)).one()


def _drop_jobs(db: Database, event_id: uuid.UUID) -> None:
    """Leave no waiting job behind for the worker processes of later tests."""
    with db.transaction() as session:
        session.execute(
            text("DELETE FROM procrastinate_jobs WHERE queueing_lock = :key"),
            {"key": str(event_id)},
        )


def test_relaying_twice_makes_one_job(pg: Database, platform: dict[str, object]) -> None:
    tenant = make_tenant(pg)
    _, event_id = _finalised(pg, tenant)
    app = deferring_app()
    try:
        assert relay(db=pg, clock=NOW, app=app, tenant_id=tenant.id) == 1
        assert relay(db=pg, clock=NOW, app=app, tenant_id=tenant.id) == 0  # marked relayed
        [job] = _jobs(pg, event_id)
        assert (job.task_name, job.status, job.queueing_lock) == (TASK, "todo", str(event_id))
        assert (job.lock, job.priority) == (None, 0)  # no lock: its check slows the fetch
        assert job.args == {"event_id": str(event_id)}
        assert _event(pg, event_id).relayed_at == NOW.instant
        # a relayed event is the queue's: the in-process loop leaves it alone
        assert run_pending(db=pg, handlers=HANDLERS, clock=NOW, tenant_id=tenant.id) == 0
    finally:
        _drop_jobs(pg, event_id)


def test_a_relay_repeated_after_its_mark_was_lost_still_makes_one_job(
    pg: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(pg)
    _, event_id = _finalised(pg, tenant)
    _, other_id = _finalised(pg, tenant)
    app = deferring_app()
    try:
        assert relay(db=pg, clock=NOW, app=app, tenant_id=tenant.id, limit=1) == 1
        with pg.transaction() as session:  # as if the relayed mark had never been written
            session.execute(
                update(outbox_events)
                .where(outbox_events.c.tenant_id == tenant.id)
                .values(relayed_at=None)
            )
        # the waiting job's queueing lock refuses a second one; the other event still relays
        assert relay(db=pg, clock=NOW, app=app, tenant_id=tenant.id) == 2
        assert len(_jobs(pg, event_id)) == 1
        assert len(_jobs(pg, other_id)) == 1
    finally:
        _drop_jobs(pg, event_id)
        _drop_jobs(pg, other_id)


def test_the_job_works_its_event_once(pg: Database, platform: dict[str, object]) -> None:
    tenant = make_tenant(pg)
    doc_id, event_id = _finalised(pg, tenant)
    try:
        relay(db=pg, clock=NOW, app=deferring_app(), tenant_id=tenant.id)
        assert run_event(db=pg, event_id=event_id, handlers=HANDLERS, clock=NOW) is True
        assert run_event(db=pg, event_id=event_id, handlers=HANDLERS, clock=NOW) is False
        event = _event(pg, event_id)
        assert event.done_at == NOW.instant and event.attempts == 1 and event.last_error is None
        with pg.reader() as session:
            stored = session.execute(
                select(sales_document_files.c.document_id).where(
                    sales_document_files.c.document_id == doc_id
                )
            ).all()
        assert len(stored) == 1
    finally:
        _drop_jobs(pg, event_id)


def test_a_failing_handler_is_recorded_and_raised_for_the_queue_to_retry(
    pg: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(pg)
    _, event_id = _finalised(pg, tenant)

    def broken(*_args: Any) -> None:
        raise RuntimeError("printer on fire")

    with pytest.raises(RuntimeError, match="printer on fire"):
        run_event(db=pg, event_id=event_id, handlers={"render.pdf": broken}, clock=NOW)
    event = _event(pg, event_id)
    assert event.done_at is None and event.attempts == 1
    assert event.last_error == "RuntimeError: printer on fire"
    assert run_event(db=pg, event_id=event_id, handlers=HANDLERS, clock=NOW) is True
    assert _event(pg, event_id).attempts == 2


def test_jobs_that_succeeded_long_ago_are_deleted(
    pg: Database, platform: dict[str, object]
) -> None:
    """The worker prunes the queue (every ten minutes): jobs that succeeded more than
    BELEG_WORKER_KEEP_JOBS_HOURS ago go, newer ones and unfinished ones stay."""
    tenant = make_tenant(pg)
    _, old_id = _finalised(pg, tenant)
    _, recent_id = _finalised(pg, tenant)
    _, waiting_id = _finalised(pg, tenant)
    try:
        assert relay(db=pg, clock=NOW, app=deferring_app(), tenant_id=tenant.id) == 3
        done = {"keys": [str(old_id), str(recent_id)], "old": str(old_id)}
        with pg.transaction() as session:
            session.execute(
                text(
                    "UPDATE procrastinate_jobs SET status = 'succeeded'"
                    " WHERE queueing_lock = ANY(:keys)"
                ),
                done,
            )
            session.execute(
                text(
                    "UPDATE procrastinate_events SET at = now() - interval '200 hours' WHERE"
                    " job_id IN (SELECT id FROM procrastinate_jobs WHERE queueing_lock = :old)"
                ),
                done,
            )
        asyncio.run(_prune(pg, keep_hours=168))
        assert _jobs(pg, old_id) == []
        assert [j.status for j in _jobs(pg, recent_id)] == ["succeeded"]
        assert [j.status for j in _jobs(pg, waiting_id)] == ["todo"]
    finally:
        for event_id in (old_id, recent_id, waiting_id):
            _drop_jobs(pg, event_id)


async def _prune(db: Database, *, keep_hours: int) -> None:
    app = worker_app(db.url, pool_size=1)
    async with app.open_async():
        await prune_finished(app, keep_hours=keep_hours)
