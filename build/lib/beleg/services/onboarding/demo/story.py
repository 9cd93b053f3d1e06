"""The demo's year: what happens to its contracts, and the clock moving through it.

Events (each contract takes part in at most one story; the numbers scale with the customers, for
200: 10 upgrades START -> TEAM, 10 seat increases, 5 seat decreases, 5 downgrades TEAM -> START,
5 plan changes decided now for the first of the month after next, 10 ordinary and 5
extraordinary terminations, and one ordinary termination of a yearly contract revoked a month
later) fall on the 15th of April to November, when every contract has started. The clock moves
month by month: to each event day of the month (the catch-up fires first, then the events), then
to the first of the next month, where the catch-up ends terminated contracts and runs the
scheduled billing run (DESIGN.md "TestClock": billing fires as if the time had passed).

Usage (``metering``): the API contracts' API calls and CPU hours of a month, and some late
usage of periods already billed, are drawn when the month begins; at each stop of the clock the
events of the days before it arrive in one batch, before the catch-up, so that each run bills
the usage of the periods it closes, and the late usage is corrected (billing group CORRECTION)
or carried over onto the next invoice (CARRY_OVER).
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.contracts.items import ItemInput
from beleg.domain.contracts.lifecycle import TerminationType
from beleg.domain.identity.principal import Actor
from beleg.services.billing.catch_up import catch_up
from beleg.services.billing.contracts import termination_correction
from beleg.services.contracts.plan_changes import PlanChange, change_plan
from beleg.services.contracts.terminations import revoke_termination, terminate_contract
from beleg.services.onboarding.demo.contracts import Signed
from beleg.services.onboarding.demo.metering import (
    Meter,
    Month,
    Usage,
    month_usage,
    record_usage,
)
from beleg.services.tenancy.test_clock import set_test_clock

BERLIN = ZoneInfo("Europe/Berlin")
NOON = time(12)
EVENT_MONTHS = range(4, 12)
EVENT_DAY = 15  # mid-month: the changes are prorated to the day
EXTRAORDINARY_NOTICE = timedelta(days=5)


class Kind(StrEnum):
    UPGRADE = "upgrade"
    MORE_SEATS = "more seats"
    FEWER_SEATS = "fewer seats"
    DOWNGRADE = "downgrade"
    SCHEDULED_CHANGE = "plan change at a date"
    ORDINARY = "ordinary termination"
    EXTRAORDINARY = "extraordinary termination"
    TERMINATE_TO_REVOKE = "termination (to be revoked)"
    REVOKE = "revoked termination"


TERMINATIONS = frozenset({Kind.ORDINARY, Kind.EXTRAORDINARY, Kind.TERMINATE_TO_REVOKE})


# (kind, the plans it applies to, customers per event: 200 // 20 = 10)
CASTING = (
    (Kind.UPGRADE, ("START",), 20),
    (Kind.MORE_SEATS, ("TEAM",), 20),
    (Kind.FEWER_SEATS, ("TEAM",), 40),
    (Kind.DOWNGRADE, ("TEAM",), 40),
    (Kind.SCHEDULED_CHANGE, ("START",), 40),
    (Kind.ORDINARY, ("START", "TEAM", "API", "START_YEARLY"), 20),
    (Kind.EXTRAORDINARY, ("START", "TEAM", "API"), 40),
)


@dataclass(frozen=True, slots=True)
class Event:
    day: date
    kind: Kind
    contract: Signed


def cast(signed: Sequence[Signed], rng: random.Random) -> list[Event]:
    """The year's events, drawn from ``rng``; each contract in at most one story."""
    free = list(signed)
    rng.shuffle(free)
    events = []
    for kind, plans, per in CASTING:
        chosen = [c for c in free if c.plan in plans][: max(1, len(signed) // per)]
        free = [c for c in free if c not in chosen]
        events += [Event(_event_day(rng), kind, contract) for contract in chosen]
    if free:  # a yearly contract if there is one: it runs on after the notice is given
        revoked = min(free, key=lambda c: c.plan != "START_YEARLY")
        month = rng.choice(EVENT_MONTHS[:-1])
        events += [
            Event(date(2026, month, EVENT_DAY), Kind.TERMINATE_TO_REVOKE, revoked),
            Event(date(2026, month + 1, EVENT_DAY), Kind.REVOKE, revoked),
        ]
    return events


def usage_stops(events: Sequence[Event]) -> dict[uuid.UUID, date]:
    """Contract id -> the day its termination is given: its usage stops then."""
    stops: dict[uuid.UUID, date] = {}
    for event in sorted(events, key=lambda e: e.day, reverse=True):
        if event.kind in TERMINATIONS:
            stops[event.contract.id] = event.day
    return stops


def _event_day(rng: random.Random) -> date:
    return date(2026, rng.choice(EVENT_MONTHS), EVENT_DAY)


def _first_of_month_after_next(day: date) -> date:
    month = day.month + 2
    return date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _change(event: Event, rng: random.Random) -> PlanChange | None:
    seats = event.contract.seats
    if event.kind is Kind.UPGRADE:
        return PlanChange(event.day, "TEAM", [ItemInput("SEATS", Decimal(rng.randint(2, 8)))])
    if event.kind is Kind.MORE_SEATS:
        return PlanChange(event.day, items=[ItemInput("SEATS", Decimal(seats + rng.randint(1, 5)))])
    if event.kind is Kind.FEWER_SEATS:
        return PlanChange(event.day, items=[ItemInput("SEATS", Decimal(max(1, seats // 2)))])
    if event.kind is Kind.DOWNGRADE:
        return PlanChange(event.day, "START")
    if event.kind is Kind.SCHEDULED_CHANGE:
        later = _first_of_month_after_next(event.day)
        return PlanChange(later, "TEAM", [ItemInput("SEATS", Decimal(3))])
    return None


@dataclass(frozen=True, slots=True)
class Stage:
    """Who acts on which tenant, on which clock (the system clock stamps the records; the
    tenant's test clock says which business day it is), and the seed of the story (in the
    usage events' client ids)."""

    db: Database
    actor: Actor
    tenant_id: uuid.UUID
    clock: Clock
    seed: int


def act(stage: Stage, event: Event, rng: random.Random) -> None:
    """Apply one event on its day (the tenant's clock stands on it)."""
    contract_id = event.contract.id
    change = _change(event, rng)
    if change is not None:
        change_plan(
            db=stage.db,
            actor=stage.actor,
            tenant_id=stage.tenant_id,
            contract_id=contract_id,
            change=change,
            clock=stage.clock,
        )
    elif event.kind is Kind.REVOKE:
        revoke_termination(
            db=stage.db,
            actor=stage.actor,
            tenant_id=stage.tenant_id,
            contract_id=contract_id,
            clock=stage.clock,
        )
    else:
        extraordinary = event.kind is Kind.EXTRAORDINARY
        terminate_contract(
            db=stage.db,
            actor=stage.actor,
            tenant_id=stage.tenant_id,
            contract_id=contract_id,
            termination_type=TerminationType.EXTRAORDINARY
            if extraordinary
            else TerminationType.ORDINARY,
            last_day=event.day + EXTRAORDINARY_NOTICE if extraordinary else None,
            correction=termination_correction,
            clock=stage.clock,
        )


def move_to(stage: Stage, day: date, pending: Sequence[Usage] = ()) -> list[Usage]:
    """Set the tenant's test clock to noon (Berlin) of ``day``, record the ``pending`` usage
    of the days before it, and fire what became due; the usage still pending."""
    at = datetime.combine(day, NOON, tzinfo=BERLIN)
    set_test_clock(
        db=stage.db, actor=stage.actor, tenant_id=stage.tenant_id, frozen_at=at, clock=stage.clock
    )
    waiting = _usage_before(stage, day, pending)
    catch_up(db=stage.db, actor=stage.actor, tenant_id=stage.tenant_id, clock=stage.clock)
    return waiting


def _usage_before(stage: Stage, day: date, pending: Sequence[Usage]) -> list[Usage]:
    """Record the pending usage of the days before ``day`` in one batch; what still waits."""
    due = [event for counted_on, event in pending if counted_on < day]
    if due:
        record_usage(
            db=stage.db,
            actor=stage.actor,
            tenant_id=stage.tenant_id,
            events=due,
            clock=stage.clock,
        )
    return [(counted_on, event) for counted_on, event in pending if counted_on >= day]


def first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def live_month(
    stage: Stage,
    month_start: date,
    events: Sequence[Event],
    meters: Sequence[Meter],
    rng: random.Random,
) -> int:
    """One month of the story from its first day: each event day (clock, catch-up, events),
    then the first of the next month (clock, catch-up: the month's billing run). The usage
    of the days before each catch-up arrives just before it, in one batch, so that every run
    bills the usage of the periods it closes; only the late usage (``metering``) is late.
    The usage events recorded."""
    by_day: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        by_day[event.day].append(event)
    next_month = first_of_next_month(month_start)
    drawn = month_usage(meters, Month(month_start, next_month, BERLIN, stage.seed), rng)
    pending: Sequence[Usage] = drawn
    for day in sorted(by_day):
        pending = move_to(stage, day, pending)
        for event in by_day[day]:
            act(stage, event, rng)
    move_to(stage, next_month, pending)
    return len(drawn)


def live_year(
    stage: Stage,
    first_day: date,
    events: Sequence[Event],
    meters: Sequence[Meter],
    rng: random.Random,
) -> tuple[date, int]:
    """Twelve months from ``first_day`` (the clock stands on it, the contracts are signed):
    the last day the clock stands on (the first day a year later) and the usage events
    recorded."""
    day, recorded = first_day, 0
    for _ in range(12):
        month_end = first_of_next_month(day)
        this_month = [e for e in events if day <= e.day < month_end]
        recorded += live_month(stage, day, this_month, meters, rng)
        day = month_end
    return day, recorded
