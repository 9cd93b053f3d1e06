"""The background worker (``beleg worker``): delivers what the outbox holds and fires what
time brings (DESIGN.md "Background work").

Each round works the pending outbox events of the registered topics in this process
(``jobs/handlers.py``: rendering PDFs; any number of workers may run at once: outbox rows are
claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and issues due subscription invoices of
every tenant, on the tenant's own clock (its TestClock when it has one), then delivers its
webhooks and mails (``services/delivery/work.py``). This is the worker on
SQLite, ``beleg worker --once`` and the embedded worker; a ``beleg worker`` on PostgreSQL
hands the events to the task queue instead and keeps only the due work here
(``jobs/queue_worker.py``). Requests never render: a finalised document's PDF waits in the
outbox for a worker (or is rendered when it is asked for first).

The loop outlives its failures: a render that fails is recorded on its outbox event and
retried by a later claim (``db/outbox.py``), a tenant whose due invoices fail does not hold up
the others, and a round that fails as a whole (the database briefly unreachable) is logged and
tried again after the idle interval. It ends when its ``stop`` signal is set, between two
PDFs.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Protocol

import structlog

from beleg.adapters.mail import transport_for
from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.outbox import run_pending
from beleg.domain.identity.principal import system_actor
from beleg.jobs.handlers import HANDLERS
from beleg.queries.identity.lists import all_tenant_ids
from beleg.services.billing.catch_up import catch_up
from beleg.services.delivery.mail_sending import Mailer
from beleg.services.delivery.work import deliver_due
from beleg.settings import get_settings

log = structlog.get_logger("beleg.worker")
EVENT_BATCH = 20  # events (PDFs) worked between two looks at the stop signal


class Stop(Protocol):
    """What ends the loop: a ``threading.Event`` or a ``multiprocessing`` one."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class _Never:
    def is_set(self) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        time.sleep(timeout or 0)
        return False


@dataclass(frozen=True, slots=True)
class DueWork:
    invoices: int  # invoices issued and billing runs worked
    deliveries: int  # events dispatched, webhooks and mails sent or retried

    @property
    def busy(self) -> bool:
        return bool(self.invoices or self.deliveries)


@dataclass(frozen=True, slots=True)
class Round:
    events: int  # outbox events worked (PDFs rendered, ...)
    invoices: int
    deliveries: int = 0


def run_round(*, db: Database, clock: Clock, limit: int = 500, stop: Stop | None = None) -> Round:
    """Work up to ``limit`` pending outbox events, then the due work of every tenant."""
    stop = stop or _Never()
    events = _work_events(db=db, clock=clock, limit=limit, stop=stop)
    if stop.is_set():
        return Round(events, 0)
    due = run_due_work(db=db, clock=clock, stop=stop)
    return Round(events, due.invoices, due.deliveries)


def run_due_work(*, db: Database, clock: Clock, stop: Stop | None = None) -> DueWork:
    """What time brings, for every tenant on its own clock: contract ends, due invoices, then
    webhooks and mails. One tenant's failure is logged and does not hold up the others, and
    a failing delivery does not hold up the tenant's billing."""
    stop = stop or _Never()
    invoices = deliveries = 0
    allow_loopback = get_settings().webhooks_allow_loopback  # BELEG_WEBHOOKS_ALLOW_LOOPBACK
    mailer = settings_mailer()  # None: BELEG_SMTP_URL is malformed (logged), mails wait
    for tenant_id in all_tenant_ids(db=db):
        if stop.is_set():
            break
        try:
            invoices += _tenant_due_invoices(db=db, clock=clock, tenant_id=tenant_id)
        except Exception:
            log.exception("worker.due_invoices_failed", tenant_id=str(tenant_id))
        try:
            done = deliver_due(
                db=db,
                tenant_id=tenant_id,
                clock=clock,
                allow_loopback=allow_loopback,
                mailer=mailer,
            )
            deliveries += done.count
        except Exception:
            log.exception("worker.delivery_failed", tenant_id=str(tenant_id))
    return DueWork(invoices, deliveries)


def work_pending(*, db: Database, tenant_id: uuid.UUID | None, clock: Clock, limit: int) -> int:
    """Work up to ``limit`` pending events of the registered topics here (of one tenant, or
    all); return how many succeeded."""
    return run_pending(db=db, handlers=HANDLERS, clock=clock, limit=limit, tenant_id=tenant_id)


def run_forever(*, db: Database, clock: Clock, interval: float, stop: Stop | None = None) -> None:
    """Work round after round until ``stop`` is set; wait ``interval`` seconds when idle."""
    stop = stop or _Never()
    while not stop.is_set():
        try:
            done = run_round(db=db, clock=clock, stop=stop)
        except Exception:
            log.exception("worker.round_failed")
            done = Round(0, 0)
        if not (done.events or done.invoices or done.deliveries):
            stop.wait(interval)


def _work_events(*, db: Database, clock: Clock, limit: int, stop: Stop) -> int:
    worked = 0
    while worked < limit and not stop.is_set():
        batch = min(EVENT_BATCH, limit - worked)
        done = work_pending(db=db, tenant_id=None, clock=clock, limit=batch)
        worked += done
        if done < batch:
            break
    return worked


def settings_mailer() -> Mailer | None:
    """The mail transport and default sender of BELEG_SMTP_URL, BELEG_MAIL_DIR and
    BELEG_MAIL_FROM; None (logged) when the URL is malformed: billing goes on, mails wait."""
    settings = get_settings()
    try:
        transport = transport_for(smtp_url=settings.smtp_url, mail_dir=settings.mail_dir)
    except ValueError:
        log.exception("worker.smtp_url_invalid")
        return None
    return Mailer(transport=transport, default_sender=settings.mail_from)


def _tenant_due_invoices(*, db: Database, clock: Clock, tenant_id: uuid.UUID) -> int:
    """What the tenant's day brings: contract ends, due template invoices, the scheduled
    billing run (and any cut-off run resumed); the count of invoices and runs."""
    actor = system_actor(tenant_id, "worker")
    chunk_size = get_settings().billing_chunk_size  # BELEG_BILLING_CHUNK_SIZE
    return catch_up(db=db, actor=actor, tenant_id=tenant_id, clock=clock, chunk_size=chunk_size)
