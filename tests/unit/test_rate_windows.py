"""The in-memory moving window of the rate limiter (api/ratelimit.py ``MemoryWindows``): a
hit is allowed while fewer than ``limit`` allowed hits lie in the last ``expiry`` seconds;
refused hits do not count; identifiers without hits in the window are forgotten."""

from __future__ import annotations

import pytest

from beleg.api import ratelimit
from beleg.api.ratelimit import MemoryWindows, RateLimits
from beleg.settings import Settings


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(ratelimit.time, "time", fake.time)
    return fake


def test_the_window_allows_limit_hits_and_frees_them_as_they_age(clock: _Clock) -> None:
    windows = MemoryWindows()
    key = ("credential", "k1")
    answers = []
    for _ in range(4):
        answers.append(windows.hit(key, 3, 60))
        clock.now += 10
    assert [a[0] for a in answers] == [True, True, True, False]
    assert [a[1] for a in answers] == [2, 1, 0, 0]
    assert answers[3][2] == 1_000_000.0 + 60  # the oldest hit frees the window at its expiry
    clock.now = 1_000_000.0 + 60  # the first hit ages out exactly now
    assert windows.hit(key, 3, 60)[:2] == (True, 0)
    assert windows.hit(key, 3, 60)[0] is False
    assert windows.hit(("credential", "k2"), 3, 60)[:2] == (True, 2)  # others are separate


def test_idle_identifiers_are_forgotten(clock: _Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MemoryWindows, "SWEEP_EVERY", 5)
    windows = MemoryWindows()
    for n in range(4):
        windows.hit(("ip", f"10.0.0.{n}"), 10, 60)
    clock.now += 61
    windows.hit(("ip", "10.0.0.9"), 10, 60)  # the fifth hit sweeps
    assert list(windows._hits) == [("ip", "10.0.0.9")]


def test_the_limiter_reports_the_verdict_of_its_window(clock: _Clock) -> None:
    limits = RateLimits(Settings(rate_limit_per_credential="2/minute"))
    first, second, third = (limits.check("credential", "key") for _ in range(3))
    assert (first.allowed, second.allowed, third.allowed) == (True, True, False)
    assert (third.limit, third.remaining, third.reset_seconds) == (2, 0, 60)
    assert third.headers()["Retry-After"] == "60"
