"""The PostgreSQL task queue: procrastinate, fed by the transactional outbox (DESIGN.md
"Background work", ADR 0018).

The outbox stays the source of truth. A service enqueues an event in its own transaction; a
worker's relay (``relay``) takes pending events of the topics in ``jobs/handlers.py`` and, in
one transaction on one connection, inserts one procrastinate job per event and marks the
events relayed (``db/outbox.py`` ``relay_pending``). Every job carries its event id as its
``queueing_lock`` (a second waiting job of one event is refused), so an event becomes exactly
one job even if a relay is repeated. Jobs carry no procrastinate ``lock``: its check in the
queue's fetch grows with the number of waiting jobs (with 100,000 PDFs waiting after a large
billing run a fetch took 30 s, ``bench/billing_run.py``), and the handlers are idempotent
anyway. A billing chunk outranks everything else (``PRIORITIES``), so a run's chunks never
wait behind the PDFs of the documents it has issued.

The job (``TASK``) works its event through the registered handler (``run_event``): a done event
is skipped, a failing handler is retried by procrastinate (``RETRY``) with its error recorded
on the event. A job whose worker died (SIGKILL, lost machine) stays ``doing`` until another
worker sees the dead worker's heartbeat is older than ``BELEG_WORKER_STALLED_SECONDS`` and
puts the job back (``retry_stalled``); handlers are idempotent, so working it again is safe.

SQLite has no procrastinate: there the worker loop works the same handlers in-process
(``jobs/worker.py``).
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import procrastinate
import structlog
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Job
from sqlalchemy.engine import make_url

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.outbox import PendingEvent, relay_pending, run_event
from beleg.jobs.handlers import HANDLERS, PRIORITIES

log = structlog.get_logger("beleg.worker")
TASK = "beleg.outbox_event"  # the one task: work an outbox event
QUEUE = "beleg"
RUNTIME = "beleg"  # key of the worker's Runtime in procrastinate's additional_context
RETRY = procrastinate.RetryStrategy(max_attempts=4, exponential_wait=4)  # waits 16 s, 64 s, ...
RELAY_BATCH = 200  # events relayed in one transaction


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL
    (``postgresql+psycopg://u:p@host/db?sslmode=require`` -> ``postgresql://u:p@host/db?...``)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"the task queue needs PostgreSQL, not {url.get_backend_name()}")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(slots=True)
class Runtime:
    """What a job needs from its worker process: the database, the clock, the test hook."""

    db: Database
    clock: Clock
    kill_at_job: int = 0  # BELEG_FAULT_KILL_IN_JOB; 0: never
    started: int = field(default=0)

    def job_started(self) -> None:
        self.started += 1
        if self.kill_at_job and self.started >= self.kill_at_job:
            log.warning("worker.fault_kill_in_job", job=self.started)
            os.kill(os.getpid(), signal.SIGKILL)


def _outbox_event(context: procrastinate.JobContext, event_id: str) -> None:
    runtime: Runtime = context.additional_context[RUNTIME]
    runtime.job_started()
    run_event(db=runtime.db, event_id=uuid.UUID(event_id), handlers=HANDLERS, clock=runtime.clock)


def worker_app(database_url: str, *, pool_size: int = 4) -> procrastinate.App:
    """The App a worker runs jobs with (an async connection pool, opened by the worker)."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(database_url), min_size=1, max_size=pool_size
    )
    return _with_tasks(procrastinate.App(connector=connector))


def deferring_app() -> procrastinate.App:
    """The App the relay defers with: it only ever runs on a connection it is given (the
    outbox transaction's), so it opens no pool of its own."""
    return _with_tasks(procrastinate.App(connector=procrastinate.SyncPsycopgConnector()))


def _with_tasks(app: procrastinate.App) -> procrastinate.App:
    app.task(name=TASK, queue=QUEUE, pass_context=True, retry=RETRY)(_outbox_event)
    return app


def relay(
    *,
    db: Database,
    clock: Clock,
    app: procrastinate.App,
    limit: int = RELAY_BATCH,
    tenant_id: uuid.UUID | None = None,
) -> int:
    """Turn up to ``limit`` pending outbox events (of one tenant, or all) into jobs; return
    how many."""

    def defer(connection: Any, events: Sequence[PendingEvent]) -> None:
        _defer_jobs(app, connection, [_job(app, event) for event in events])

    return relay_pending(
        db=db, topics=HANDLERS.keys(), defer=defer, clock=clock, limit=limit, tenant_id=tenant_id
    )


def _job(app: procrastinate.App, event: PendingEvent) -> Job:
    key = str(event.id)
    priority = PRIORITIES.get(event.topic, 0)
    deferrer = app.configure_task(TASK, queueing_lock=key, priority=priority)
    return deferrer.make_new_job(event_id=key)


def _defer_jobs(app: procrastinate.App, connection: Any, jobs: list[Job]) -> None:
    """All jobs in one statement; should one of them already wait (its event was relayed
    before and set back by hand), each in its own savepoint, skipping the waiting ones."""
    try:
        with connection.transaction():  # a savepoint inside the outbox transaction
            app.job_manager.batch_defer_jobs(jobs=jobs, connection=connection)
        return
    except queue_errors.AlreadyEnqueued:
        pass
    for job in jobs:
        try:
            with connection.transaction():
                app.job_manager.defer_job(job=job, connection=connection)
        except queue_errors.AlreadyEnqueued:
            log.info("worker.relay_already_enqueued", lock=job.queueing_lock)


async def prune_finished(app: procrastinate.App, *, keep_hours: int) -> None:
    """Delete the jobs that succeeded more than ``keep_hours`` ago: the queue's table would
    otherwise keep a row per PDF and chunk forever (the outbox event is the record)."""
    await app.job_manager.delete_old_jobs(nb_hours=keep_hours, queue=QUEUE)


async def retry_stalled(app: procrastinate.App, *, stalled_seconds: float) -> int:
    """Put the running jobs of workers silent for ``stalled_seconds`` back in the queue."""
    retried = 0
    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=stalled_seconds
    )
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except queue_errors.ConnectorException:  # another worker put it back first
            continue
        log.warning("worker.stalled_job_retried", job_id=job.id, dead_worker=job.worker_id)
        retried += 1
    return retried
