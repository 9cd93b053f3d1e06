"""Real ``beleg worker`` processes on PostgreSQL (ADR 0018): two of them render every PDF
exactly once; a worker SIGKILLed in the middle of a job leaves it to another worker, which
works it; the chunks of a billing run started without waiting are worker jobs.
PostgreSQL only (the task queue); on SQLite the worker renders in-process
(tests/cli/test_worker_process.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import URL, create_engine, make_url, select, text
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.schema import upgrade_to_head
from beleg.db.tables import outbox_events, sales_document_files
from beleg.services.documents.create import create_document
from tests.api.test_v2_catalogue import call
from tests.api.test_v2_contracts import contract, customer, freeze, setup
from tests.cli.test_commands import BELEG, _invoice
from tests.conftest import TenantFixture, make_tenant, system_actor
from tests.conftest import test_settings as settings_of
from tests.scenarios.billing_invariants import assert_billing_invariants

NOT_ON_SQLITE = "procrastinate runs on PostgreSQL only; set BELEG_TEST_DATABASE_URL (CI does)"
WAIT = 120.0  # seconds a worker may take for what a test asks; never a timing assertion


@pytest.fixture(scope="module")
def queue_url(db: Database, database_url: str) -> Iterator[str]:
    """A database of its own for these workers: a worker works every tenant's outbox and due
    work, and the shared test database holds the pending events and tenants of every other
    test (a worker killed in "its" job would die in an older test's)."""
    if db.dialect != "postgresql":
        pytest.skip(NOT_ON_SQLITE)
    url = make_url(database_url)
    name = f"{url.database}_queue"
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{name}"')
    own = url.set(database=name).render_as_string(hide_password=False)
    database = Database(own)
    upgrade_to_head(db=database)
    database.dispose()
    try:
        yield own
    finally:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(url: URL, statement: str) -> None:
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


@pytest.fixture
def pg(queue_url: str) -> Iterator[Database]:
    database = Database(queue_url)
    try:
        yield database
    finally:
        database.dispose()


class Workers:
    """``beleg worker`` processes on the test database, stopped (or killed) at the end."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
        environ |= {
            "BELEG_DATABASE_URL": self.url,
            "BELEG_LOG_LEVEL": "WARNING",
            "BELEG_WORKER_HEARTBEAT_SECONDS": "0.5",
            "BELEG_WORKER_STALLED_SECONDS": "3",
        } | env
        process = subprocess.Popen(
            [str(BELEG), "worker", "--interval", "0.2", *args],
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[str]) -> str:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        return output

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.communicate()


@pytest.fixture
def workers(pg: Database, queue_url: str) -> Iterator[Workers]:
    started = Workers(queue_url)
    try:
        yield started
    finally:
        started.close()


def _finalised(db: Database, tenant: TenantFixture) -> uuid.UUID:
    clock = SystemClock()
    return create_document(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        data=_invoice(clock.now().date()),
        clock=clock,
    )


def _until(condition: Callable[[], bool], seconds: float = WAIT) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _stored(db: Database, doc_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    with db.reader() as session:
        return list(
            session.execute(
                select(sales_document_files.c.document_id).where(
                    sales_document_files.c.document_id.in_(doc_ids)
                )
            ).scalars()
        )


def _render_events(db: Database, tenant: TenantFixture) -> list[Any]:
    with db.reader() as session:
        return list(
            session.execute(
                select(outbox_events).where(
                    outbox_events.c.tenant_id == tenant.id, outbox_events.c.topic == "render.pdf"
                )
            )
        )


def _jobs(db: Database, event_ids: list[uuid.UUID]) -> list[Any]:
    with db.reader() as session:
        return list(
            session.execute(
                text(
                    "SELECT id, status, attempts, queueing_lock, priority FROM procrastinate_jobs"
                    " WHERE queueing_lock = ANY(:keys)"
                ),
                {"keys": [str(event_id) for event_id in event_ids]},
            )
        )


def test_two_workers_render_every_pdf_exactly_once(
    pg: Database, workers: Workers, platform: dict[str, object]
) -> None:
    first = workers.start("--concurrency", "2")
    second = workers.start("--concurrency", "2")
    tenant = make_tenant(pg)
    doc_ids = [_finalised(pg, tenant) for _ in range(8)]
    assert _until(lambda: len(_stored(pg, doc_ids)) == len(doc_ids))
    assert sorted(_stored(pg, doc_ids)) == sorted(doc_ids)  # one stored PDF per document
    # the job stores the PDF, then marks its event done in a second transaction
    assert _until(lambda: all(e.done_at for e in _render_events(pg, tenant)))
    events = _render_events(pg, tenant)
    assert len(events) == len(doc_ids)
    # each event became one job and was worked once: one attempt, done, relayed
    assert all(e.attempts == 1 and e.done_at and e.relayed_at for e in events), events
    assert _until(
        lambda: [j.status for j in _jobs(pg, [e.id for e in events])] == ["succeeded"] * 8
    )
    # procrastinate counts a finished run as an attempt: one run each, none retried
    assert all(job.attempts == 1 for job in _jobs(pg, [e.id for e in events]))
    for process in (first, second):
        output = workers.stop(process)
        assert process.returncode == 0, output
        assert "Traceback" not in output


def test_a_killed_workers_job_is_worked_by_another_worker(
    pg: Database, workers: Workers, platform: dict[str, object]
) -> None:
    doomed = workers.start("--concurrency", "1", BELEG_FAULT_KILL_IN_JOB="1")
    tenant = make_tenant(pg)
    doc_id = _finalised(pg, tenant)
    doomed.wait(WAIT)  # it relays the event, takes the job and dies in it
    assert doomed.returncode == -signal.SIGKILL
    [event] = _render_events(pg, tenant)
    assert event.relayed_at is not None and event.done_at is None
    with pg.reader() as session:  # the job the dead worker held (maybe an older test's)
        [held] = session.execute(
            text("SELECT id FROM procrastinate_jobs WHERE status = 'doing'")
        ).scalars()
    survivor = workers.start("--concurrency", "1")
    assert _until(lambda: _stored(pg, [doc_id]) == [doc_id])
    [after] = _render_events(pg, tenant)
    assert after.done_at is not None and after.attempts == 1  # the dead worker never began it
    # put back once (an attempt), then worked (another)
    assert _until(lambda: _job(pg, held) == ("succeeded", 2))
    output = workers.stop(survivor)
    assert survivor.returncode == 0, output


def _job(db: Database, job_id: int) -> tuple[str, int]:
    with db.reader() as session:
        status, attempts = session.execute(
            text("SELECT status, attempts FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
        ).one()
    return str(status), int(attempts)


def test_a_run_started_without_waiting_is_billed_by_the_workers_chunk_jobs(
    pg: Database, workers: Workers, queue_url: str
) -> None:
    """``POST /v2/billing-runs {wait: false}`` hands every chunk to the task queue (one job
    per chunk, ``billing.chunk``); a ``beleg worker`` bills it and completes the run."""
    tenant = make_tenant(pg, test_mode=True, country="DE")
    with TestClient(create_app(settings=settings_of(queue_url), db=pg)) as client:
        freeze(client, tenant, "2026-05-01")
        first = setup(client, tenant)
        for customer_id in (first, customer(client, tenant), customer(client, tenant)):
            made = contract(client, tenant, customer_id, "2026-04-01")
            call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
        started = call(
            client, tenant, "POST", "/billing-runs", {"asOf": "2026-05-01", "wait": False},
            status=202,
        )  # fmt: skip
        assert started["status"] == "QUEUED"
        with pg.reader() as session:
            chunk_events = session.execute(
                select(outbox_events.c.id, outbox_events.c.payload).where(
                    outbox_events.c.tenant_id == tenant.id,
                    outbox_events.c.topic == "billing.chunk",
                )
            ).all()
        assert [e.payload for e in chunk_events] == [{"run": started["id"], "chunk": 0}]
        worker = workers.start("--concurrency", "2")
        path = f"/billing-runs/{started['id']}"
        assert _until(lambda: call(client, tenant, "GET", path)["status"] == "COMPLETED")
        done = call(client, tenant, "GET", path)
        # April and May of each of the three contracts, on one invoice per customer
        assert (done["contracts"], done["documents"]) == (
            {"total": 3, "done": 3, "failed": 0},
            3,
        )
    assert _until(
        lambda: [j.status for j in _jobs(pg, [e.id for e in chunk_events])] == ["succeeded"]
    )
    # a chunk goes before the PDFs of the documents issued before it
    assert [j.priority for j in _jobs(pg, [e.id for e in chunk_events])] == [10]
    output = workers.stop(worker)
    assert worker.returncode == 0, output
    assert_billing_invariants(pg, tenant.id)
