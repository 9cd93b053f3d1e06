"""The background worker (``beleg worker``): delivers what the outbox holds and fires what
time brings (DESIGN.md "Background work").

Each round renders pending PDFs (any number of workers may run at once: outbox rows are
claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and issues due subscription invoices of
every tenant, on the tenant's own clock (its TestClock when it has one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.tables import tenants
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.domain.identity.scopes import TENANT_SCOPES
from beleg.services.documents.pdf import render_pending
from beleg.services.documents.templates import run_due_subscriptions
from beleg.services.tenancy.test_clock import business_today


@dataclass(frozen=True, slots=True)
class Round:
    pdfs: int
    invoices: int


def run_round(*, db: Database, clock: Clock) -> Round:
    pdfs = render_pending(db=db, tenant_id=None, clock=clock, limit=500)
    with db.reader() as session:
        tenant_ids = session.execute(select(tenants.c.id)).scalars().all()
    invoices = 0
    for tenant_id in tenant_ids:
        actor = Actor(
            Principal(
                tenant_id=tenant_id,
                actor_type=ActorType.SYSTEM,
                actor_id=None,
                name="worker",
                scopes=TENANT_SCOPES,
            )
        )
        today = business_today(db=db, tenant_id=tenant_id, system=clock)
        invoices += len(
            run_due_subscriptions(db=db, actor=actor, tenant_id=tenant_id, today=today, clock=clock)
        )
    return Round(pdfs, invoices)


def run_forever(*, db: Database, clock: Clock, interval: float) -> None:
    while True:
        done = run_round(db=db, clock=clock)
        if not (done.pdfs or done.invoices):
            time.sleep(interval)
