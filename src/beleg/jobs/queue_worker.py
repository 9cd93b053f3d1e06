"""``beleg worker`` on PostgreSQL: procrastinate's worker plus the relay and the scheduler,
in one event loop of one process (ADR 0018).

Three things run until the stop signal:

- procrastinate's async worker runs jobs (``jobs/queue.py`` ``TASK``), ``concurrency`` at a
  time, each in a thread of its own (the handlers are synchronous); it takes jobs with
  procrastinate's row locks, so any number of workers on any number of machines run each job
  once, and it writes a heartbeat every ``heartbeat_seconds``;
- the scheduler round, in a thread: relay the pending outbox events into jobs, then the due
  work of every tenant on its own clock (contract ends, due subscription invoices;
  ``jobs/worker.py`` ``run_due_work``), as the in-process worker does;
- after each round, the jobs of workers whose heartbeat is older than ``stalled_seconds`` are
  put back in the queue, so a SIGKILLed worker's job is worked by another worker; every ten
  minutes the jobs that succeeded more than ``keep_jobs_hours`` ago are deleted.

The due work stays in this loop instead of becoming a procrastinate periodic task: it must
follow each tenant's own clock (a TestClock advanced through the API fires at once, not at the
next cron minute), and it is safe to run in every worker at once (a contract item is billed at
most once per period, DESIGN.md invariant 3), as it was before the task queue.

On stop the scheduler finishes its round, the worker stops taking jobs and waits for the
running ones (up to ``STOP_TIMEOUT`` seconds), unregisters and closes its pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import procrastinate
import structlog

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.jobs.queue import (
    QUEUE,
    RUNTIME,
    Runtime,
    deferring_app,
    prune_finished,
    relay,
    retry_stalled,
    worker_app,
)
from beleg.jobs.worker import Stop, run_due_work

log = structlog.get_logger("beleg.worker")
STOP_TIMEOUT = 20.0  # seconds running jobs may take to finish when the worker stops
PRUNE_SECONDS = 600.0  # how often a worker deletes old succeeded jobs


@dataclass(frozen=True, slots=True)
class QueueOptions:
    concurrency: int = 4
    interval: float = 2.0  # seconds the scheduler waits when a round found nothing to do
    heartbeat_seconds: float = 10.0
    stalled_seconds: float = 30.0
    keep_jobs_hours: int = 168
    kill_at_job: int = 0  # test hook (BELEG_FAULT_KILL_IN_JOB)


def run_queue_worker(*, db: Database, clock: Clock, options: QueueOptions, stop: Stop) -> None:
    """Run until ``stop`` is set (the caller's signal handlers set it)."""
    asyncio.run(_serve(db, clock, options, stop))


async def _serve(db: Database, clock: Clock, options: QueueOptions, stop: Stop) -> None:
    app = worker_app(db.url, pool_size=options.concurrency + 2)
    runtime = Runtime(db=db, clock=clock, kill_at_job=options.kill_at_job)
    async with app.open_async():
        worker = asyncio.create_task(
            app.run_worker_async(
                queues=[QUEUE],
                concurrency=options.concurrency,
                install_signal_handlers=False,  # ours set ``stop``
                update_heartbeat_interval=options.heartbeat_seconds,
                stalled_worker_timeout=options.stalled_seconds,
                shutdown_graceful_timeout=STOP_TIMEOUT,
                additional_context={RUNTIME: runtime},
            ),
            name="procrastinate-worker",
        )
        log.info("worker.queue_started", concurrency=options.concurrency)
        try:
            await _schedule(app, _Scheduled(db, clock, options, stop), worker)
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
    log.info("worker.queue_stopped")


@dataclass(frozen=True, slots=True)
class _Scheduled:
    db: Database
    clock: Clock
    options: QueueOptions
    stop: Stop


async def _schedule(
    app: procrastinate.App, scheduled: _Scheduled, worker: asyncio.Task[None]
) -> None:
    relay_app = deferring_app()
    stop, options = scheduled.stop, scheduled.options
    pruned_at = -PRUNE_SECONDS
    while not stop.is_set() and not worker.done():
        try:
            busy = await asyncio.to_thread(_round, scheduled.db, scheduled.clock, relay_app, stop)
            await retry_stalled(app, stalled_seconds=options.stalled_seconds)
            if time.monotonic() - pruned_at >= PRUNE_SECONDS:
                await prune_finished(app, keep_hours=options.keep_jobs_hours)
                pruned_at = time.monotonic()
        except Exception:
            log.exception("worker.round_failed")
            busy = False
        if not busy:
            await asyncio.wait([worker], timeout=options.interval)
    if not stop.is_set():
        # the task-queue worker ended by itself (its database went away): exit non-zero, so
        # that the supervisor starts the process again
        raise RuntimeError("the task-queue worker stopped") from worker.exception()


def _round(db: Database, clock: Clock, relay_app: procrastinate.App, stop: Stop) -> bool:
    relayed = relay(db=db, clock=clock, app=relay_app)
    if stop.is_set():
        return bool(relayed)
    due = run_due_work(db=db, clock=clock, stop=stop)
    return bool(relayed) or due.busy
