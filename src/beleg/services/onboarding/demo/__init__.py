"""``beleg demo`` (issue 14 item 7): a German double-entry test-mode tenant with a catalogue,
customers and their contracts, lived through a year on its test clock from 2026-01-01, the
billing runs issuing its invoices and credit notes; the API contracts' usage recorded month
by month, late usage included; and an API key to look at it with.

Deterministic: every draw comes from ``random.Random(seed)``; the same seed and customer
count give the same customers, contracts, events and amounts (numbers and ids aside).
One demo tenant per database: a second run is refused (409 ``tenancy.demo_exists``) and
names the tenant, since its key was shown once and the data is already there to look at.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date

from beleg import messages
from beleg.clock import Clock
from beleg.db import tenancy as tenancy_db
from beleg.db.database import Database
from beleg.domain.errors import Conflict
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.domain.identity.scopes import TENANT_SCOPES
from beleg.domain.tenancy.model import Tenant
from beleg.domain.tenancy.settings import AccountingMode
from beleg.services.identity.api_keys import create_api_key
from beleg.services.onboarding.demo.catalogue import install_catalogue
from beleg.services.onboarding.demo.contracts import sign_contracts
from beleg.services.onboarding.demo.customers import create_customers
from beleg.services.onboarding.demo.metering import meters
from beleg.services.onboarding.demo.story import (
    BERLIN,
    Stage,
    cast,
    live_year,
    move_to,
    usage_stops,
)
from beleg.services.onboarding.tenants import TenantInput, create_tenant

DEMO_NAME = messages.text("demo.tenant_name", "de")
FIRST_DAY = date(2026, 1, 1)
SEED = 2026
KEY_VALIDITY_DAYS = 90
# The operator creating a tenant acts before that tenant exists, outside any tenant.
OUTSIDE_ANY_TENANT = uuid.UUID(int=0)


@dataclass(frozen=True, slots=True)
class Demo:
    """The demo tenant, the API key (its token shown once) and the day its clock stands on."""

    tenant: Tenant
    token: str
    today: date
    contracts: int
    events: int
    usage_events: int


def demo_actor(tenant_id: uuid.UUID) -> Actor:
    """The demo acting in ``tenant_id`` with every tenant scope (audited as ``demo``)."""
    return Actor(
        Principal(
            tenant_id=tenant_id,
            actor_type=ActorType.SYSTEM,
            actor_id=None,
            name="demo",
            scopes=TENANT_SCOPES,
        )
    )


def existing_demo(*, db: Database) -> Tenant | None:
    with db.reader() as session:
        return tenancy_db.tenant_named(session, DEMO_NAME)


def _new_tenant(db: Database, clock: Clock) -> Tenant:
    found = existing_demo(db=db)
    if found is not None:
        raise Conflict("tenancy.demo_exists", field=None, number=found.number)
    spec = TenantInput(
        name=DEMO_NAME,
        country="DE",
        accounting_mode=AccountingMode.DE.value,
        timezone=BERLIN.key,
        test_mode=True,
    )
    return create_tenant(db=db, actor=demo_actor(OUTSIDE_ANY_TENANT), spec=spec, clock=clock)


def run_demo(*, db: Database, customers: int, clock: Clock, seed: int = SEED) -> Demo:
    """Create the demo tenant and live its year (many transactions: each step is one use
    case; a run cut off leaves a partial demo tenant, which a second run refuses)."""
    tenant = _new_tenant(db, clock)
    stage = Stage(db=db, actor=demo_actor(tenant.id), tenant_id=tenant.id, clock=clock, seed=seed)
    rng = random.Random(seed)  # noqa: S311 -- a reproducible story, not a secret
    move_to(stage, FIRST_DAY)
    install_catalogue(db=db, actor=stage.actor, tenant_id=tenant.id, clock=clock)
    people = create_customers(
        db=db, actor=stage.actor, tenant_id=tenant.id, count=customers, rng=rng, clock=clock
    )
    signed = sign_contracts(
        db=db,
        actor=stage.actor,
        tenant_id=tenant.id,
        customers=people,
        first_day=FIRST_DAY,
        rng=rng,
        clock=clock,
    )
    events = cast(signed, rng)
    metered = meters(signed, usage_stops(events))
    today, usage_events = live_year(stage, FIRST_DAY, events, metered, rng)
    key = create_api_key(
        db=db,
        actor=stage.actor,
        tenant_id=tenant.id,
        name="demo",
        scopes=sorted(TENANT_SCOPES),
        validity_days=KEY_VALIDITY_DAYS,
        clock=clock,
    )
    return Demo(tenant, key.token, today, len(signed), len(events), usage_events)
