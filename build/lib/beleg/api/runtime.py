"""What a request needs from the running application: database, clocks, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from beleg.api.observability import Metrics
from beleg.api.ratelimit import RateLimits
from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.identity.principal import AuthFailure, Principal
from beleg.settings import Settings

# Resolves a bearer token to a principal; answers None when the token is not of its kind, so
# OAuth2 access tokens plug in beside API keys.
Authenticator = Callable[[str], Principal | AuthFailure | None]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    authenticators: list[Authenticator] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)
    rate_limits: RateLimits | None = None
    oauth_server: Any = None  # the token endpoint's authorization server, built on first use


async def runtime(request: Request) -> Runtime:
    """The application's runtime (a FastAPI dependency; ``async``, so that FastAPI does not
    spend a thread pool round trip on an attribute lookup)."""
    found: Runtime = request.app.state.runtime
    return found
