"""What fires when a tenant's time passes, as if it had passed (DESIGN.md "TestClock"), in
order: terminated contracts whose last day of service is over end, subscription invoices of
document templates whose date has come (seed 003 §7 item 21), then the scheduled billing run
through today (when the tenant's switch is on; a cut-off run is resumed first). Renewals,
phase ends and scheduled plan changes need no event: the contract's terms and item versions
already say what each day costs. The test clock, the worker and the demo call it."""

from __future__ import annotations

import uuid

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.billing.runs import CHUNK_SIZE
from beleg.domain.identity.principal import Actor
from beleg.services.billing.scheduling import run_scheduled
from beleg.services.contracts.terminations import end_contracts
from beleg.services.documents.templates import run_due_subscriptions
from beleg.services.tenancy.test_clock import business_today


def catch_up(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    clock: Clock,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Fire the tenant's due work; the number of template invoices and billing runs (the
    scheduled run in chunks of about ``chunk_size`` contracts)."""
    today = business_today(db=db, tenant_id=tenant_id, system=clock)
    end_contracts(db=db, actor=actor, tenant_id=tenant_id, today=today, clock=clock)
    invoices = run_due_subscriptions(
        db=db, actor=actor, tenant_id=tenant_id, today=today, clock=clock
    )
    run = run_scheduled(
        db=db, actor=actor, tenant_id=tenant_id, today=today, clock=clock, chunk_size=chunk_size
    )
    return len(invoices) + (0 if run is None else 1)
