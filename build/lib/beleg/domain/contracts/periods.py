"""Service periods (Leistungszyklus, seed 002) on local calendar dates.

A contract's periods follow a grid: the ``n``-th period of an anchor starts ``n`` intervals after
the anchor, on the anchor's day of the month or the month's last day when the month is shorter,
and ends the day before the next one starts (spec: "a monthly period that starts on the 31st
ends on the day before the next month's anchor day; month ends stay month ends"). The grid is
counted from the anchor, never from the previous period, so a period starting on 28 February
after a 31 January anchor is followed by one starting on 31 March.

The anchor is the contract's start (anniversary, seed 002: start 15.05. gives 15.05.-14.06.)
until a service-cycle change moves it: the period running on the new start is cut to end the day
before (and prorated), and periods then follow the new anchor (15.05. -> 01.06. gives
15.05.-31.05., then whole months). All dates are inclusive.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from beleg.domain.catalog.intervals import Interval

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """The inclusive dates ``start..end`` of one service period."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def day_number(self, day: date) -> int:
        """``day`` counted from 1 at the period's start."""
        return (day - self.start).days + 1


@dataclass(frozen=True, slots=True)
class Realignment:
    """A service-cycle change: from ``next_period_start`` on, periods follow it as anchor."""

    next_period_start: date
    invoice_text: str | None = None


@dataclass(frozen=True, slots=True)
class ServicePeriod:
    """A grid period and the part of it its anchor serves: all of it, or up to the day before
    a realignment's new start. Proration compares the two (``part.days / grid.days``)."""

    grid: Period
    part: Period


def periods(
    *, start: date, interval: Interval, realignments: Sequence[Realignment], until: date
) -> Iterator[ServicePeriod]:
    """The service periods of a contract starting ``start`` that begin on or before ``until``,
    in order."""
    later = sorted({r.next_period_start for r in realignments if r.next_period_start > start})
    anchors = [start, *later]
    for index, anchor in enumerate(anchors):
        stop = anchors[index + 1] if index + 1 < len(anchors) else None
        for grid in _grid(anchor, interval):
            if grid.start > until or (stop is not None and grid.start >= stop):
                break
            ends = grid.end if stop is None else min(grid.end, stop - ONE_DAY)
            yield ServicePeriod(grid=grid, part=Period(grid.start, ends))


def _grid(anchor: date, interval: Interval) -> Iterator[Period]:
    step = 0
    while True:
        begins, next_begins = interval.after(anchor, step), interval.after(anchor, step + 1)
        yield Period(begins, next_begins - ONE_DAY)
        step += 1


def served_part(period: Period, *, served_from: date, served_to: date | None) -> Period | None:
    """The part of ``period`` within ``served_from..served_to`` (None: open), or None."""
    begins = max(period.start, served_from)
    ends = period.end if served_to is None else min(period.end, served_to)
    return Period(begins, ends) if begins <= ends else None
