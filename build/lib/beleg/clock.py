"""Time comes only from a clock.

``SystemClock`` is wall time. A tenant in test mode may run on a persisted ``TestClock``: frozen
at an instant and moved only forwards, so billing, dunning and renewals fire as if time passed.
Security decisions (API key expiry, audit timestamps) always use the system clock: a simulated
clock must never keep an expired credential alive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """A source of the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock that always answers the same instant: a tenant's TestClock, or a test's clock."""

    instant: datetime

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("a clock instant must be timezone-aware")

    def now(self) -> datetime:
        return self.instant.astimezone(UTC)


def today_in(clock: Clock, timezone: str) -> date:
    """The calendar date at ``clock.now()`` in the tenant's IANA ``timezone``."""
    return clock.now().astimezone(ZoneInfo(timezone)).date()
