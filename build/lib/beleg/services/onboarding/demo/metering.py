"""The demo's usage (issue 14 item 7): the API calls and CPU hours of the API contracts,
drawn a month at a time and recorded through the usage use case in one batch before each
billing run (``story.live_month``): the events of the days before it.

- API calls: three events a month, one in each third of it, their quantities drawn from the
  seeded generator within the contract's profile, given in turn by its place among the usage
  contracts (light, medium, heavy, medium, medium): LIGHT stays within the free quota of 1,000
  calls a period, MEDIUM goes into the first tier (now and then the second), HEAVY into the
  second;
- CPU hours (time-based, start and end): two to four jobs of a few hours a month; every
  ``ALWAYS_ON``-th contract runs a machine day and night instead (a 24-hour event a day), over
  the cap of 600 billable hours after the free 10 (free quota first, then the cap: spec
  "Order of evaluation for usage");
- a contract uses nothing before its start nor from the day a termination is given;
- late usage: from the second month on, a third of each billing group's usage contracts (of
  those never terminated) report more API calls on the last day of their latest billed period
  (one that ended before the month began): CORRECTION bills them as a credit note of the
  billed line and a new invoice (no credit note when that line was 0.00: the calls were
  free), CARRY_OVER carries both lines onto the contract's next invoice;
- client ids ``demo-<seed>-u<contract>-<YYYY-MM>-<what><n>`` depend on the seed, the contract's
  place and the month only, so the same seed records the same events.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.catalog.intervals import Interval, IntervalUnit
from beleg.domain.contracts.periods import periods
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.usage.events import BATCH_LIMIT
from beleg.services.onboarding.demo.contracts import USAGE_PLAN, Signed
from beleg.services.usage.events import record_events

ONE_DAY = timedelta(days=1)
MONTHLY = Interval(IntervalUnit.MONTH, 1)  # the API plan's billing interval
ALWAYS_ON = 6  # every sixth usage contract, the first among them
LATE_SHARE = 3  # a third of each group's contracts report late usage each month
LATE_CALLS = (1_000, 3_000)  # a late event's calls: enough to change the billed quantity
JOBS = (2, 4)  # CPU jobs a month
JOB_HOURS = (1, 12)  # each starting between midnight and 11:00: it ends the same day


class Calls(StrEnum):
    """How many API calls a contract makes: one event's quantity (three a month)."""

    LIGHT = "light"  # at most 4 events a period x 150: within the free quota
    MEDIUM = "medium"  # the first tier (up to 10,000 billable calls), now and then the second
    HEAVY = "heavy"  # the second tier

    @property
    def per_event(self) -> tuple[int, int]:
        return {"light": (30, 150), "medium": (800, 3_000), "heavy": (5_000, 15_000)}[self]


PROFILES = (Calls.LIGHT, Calls.MEDIUM, Calls.HEAVY, Calls.MEDIUM, Calls.MEDIUM)


@dataclass(frozen=True, slots=True)
class Meter:
    """A usage contract as the usage story knows it: its place among the usage contracts
    (in its events' ids), its calls, whether its machine runs all the time, and the day
    its usage stops (a termination is given; None: never)."""

    place: int
    contract: Signed
    calls: Calls
    always_on: bool
    stops: date | None

    def uses(self, day: date) -> bool:
        return self.contract.start <= day and (self.stops is None or day < self.stops)


def meters(signed: Sequence[Signed], stops: Mapping[uuid.UUID, date]) -> list[Meter]:
    """The usage contracts of ``signed``; ``stops``: contract id -> the day a termination
    is given."""
    usage = [contract for contract in signed if contract.plan == USAGE_PLAN]
    return [
        Meter(
            place,
            contract,
            PROFILES[place % len(PROFILES)],
            place % ALWAYS_ON == 0,
            stops.get(contract.id),
        )
        for place, contract in enumerate(usage)
    ]


@dataclass(frozen=True, slots=True)
class Month:
    """The month whose usage is recorded (``first`` .. the day before ``after``), the
    tenant's zone and the seed the client ids carry."""

    first: date
    after: date
    zone: ZoneInfo
    seed: int

    def days(self) -> list[date]:
        return [self.first + ONE_DAY * n for n in range((self.after - self.first).days)]

    def event_id(self, meter: Meter, what: str, n: int) -> str:
        return f"demo-{self.seed}-u{meter.place:04d}-{self.first:%Y-%m}-{what}{n}"

    def at(self, day: date, hour: int) -> str:
        return datetime.combine(day, time(hour), self.zone).isoformat()


Event = dict[str, object]  # as the usage API takes it
Usage = tuple[date, Event]  # an event and the day it is counted on (its timestamp or start)


def month_usage(meters_: Sequence[Meter], month: Month, rng: random.Random) -> list[Usage]:
    """The month's events of every usage contract and some late usage of the month before
    (module docstring), each with the day it is counted on."""
    events: list[Usage] = []
    for meter in meters_:
        events += _calls(meter, month, rng)
        events += _cpu(meter, month, rng)
    return events + _late_calls(meters_, month, rng)


def _thirds(month: Month) -> Iterator[list[date]]:
    days = month.days()
    yield from (days[:10], days[10:20], days[20:])


def _calls(meter: Meter, month: Month, rng: random.Random) -> list[Usage]:
    low, high = meter.calls.per_event
    events = []
    for n, third in enumerate(_thirds(month)):
        day = rng.choice(third)
        quantity = rng.randint(low, high)
        at = month.at(day, rng.randrange(24))
        if meter.uses(day):
            events.append((day, _call(meter, month.event_id(meter, "calls", n), at, quantity)))
    return events


def _call(meter: Meter, event_id: str, at: str, quantity: int) -> Event:
    return {
        "id": event_id,
        "contract": str(meter.contract.id),
        "option": "API_CALLS",
        "quantity": quantity,
        "timestamp": at,
    }


def _cpu(meter: Meter, month: Month, rng: random.Random) -> list[Usage]:
    """Jobs of a few hours, or (always on) one 24-hour event a day, midnight to midnight."""
    if meter.always_on:
        spans = [(day, 0, day + ONE_DAY, 0) for day in month.days()]
    else:
        days = rng.sample(month.days(), rng.randint(*JOBS))
        starts = [(day, rng.randint(0, 11)) for day in sorted(days)]
        spans = [(day, hour, day, hour + rng.randint(*JOB_HOURS)) for day, hour in starts]
    return [
        (
            day,
            {
                "id": month.event_id(meter, "cpu", n),
                "contract": str(meter.contract.id),
                "option": "CPU_HOURS",
                "start": month.at(day, hour),
                "end": month.at(end_day, end_hour),
            },
        )
        for n, (day, hour, end_day, end_hour) in enumerate(spans)
        if meter.uses(day)
    ]


def last_billed_day(meter: Meter, month: Month) -> date | None:
    """The last day of the contract's latest billing period that ended before ``month``
    began (billed by the run on its first day), if there is one: none in the first month."""
    ended = [
        service.grid.end
        for service in periods(
            start=meter.contract.start, interval=MONTHLY, realignments=(), until=month.first
        )
        if service.grid.end < month.first
    ]
    return ended[-1] if ended else None


def _late_calls(meters_: Sequence[Meter], month: Month, rng: random.Random) -> list[Usage]:
    """API calls on the last billed day of a third of each group's never terminated
    contracts (at least one each)."""
    events: list[Usage] = []
    for group in sorted({m.contract.billing_group for m in meters_ if m.contract.billing_group}):
        billed = [
            (meter, day)
            for meter in meters_
            if meter.stops is None
            and meter.contract.billing_group == group
            and (day := last_billed_day(meter, month)) is not None
        ]
        chosen = rng.sample(billed, max(1, len(billed) // LATE_SHARE)) if billed else []
        for meter, day in sorted(chosen, key=lambda pair: pair[0].place):
            at = month.at(day, rng.randrange(24))
            quantity = rng.randint(*LATE_CALLS)
            events.append((day, _call(meter, month.event_id(meter, "late", 0), at, quantity)))
    return events


def record_usage(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    events: Sequence[Event],
    clock: Clock,
) -> int:
    """Record ``events`` through the usage use case in batches of at most BATCH_LIMIT (one
    at the demo's sizes); the number recorded. A rejection stops the demo."""
    recorded = 0
    for offset in range(0, len(events), BATCH_LIMIT):
        outcome = record_events(
            db=db,
            actor=actor,
            tenant_id=tenant_id,
            raw=list(events[offset : offset + BATCH_LIMIT]),
            batch=True,
            clock=clock,
        )
        if outcome.rejected:
            first = outcome.rejected[0]
            raise ValidationFailed(first.code, field=first.field, **first.params)
        recorded += outcome.accepted
    return recorded
