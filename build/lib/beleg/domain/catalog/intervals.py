"""Calendar intervals of plans: billing intervals, minimum and renewal terms, notice periods.

Months are added from an anchor and clamped to the month's end (31 January + 1 month is
28 February, + 2 months is 31 March), so month ends stay month ends (spec "Date and proration
rules").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class IntervalUnit(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"
    YEAR = "YEAR"


@dataclass(frozen=True, slots=True)
class Interval:
    """``count`` months, years or days; ``count`` 0 is an empty interval (no renewal)."""

    unit: IntervalUnit
    count: int

    def after(self, anchor: date, times: int = 1) -> date:
        """The date ``times`` intervals after ``anchor`` (month ends clamped, from the anchor)."""
        if self.unit is IntervalUnit.DAY:
            return anchor + timedelta(days=self.count * times)
        months = self.count * times * (12 if self.unit is IntervalUnit.YEAR else 1)
        return add_months(anchor, months)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months; a missing day becomes the month's last."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
