"""Issue 12, finding 2: a failure never clears or shortens a lockout, and a successful attempt
takes back only its own count (the rules behind the atomic lockout)."""

from datetime import UTC, datetime, timedelta

from beleg.domain.identity.security import (
    FailedLogins,
    SecurityPolicy,
    SubjectKind,
    count_failure,
    count_success,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
POLICY = SecurityPolicy(lockout_threshold=3, lockout_minutes=10)


def _count(previous: FailedLogins | None, now: datetime = NOW) -> FailedLogins:
    return count_failure(previous, kind=SubjectKind.USER, subject="anna", policy=POLICY, now=now)


def test_a_failure_during_a_lockout_neither_clears_nor_extends_it() -> None:
    locked = _count(_count(_count(None)))
    assert locked.locked_until == NOW + timedelta(minutes=10)
    for later in (NOW, NOW + timedelta(minutes=9)):
        assert _count(locked, later) == locked  # before the fix: failures 1, locked_until None


def test_a_success_takes_back_its_count_and_lifts_only_its_own_lockout() -> None:
    two = _count(_count(None))
    third = _count(two)  # this attempt reaches the threshold and locks
    address = count_success(third, counted=third, clear=False)
    assert (address.failures, address.locked_until) == (2, None)
    user = count_success(third, counted=third, clear=True)
    assert (user.failures, user.locked_until) == (0, None)
    # a lockout started by a parallel attempt stays, whatever this one's outcome
    for clear in (False, True):
        kept = count_success(third, counted=two, clear=clear)
        assert kept.locked_until == third.locked_until and kept.failures == 2
