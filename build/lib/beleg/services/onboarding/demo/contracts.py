"""The demo's contracts: one per customer, signed on the demo's first day and starting on
various days of its first three months, on a plan drawn from a seeded generator. The usage
contracts (plan API) alternate between the billing groups CORRECTION and CARRY_OVER, so that
late usage is shown in both modes however few there are."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.contracts.items import ContractInput, ItemInput
from beleg.domain.contracts.lifecycle import Action
from beleg.domain.identity.principal import Actor
from beleg.services.contracts.contracts import create_contract, transition
from beleg.services.onboarding.demo.catalogue import (
    CARRY_OVER_GROUP,
    CORRECTION_GROUP,
    PRICING_GROUP,
)

USAGE_PLAN = "API"
PLAN_WEIGHTS = (("START", 45), ("TEAM", 30), (USAGE_PLAN, 15), ("START_YEARLY", 10))
START_WINDOW_DAYS = 90  # 2026-01-01 .. 2026-03-31


@dataclass(frozen=True, slots=True)
class Signed:
    """A demo contract as the story knows it: its plan and seats (TEAM), its first day and
    its billing group (usage contracts only)."""

    id: uuid.UUID
    plan: str
    start: date
    seats: int
    billing_group: str | None = None


def _items(plan: str, seats: int) -> list[ItemInput] | None:
    if plan == "TEAM":
        return [ItemInput(option="SEATS", quantity=Decimal(seats))]
    return None  # one item per item of the plan


def _group(plan: str, usage_contracts: int) -> str | None:
    """Late usage: every other usage contract corrects, the others carry over (both modes)."""
    if plan != USAGE_PLAN:
        return None
    return CORRECTION_GROUP if usage_contracts % 2 == 0 else CARRY_OVER_GROUP


def _input(
    customer: uuid.UUID, plan: str, start: date, seats: int, group: str | None
) -> ContractInput:
    return ContractInput(
        customer_id=customer,
        plan=plan,
        start_date=start,
        items=_items(plan, seats),
        pricing_group=PRICING_GROUP if plan == USAGE_PLAN else None,
        billing_group=group,
    )


def sign_contracts(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    customers: Sequence[uuid.UUID],
    first_day: date,
    rng: random.Random,
    clock: Clock,
) -> list[Signed]:
    """One active contract per customer, starting within the first 90 days."""
    plans = [plan for plan, _ in PLAN_WEIGHTS]
    weights = [weight for _, weight in PLAN_WEIGHTS]
    signed: list[Signed] = []
    usage_contracts = 0
    for customer in customers:
        plan = rng.choices(plans, weights)[0]
        start = first_day + timedelta(days=rng.randrange(START_WINDOW_DAYS))
        seats = rng.randint(2, 20) if plan == "TEAM" else 1
        group = _group(plan, usage_contracts)
        usage_contracts += plan == USAGE_PLAN
        made = create_contract(
            db=db,
            actor=actor,
            tenant_id=tenant_id,
            given=_input(customer, plan, start, seats, group),
            clock=clock,
        )
        transition(
            db=db,
            actor=actor,
            tenant_id=tenant_id,
            contract_id=made.id,
            action=Action.ACTIVATE,
            clock=clock,
        )
        signed.append(Signed(made.id, plan, start, seats, group))
    return signed
