"""How a window's usage events add up to one quantity (spec/billing-api.md "Order of evaluation
for usage": aggregate the period's events first).

A window is a contract's option over local days ``start``..``end`` (inclusive) in the tenant's
timezone: its events are the ACTIVE ones with ``occurred_at`` in [start 00:00, end+1 00:00)
local time. Cancelled events never count. The aggregations (``Aggregation``):

- SUM: the sum of the quantities; COUNT: the number of events; MAX: the largest quantity;
- UNIQUE_COUNT: the number of distinct values of the option's ``aggregationProperty``;
- LATEST: the quantity of the event with the latest ``occurred_at`` (ties: the one received
  last, then the greatest client id, so the answer never depends on row order).

Nothing is rounded: quantities are exact decimals and so are their sums.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from beleg.domain.catalog.options import Aggregation
from beleg.domain.usage.events import Scalar

# Aggregations the database adds up itself (SUM, COUNT, MAX over the window's rows).
IN_DATABASE = frozenset({Aggregation.SUM, Aggregation.COUNT, Aggregation.MAX})


@dataclass(frozen=True, slots=True)
class UsageWindow:
    """A contract's option over local days ``start``..``end`` (``end`` inclusive)."""

    contract_id: uuid.UUID
    option: str
    start: date  # first day, tenant-local
    end: date  # last day (inclusive), tenant-local


@dataclass(frozen=True, slots=True)
class Reading:
    """One ACTIVE event as an aggregation sees it; ``key`` is the counted property's value
    (UNIQUE_COUNT), None when the event has none."""

    occurred_at: datetime
    received_at: datetime
    event_id: str
    quantity: Decimal
    key: Scalar | None = None


@dataclass(frozen=True, slots=True)
class Totals:
    """What the database adds up over a window's events: sum, count and maximum."""

    total: Decimal
    count: int
    maximum: Decimal


def window_bounds(window: UsageWindow, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) local time, as aware instants (compared in UTC)."""
    first = datetime.combine(window.start, time(), zone)
    after = datetime.combine(window.end + timedelta(days=1), time(), zone)
    return first, after


def from_totals(aggregation: Aggregation, totals: Totals) -> Decimal:
    """The quantity of an aggregation done in the database (``IN_DATABASE``)."""
    if aggregation is Aggregation.SUM:
        return totals.total
    if aggregation is Aggregation.COUNT:
        return Decimal(totals.count)
    if aggregation is Aggregation.MAX:
        return totals.maximum
    raise ValueError(f"{aggregation} is not added up in the database")


def _distinct_key(value: Scalar) -> str:
    """Distinct as JSON values: "1" and 1 are two values, 1 and 1.0 one (equal numbers)."""
    if isinstance(value, bool | str):
        return json.dumps(value)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return f"n:{number.normalize()}"


def aggregate(aggregation: Aggregation, readings: Iterable[Reading]) -> Decimal | None:
    """The window's quantity of ``readings`` (its ACTIVE events); None without any."""
    events = list(readings)
    if not events:
        return None
    if aggregation is Aggregation.SUM:
        return sum((r.quantity for r in events), Decimal(0))
    if aggregation is Aggregation.COUNT:
        return Decimal(len(events))
    if aggregation is Aggregation.MAX:
        return max(r.quantity for r in events)
    if aggregation is Aggregation.UNIQUE_COUNT:
        return Decimal(len({_distinct_key(r.key) for r in events if r.key is not None}))
    latest = max(events, key=lambda r: (r.occurred_at, r.received_at, r.event_id))
    return latest.quantity
