"""The range of a business date a client may send (issue 12, finding 6): documents, payments,
bank statements, receipts, filters and the test clock take dates from 1900-01-01 to
2199-12-31. Outside it, date arithmetic (a due date, a period's end) could overflow and a
booking in year 1 or 9999 is a typing error, never a business event. Shared by every context
and by the API's date types (``api/inputs.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from beleg.domain.errors import ValidationFailed

D = TypeVar("D", date, datetime)

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def in_range(value: date) -> bool:
    """Whether ``value`` (a date, or a date-time by its own calendar day) lies in the range."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def check_date(value: D, field: str, name: str | None = None) -> D:
    """``value`` itself, or a 400 naming ``field`` (shown as ``name``) and the range."""
    if not in_range(value):
        raise ValidationFailed(
            "dates.out_of_range",
            field=field,
            name=name or field,
            value=value.isoformat(),
            earliest=EARLIEST.isoformat(),
            latest=LATEST.isoformat(),
        )
    return value
