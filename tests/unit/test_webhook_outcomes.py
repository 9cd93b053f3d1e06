"""A delivery's state after each attempt (services/delivery/webhook_sending.py ``outcome``): 2xx is
delivered at once; failures wait the backoff and become FAILED exactly when the next attempt
would fall more than 3 days after the series' first one; a replay starts a new series."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.delivery.retries import GIVE_UP_AFTER, delay_after
from beleg.domain.delivery.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery
from beleg.services.delivery.webhook_sending import outcome

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
PENDING = WebhookDelivery(
    uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3), "customer.created", "{}",
    DeliveryStatus.PENDING, 0, START, None, None, START, None,
)  # fmt: skip


def _attempt(delivery: WebhookDelivery, at: datetime, status: int | None) -> WebhookAttempt:
    error = None if status is not None else "ConnectError: refused"
    return WebhookAttempt(
        delivery.id, delivery.endpoint_id, delivery.attempts + 1, at, 5, status, None, error
    )


@given(
    st.lists(st.sampled_from([500, 503, 404, 302, None]), min_size=1, max_size=40),
    st.integers(0, 120),
)
def test_failures_follow_the_backoff_until_three_days(statuses: list[int | None], lag: int) -> None:
    delivery, at = PENDING, START
    for status in statuses:
        at += timedelta(seconds=lag)  # the worker comes a little late
        tried = _attempt(delivery, at, status)
        after = outcome(delivery, tried, at=at)
        assert after.first_attempt_at == (delivery.first_attempt_at or at)
        assert after.attempts == tried.number
        assert after.last_error == (tried.error or f"HTTP {status}")
        due = at + delay_after(tried.number)
        if due - after.first_attempt_at > GIVE_UP_AFTER:
            assert (after.status, after.next_attempt_at) == (DeliveryStatus.FAILED, None)
            return
        assert (after.status, after.next_attempt_at) == (DeliveryStatus.PENDING, due)
        delivery, at = after, due


def test_a_2xx_is_delivered_and_a_replay_starts_a_new_series() -> None:
    failed = outcome(PENDING, _attempt(PENDING, START, 500), at=START)
    later = START + timedelta(days=5)
    replayed = replace(failed, first_attempt_at=None, next_attempt_at=later)
    done = outcome(replayed, _attempt(replayed, later, 204), at=later)
    assert (done.status, done.delivered_at, done.next_attempt_at) == (
        DeliveryStatus.DELIVERED,
        later,
        None,
    )
    assert (done.attempts, done.first_attempt_at, done.last_error) == (2, later, None)
