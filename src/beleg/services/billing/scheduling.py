"""Scheduled billing runs (issue 14; seed 001: a tenant-level switch): when the tenant's day
has moved on since its last scheduled run, one run bills everything due through today, each
document dated on its own due day from the day after the last run (so advancing a test clock
by a month issues the month's invoices with their dates, in order). A run that was cut off is
resumed first; a run that dies is resumed by the next call and bills only what is missing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

from beleg.clock import Clock
from beleg.db.billing import groups as groups_db
from beleg.db.billing import runs as runs_db
from beleg.db.billing.runs import RunRecord
from beleg.db.database import Database
from beleg.domain.billing.runs import CHUNK_SIZE
from beleg.domain.identity.principal import Actor
from beleg.services.billing.runs import execute_run, start_run

ONE_DAY = timedelta(days=1)


def resume_runs(*, db: Database, actor: Actor, tenant_id: uuid.UUID, clock: Clock) -> int:
    """Finish every run of the tenant that is not completed; their number."""
    with db.reader() as session:
        unfinished = runs_db.unfinished_runs(session, tenant_id)
    for run_id in unfinished:
        execute_run(db=db, actor=actor, tenant_id=tenant_id, run_id=run_id, clock=clock)
    return len(unfinished)


def run_scheduled(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    today: date,
    clock: Clock,
    chunk_size: int = CHUNK_SIZE,
) -> RunRecord | None:
    """The tenant's scheduled run through ``today`` in chunks of about ``chunk_size``
    contracts (``BELEG_BILLING_CHUNK_SIZE``, as for the runs started by hand), when its switch
    is on and the last one billed through an earlier day; None when nothing was due."""
    resume_runs(db=db, actor=actor, tenant_id=tenant_id, clock=clock)
    with db.reader() as session:
        settings = groups_db.load_settings(session, tenant_id)
    through = settings.scheduled_through
    if not settings.scheduled_runs or (through is not None and through >= today):
        return None
    run = start_run(
        db=db,
        actor=actor,
        tenant_id=tenant_id,
        as_of=today,
        billing_group=None,
        clock=clock,
        dated_from=today if through is None else through + ONE_DAY,
        scheduled=True,
        chunk_size=chunk_size,
    )
    execute_run(db=db, actor=actor, tenant_id=tenant_id, run_id=run.id, clock=clock)
    with db.transaction() as session:
        current = groups_db.load_settings(session, tenant_id, lock=True)
        groups_db.save_settings(
            session, tenant_id, replace(current, scheduled_through=today), now=clock.now()
        )
    return run
