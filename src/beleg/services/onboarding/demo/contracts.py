"""The demo's contracts: one per customer, signed on the demo's first day and starting on
various days of its first three months, on a plan drawn from a seeded generator."""

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

PLAN_WEIGHTS = (("START", 45), ("TEAM", 30), ("API", 15), ("START_YEARLY", 10))
START_WINDOW_DAYS = 90  # 2026-01-01 .. 2026-03-31


@dataclass(frozen=True, slots=True)
class Signed:
    """A demo contract as the story knows it: its plan and seats (TEAM) and its first day."""

    id: uuid.UUID
    plan: str
    start: date
    seats: int


def _items(plan: str, seats: int) -> list[ItemInput] | None:
    if plan == "TEAM":
        return [ItemInput(option="SEATS", quantity=Decimal(seats))]
    return None  # one item per item of the plan


def _input(customer: uuid.UUID, plan: str, start: date, seats: int, index: int) -> ContractInput:
    usage = plan == "API"
    return ContractInput(
        customer_id=customer,
        plan=plan,
        start_date=start,
        items=_items(plan, seats),
        pricing_group=PRICING_GROUP if usage else None,
        # late usage: half of the usage contracts correct, half carry over (the two modes)
        billing_group=(CORRECTION_GROUP if index % 2 else CARRY_OVER_GROUP) if usage else None,
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
    signed = []
    for index, customer in enumerate(customers):
        plan = rng.choices(plans, weights)[0]
        start = first_day + timedelta(days=rng.randrange(START_WINDOW_DAYS))
        seats = rng.randint(2, 20) if plan == "TEAM" else 1
        made = create_contract(
            db=db,
            actor=actor,
            tenant_id=tenant_id,
            given=_input(customer, plan, start, seats, index),
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
        signed.append(Signed(made.id, plan, start, seats))
    return signed
