"""Rate limits per client address and per credential (issue 4: 429 with ``Retry-After`` and
``RateLimit-*`` headers).

A moving window from the ``limits`` library counts requests. The counters live in process
memory by default; with ``BELEG_REDIS_URL`` they live in Redis, so several API processes share
one limit. Health, readiness and metrics endpoints are not limited. Headers follow the IETF
draft "RateLimit header fields for HTTP": ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset`` (seconds until the window frees a request).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
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


class RateLimits:
    """The process's limiter: ``check("ip", address)`` and ``check("credential", id)``."""

    def __init__(self, settings: Settings) -> None:
        self.storage: Storage = (
            RedisStorage(settings.redis_url, key_prefix="beleg-rl")
            if settings.redis_url
            else MemoryStorage()
        )
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.items: dict[str, RateLimitItem] = {
            "ip": parse(settings.rate_limit_per_ip),
            "credential": parse(settings.rate_limit_per_credential),
        }

    def check(self, kind: str, identifier: str) -> Verdict:
        """Count one request of ``identifier``; whether it is within the limit."""
        item = self.items[kind]
        allowed = self.limiter.hit(item, kind, identifier)
        stats = self.limiter.get_window_stats(item, kind, identifier)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Verdict(allowed, item.amount, stats.remaining, reset)
