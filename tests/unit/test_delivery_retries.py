"""The retry schedule of webhooks and mails (domain/delivery/retries.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.delivery.retries import GIVE_UP_AFTER, delay_after, next_attempt

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_the_delays_double_from_ten_seconds_up_to_six_hours() -> None:
    assert [delay_after(n).total_seconds() for n in range(1, 5)] == [10, 20, 40, 80]
    assert delay_after(11) == timedelta(seconds=10 * 1024)
    assert delay_after(12) == timedelta(seconds=10 * 2048)
    assert delay_after(13) == timedelta(hours=6)
    assert delay_after(500) == timedelta(hours=6)
    with pytest.raises(ValueError):
        delay_after(0)


def test_a_receiver_that_always_fails_is_tried_for_three_days_then_given_up() -> None:
    at, attempt, attempts = START, 1, [START]
    while (due := next_attempt(first_attempt_at=START, attempt=attempt, failed_at=at)) is not None:
        at, attempt = due, attempt + 1
        attempts.append(at)
    assert len(attempts) == 23  # the first, 12 growing delays (11.4 h), then 10 of 6 h
    assert attempts[-1] - START <= GIVE_UP_AFTER
    assert attempts[-1] + timedelta(hours=6) - START > GIVE_UP_AFTER


@given(st.integers(min_value=1, max_value=40))
def test_delays_never_shrink(attempt: int) -> None:
    assert delay_after(attempt + 1) >= delay_after(attempt)
