"""Rate limits per client address and per credential (issue 4: 429 with ``Retry-After`` and
``RateLimit-*`` headers).

A moving window from the ``limits`` library counts requests. The counters live in process
memory by default; with ``BELEG_REDIS_URL`` they live in Redis, so several API processes share
one limit. Health, readiness and metrics endpoints are not limited. Headers follow the IETF
draft "RateLimit header fields for HTTP": ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset`` (seconds until the window frees a request).

In process memory the window is ``MemoryWindows``: one deque of hit times per identifier,
counted in one pass per request (``limits``' memory storage inserts at the head of a list and
starts a timer thread every 10 ms, which costs more than the request it limits at high rates).
The same moving window as ``limits``: a hit is allowed while fewer than ``limit`` hits lie in
the last ``expiry`` seconds; only allowed hits count.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from beleg.settings import Settings

UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        values = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            values["Retry-After"] = str(max(self.reset_seconds, 1))
        return values


class MemoryWindows:
    """Moving windows in process memory: the hit times of each identifier, oldest first."""

    SWEEP_EVERY = 10_000  # hits between two sweeps of identifiers whose window is empty

    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()
        self._until_sweep = self.SWEEP_EVERY

    def hit(self, key: tuple[str, str], limit: int, expiry: float) -> tuple[bool, int, float]:
        """Count one hit of ``key`` if the window allows it: (allowed, remaining, reset time
        as a Unix time)."""
        now = time.time()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
            self._expire(hits, now - expiry)
            allowed = len(hits) < limit
            if allowed:
                hits.append(now)
            self._until_sweep -= 1
            if self._until_sweep <= 0:
                self._sweep(now - expiry)
            start = hits[0] if hits else now
            return allowed, max(0, limit - len(hits)), start + expiry

    @staticmethod
    def _expire(hits: deque[float], cutoff: float) -> None:
        while hits and hits[0] <= cutoff:
            hits.popleft()

    def _sweep(self, cutoff: float) -> None:
        """Forget identifiers without a hit in the window (memory stays bounded by the
        identifiers of one window)."""
        self._until_sweep = self.SWEEP_EVERY
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]


class RateLimits:
    """The process's limiter: ``check("ip", address)`` and ``check("credential", id)``."""

    def __init__(self, settings: Settings) -> None:
        self.storage: Storage | None = (
            RedisStorage(settings.redis_url, key_prefix="beleg-rl") if settings.redis_url else None
        )
        self.limiter = MovingWindowRateLimiter(self.storage) if self.storage else None
        self.memory = MemoryWindows()
        self.items: dict[str, RateLimitItem] = {
            "ip": parse(settings.rate_limit_per_ip),
            "credential": parse(settings.rate_limit_per_credential),
        }

    def check(self, kind: str, identifier: str) -> Verdict:
        """Count one request of ``identifier``; whether it is within the limit."""
        item = self.items[kind]
        if self.limiter is None:
            allowed, remaining, reset_time = self.memory.hit(
                (kind, identifier), item.amount, item.get_expiry()
            )
        else:
            allowed = self.limiter.hit(item, kind, identifier)
            stats = self.limiter.get_window_stats(item, kind, identifier)
            remaining, reset_time = stats.remaining, stats.reset_time
        reset = max(0, math.ceil(reset_time - time.time()))
        return Verdict(allowed, item.amount, remaining, reset)
