"""The usage a billing run charges: each window's aggregated quantity (``aggregated_usage``).

A bounded number of statements whatever the number of windows: one for the options, and per
slice of ``WINDOWS_PER_STATEMENT`` windows one grouped SUM/COUNT/MAX over the windows joined as
a VALUES table (SUM, COUNT, MAX), and one reading the events of the UNIQUE_COUNT and LATEST
windows, which ``domain/usage/aggregation.aggregate`` adds up. A billing chunk of 1,000
contracts with a handful of usage options each fits one slice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, Uuid, column, func, select, values
from sqlalchemy.orm import Session

from beleg.db.tables import catalog_options, usage_events
from beleg.db.types import UtcDateTime
from beleg.domain.catalog.options import Aggregation
from beleg.domain.usage.aggregation import (
    IN_DATABASE,
    Reading,
    Totals,
    UsageWindow,
    aggregate,
    from_totals,
    window_bounds,
)
from beleg.domain.usage.events import EventStatus

U = usage_events.c
WINDOWS_PER_STATEMENT = 4_000  # 5 parameters each: within SQLite's 32,766 and PG's 65,535


def aggregated_usage(
    session: Session, *, tenant_id: uuid.UUID, windows: Sequence[UsageWindow], timezone: str
) -> dict[UsageWindow, Decimal]:
    """Each window's aggregated quantity of ACTIVE events with occurred_at in
    [start 00:00, end+1 00:00) local time in ``timezone``; windows without events are absent.
    The aggregation is the option's (time-based usage without one: SUM); exact, unrounded."""
    if not windows:
        return {}
    zone = ZoneInfo(timezone)
    ways = _aggregations(session, tenant_id, {w.option for w in windows})
    unique = list(dict.fromkeys(windows))
    found: dict[UsageWindow, Decimal] = {}
    for start in range(0, len(unique), WINDOWS_PER_STATEMENT):
        part = unique[start : start + WINDOWS_PER_STATEMENT]
        in_db = [w for w in part if ways.get(w.option, (Aggregation.SUM, None))[0] in IN_DATABASE]
        summed = set(in_db)
        rest = [w for w in part if w not in summed]
        found.update(_grouped(session, tenant_id, in_db, ways, zone))
        found.update(_read(session, tenant_id, rest, ways, zone))
    return found


def _aggregations(
    session: Session, tenant_id: uuid.UUID, codes: set[str]
) -> dict[str, tuple[Aggregation, str | None]]:
    o = catalog_options.c
    rows = session.execute(
        select(o.code, o.aggregation, o.aggregation_property).where(
            o.tenant_id == tenant_id, o.code.in_(sorted(codes))
        )
    ).all()
    return {
        row.code: (Aggregation(row.aggregation or Aggregation.SUM), row.aggregation_property)
        for row in rows
    }


def _windows_table(windows: Sequence[UsageWindow], zone: ZoneInfo) -> Any:
    rows = [
        (index, w.contract_id, w.option, *window_bounds(w, zone)) for index, w in enumerate(windows)
    ]
    return (
        values(
            column("idx", Integer),
            column("contract_id", Uuid),
            column("option_code", String),
            column("first", UtcDateTime),
            column("after", UtcDateTime),
            name="w",
        )
        .data(rows)
        .cte("w")
    )


def _joined(tenant_id: uuid.UUID, w: Any) -> Any:
    return (
        (U.tenant_id == tenant_id)
        & (U.contract_id == w.c.contract_id)
        & (U.option_code == w.c.option_code)
        & (U.occurred_at >= w.c.first)
        & (U.occurred_at < w.c.after)
        & (U.status == EventStatus.ACTIVE.value)
    )


def _grouped(
    session: Session,
    tenant_id: uuid.UUID,
    windows: Sequence[UsageWindow],
    ways: dict[str, tuple[Aggregation, str | None]],
    zone: ZoneInfo,
) -> dict[UsageWindow, Decimal]:
    if not windows:
        return {}
    w = _windows_table(windows, zone)
    rows = session.execute(
        select(w.c.idx, func.sum(U.quantity), func.count(), func.max(U.quantity))
        .select_from(w)
        .join(usage_events, _joined(tenant_id, w))
        .group_by(w.c.idx)
    ).all()
    found: dict[UsageWindow, Decimal] = {}
    for idx, total, count, maximum in rows:
        window = windows[idx]
        way = ways.get(window.option, (Aggregation.SUM, None))[0]
        found[window] = from_totals(way, Totals(total, count, maximum))
    return found


def _read(
    session: Session,
    tenant_id: uuid.UUID,
    windows: Sequence[UsageWindow],
    ways: dict[str, tuple[Aggregation, str | None]],
    zone: ZoneInfo,
) -> dict[UsageWindow, Decimal]:
    if not windows:
        return {}
    w = _windows_table(windows, zone)
    rows = session.execute(
        select(w.c.idx, U.occurred_at, U.received_at, U.event_id, U.quantity, U.properties)
        .select_from(w)
        .join(usage_events, _joined(tenant_id, w))
    ).all()
    readings: dict[int, list[Reading]] = {}
    for row in rows:
        counted = ways[windows[row.idx].option][1]
        key = None if counted is None or row.properties is None else row.properties.get(counted)
        readings.setdefault(row.idx, []).append(
            Reading(row.occurred_at, row.received_at, row.event_id, row.quantity, key)
        )
    found: dict[UsageWindow, Decimal] = {}
    for idx, events in readings.items():
        window = windows[idx]
        quantity = aggregate(ways[window.option][0], events)
        if quantity is not None:
            found[window] = quantity
    return found
