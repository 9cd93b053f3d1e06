"""When a failed webhook or mail is tried again (ADR 0021; delivery issue: "exponential
backoff for 3 days").

Attempt n (1, 2, ...) that fails is followed by attempt n + 1 after ``FIRST_DELAY`` × 2ⁿ⁻¹,
at most ``LONGEST_DELAY``: 10 s, 20 s, 40 s, ... 5.7 h, then every 6 h. Once ``GIVE_UP_AFTER``
has passed since the first attempt, a failure is final. Times are the tenant's business
clock, so a TestClock sees the whole schedule without sleeping.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_DELAY = timedelta(seconds=10)
LONGEST_DELAY = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)


def delay_after(attempt: int) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1-based)."""
    if attempt < 1:
        raise ValueError("attempts count from 1")
    if attempt > 12:  # 10 s × 2¹² > 6 h: no need to compute larger powers
        return LONGEST_DELAY
    doubled: timedelta = FIRST_DELAY * (1 << (attempt - 1))
    return min(doubled, LONGEST_DELAY)


def next_attempt(
    *, first_attempt_at: datetime, attempt: int, failed_at: datetime
) -> datetime | None:
    """When to try again after failed attempt number ``attempt``; None when the failure is
    final (``GIVE_UP_AFTER`` has passed since the first attempt, or will have by then)."""
    due = failed_at + delay_after(attempt)
    if due - first_attempt_at > GIVE_UP_AFTER:
        return None
    return due
