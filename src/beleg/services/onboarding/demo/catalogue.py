"""The demo tenant's catalogue (issue 14 item 7): four options, four plans, two billing groups.

- options: BASE (recurring base fee), SEATS (recurring, per seat), API_CALLS (usage, summed)
  and CPU_HOURS (time-based usage, summed); 19 % VAT each (DE standard rate, UStG §12 (1));
- plans, all in EUR: START (flat 29.00 a month in advance), TEAM (12.00 per seat a month in
  advance), API (19.00 platform fee a month in arrears, API calls graduated with a free quota
  of 1,000 calls, CPU hours per hour with a free quota of 10 and a cap of 600 hours through
  the pricing group STANDARD: seed 000 allows caps on time-based usage only), START_YEARLY
  (flat 290.00 a year in advance);
- billing groups: CORRECTION (late usage is billed as a correction document of its original
  period) and CARRY_OVER (late usage is carried over into the next invoice).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from beleg import messages
from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.catalog.options import OptionInput
from beleg.domain.catalog.plans import IntervalInput, ItemInput, PricingGroup
from beleg.domain.catalog.price_rules import PriceInput, TierInput
from beleg.domain.identity.principal import Actor
from beleg.services.billing.groups import create_group, set_scheduled_runs
from beleg.services.catalog.options import create_option
from beleg.services.catalog.plans import PlanInput, create_plan

LANGUAGE = "de"  # the demo tenant is German: its catalogue speaks German


def _text(name: str) -> str:
    return messages.text(f"demo.{name}", LANGUAGE)


VAT = Decimal("19")
MONTH = IntervalInput("MONTH", 1)
YEAR = IntervalInput("YEAR", 1)
PRICING_GROUP = "STANDARD"
CORRECTION_GROUP = "CORRECTION"
CARRY_OVER_GROUP = "CARRY_OVER"

OPTIONS = (
    OptionInput(code="BASE", name=_text("option_base"), type="RECURRING", tax_rate=VAT),
    OptionInput(
        code="SEATS", name=_text("option_seats"), type="RECURRING", unit="C62", tax_rate=VAT,
    ),
    OptionInput(
        code="API_CALLS", name=_text("option_api_calls"), type="USAGE", unit="C62",
        aggregation="SUM", tax_rate=VAT,
    ),
    OptionInput(
        code="CPU_HOURS", name=_text("option_cpu_hours"), type="TIME_BASED_USAGE", unit="H",
        aggregation="SUM", tax_rate=VAT,
    ),
)  # fmt: skip


def _flat(amount: str) -> PriceInput:
    return PriceInput(model="FLAT", amount=Decimal(amount))


def _per_unit(price: str) -> PriceInput:
    return PriceInput(model="PER_UNIT", unit_price=Decimal(price))


API_TIERS = PriceInput(
    model="GRADUATED",
    tiers=(
        TierInput(up_to=Decimal("10000"), unit_price=Decimal("0.010")),
        TierInput(up_to=Decimal("100000"), unit_price=Decimal("0.008")),
        TierInput(up_to=None, unit_price=Decimal("0.005")),
    ),
)

PLANS = (
    PlanInput(
        code="START", name=_text("plan_start"), currency="EUR", billing_interval=MONTH,
        items=(ItemInput(option="BASE", quantity=Decimal(1), price=_flat("29.00")),),
    ),
    PlanInput(
        code="TEAM", name=_text("plan_team"), currency="EUR", billing_interval=MONTH,
        items=(ItemInput(option="SEATS", quantity=Decimal(1), price=_per_unit("12.00")),),
    ),
    PlanInput(
        code="API", name=_text("plan_api"), currency="EUR", billing_interval=MONTH,
        billing_timing="IN_ARREARS",
        pricing_groups=(PricingGroup(PRICING_GROUP, {"CPU_HOURS": Decimal("600")}),),
        items=(
            ItemInput(option="BASE", quantity=Decimal(1), price=_flat("19.00")),
            ItemInput(option="API_CALLS", price=API_TIERS, free_quota=Decimal("1000")),
            ItemInput(option="CPU_HOURS", price=_per_unit("0.05"), free_quota=Decimal("10")),
        ),
    ),
    PlanInput(
        code="START_YEARLY", name=_text("plan_start_yearly"), currency="EUR", billing_interval=YEAR,
        items=(ItemInput(option="BASE", quantity=Decimal(1), price=_flat("290.00")),),
    ),
)  # fmt: skip


def install_catalogue(*, db: Database, actor: Actor, tenant_id: uuid.UUID, clock: Clock) -> None:
    """The options, plans and billing groups above, and the scheduled runs switched on (from
    the tenant's today: the demo's first day)."""
    for option in OPTIONS:
        create_option(db=db, actor=actor, tenant_id=tenant_id, data=option, clock=clock)
    for plan in PLANS:
        create_plan(db=db, actor=actor, tenant_id=tenant_id, data=plan, clock=clock)
    for code, name, handling in (
        (CORRECTION_GROUP, _text("group_correction"), "CORRECTION"),
        (CARRY_OVER_GROUP, _text("group_carry_over"), "CARRY_OVER"),
    ):
        create_group(
            db=db,
            actor=actor,
            tenant_id=tenant_id,
            code=code,
            name=name,
            split_by_original_period=False,
            late_usage_handling=handling,
            clock=clock,
        )
    set_scheduled_runs(db=db, actor=actor, tenant_id=tenant_id, enabled=True, clock=clock)
