"""The worker loop as a process: ``beleg worker``, and the one child process that ``beleg
serve`` starts beside the server (``BELEG_EMBEDDED_WORKER``; on by default on the embedded
SQLite database), so that a newcomer gets PDFs while no request ever renders one.

The embedded child always works in-process, also on PostgreSQL (beside task-queue workers it
takes only events no relay has taken: ``db/outbox.py``). It is spawned (a fresh interpreter,
nothing of the server's state inherited), opens its own database connections and logs like
the server. It stops cleanly: the server sets its stop
event when it shuts down and waits for the PDF at hand; it ignores Ctrl-C (the terminal sends
it to the whole process group, and the server stops it after its own shutdown); and it stops
by itself when the server has gone without stopping it (killed).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from types import FrameType

import structlog

from beleg.api.observability import configure_logging
from beleg.cli.context import settle_start_up_objects
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.jobs.worker import Stop, run_forever
from beleg.settings import Settings

log = structlog.get_logger("beleg.worker")
EMBEDDED_INTERVAL = 2.0  # seconds the embedded worker waits when idle
STOP_TIMEOUT = 20.0  # seconds a stopping worker may take for the work at hand
PARENT_CHECK = 1.0  # seconds between two looks whether the server is still there


class _StopFlag:
    def __init__(self) -> None:
        self.event = threading.Event()

    def is_set(self) -> bool:
        return self.event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.event.wait(timeout)

    def set(self, _signal: int = 0, _frame: FrameType | None = None) -> None:
        self.event.set()


def run_worker(
    *, db: Database, settings: Settings, interval: float, concurrency: int | None = None
) -> None:
    """``beleg worker`` until SIGTERM or Ctrl-C (which let the work at hand finish): the
    task-queue worker on PostgreSQL (``jobs/queue_worker.py``), the in-process loop on
    SQLite."""
    configure_logging(settings.log_level, settings.log_format)
    stop = _StopFlag()
    signal.signal(signal.SIGTERM, stop.set)
    signal.signal(signal.SIGINT, stop.set)
    if db.dialect != "postgresql":  # no task queue on SQLite
        settle_start_up_objects()
        run_forever(db=db, clock=SystemClock(), interval=interval, stop=stop)
        return
    # imported here: procrastinate costs every other command half a second of start-up
    from beleg.jobs.queue_worker import QueueOptions, run_queue_worker  # noqa: PLC0415

    settle_start_up_objects()
    options = QueueOptions(
        concurrency=concurrency or settings.worker_concurrency,
        interval=interval,
        heartbeat_seconds=settings.worker_heartbeat_seconds,
        stalled_seconds=settings.worker_stalled_seconds,
        keep_jobs_hours=settings.worker_keep_jobs_hours,
        kill_at_job=settings.fault_kill_in_job,
    )
    run_queue_worker(db=db, clock=SystemClock(), options=options, stop=stop)


@contextmanager
def embedded_worker(
    settings: Settings, *, interval: float = EMBEDDED_INTERVAL
) -> Iterator[BaseProcess]:
    """One worker loop in a child process for as long as the block runs."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    process = context.Process(
        target=_child,
        args=(settings.database_url, settings.log_level, settings.log_format, interval, stop),
        kwargs={"parent": os.getpid()},
        name="beleg-worker",
        daemon=True,
    )
    with _sigint_ignored():  # inherited by the child from its first instruction on
        process.start()
    log.info("worker.embedded_started", pid=process.pid)
    try:
        yield process
    finally:
        stop.set()
        process.join(STOP_TIMEOUT)
        if process.is_alive():
            process.kill()
            process.join()
        log.info("worker.embedded_stopped", pid=process.pid, exitcode=process.exitcode)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _child(
    database_url: str, log_level: str, log_format: str, interval: float, stop: Stop, *, parent: int
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(log_level, log_format)
    flag = _StopFlag()
    signal.signal(signal.SIGTERM, flag.set)
    watcher = threading.Thread(
        target=_watch, args=(stop, flag, parent), name="beleg-worker-watch", daemon=True
    )
    watcher.start()
    db = Database(database_url)
    try:
        run_forever(db=db, clock=SystemClock(), interval=interval, stop=flag)
    finally:
        db.dispose()


def _watch(stop: Stop, flag: _StopFlag, parent: int) -> None:
    """Raise ``flag`` when the server asks to stop or is gone (this process was re-parented)."""
    while not flag.is_set():
        if stop.wait(PARENT_CHECK) or os.getppid() != parent:
            flag.set()
