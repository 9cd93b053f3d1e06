"""Request ids, structured access logs and Prometheus metrics, as one ASGI middleware.

Every response carries ``X-Request-ID`` (taken from the request when it is a sane token, else
generated). The access log line has the request id, method, route template, status and
duration; never headers, query strings or bodies, which may hold secrets.
"""

from __future__ import annotations

import logging
import random
import re
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO, cast

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = structlog.get_logger("beleg.access")


def _new_request_id() -> str:
    """32 random hex digits. Not ``uuid4()``: its ``os.urandom`` call lets go of the GIL on the
    event loop's thread for every request; a request id correlates log lines, guards nothing."""
    return f"{random.getrandbits(128):032x}"


class _CurrentStdout:
    """Writes to the ``sys.stdout`` of the moment (redirections made later are honoured)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def configure_logging(level: str, fmt: str) -> None:
    """JSON lines (default) or console output, at ``level``."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=cast(TextIO, _CurrentStdout())),
        cache_logger_on_first_use=False,
    )


class Metrics:
    """The process's Prometheus registry and the HTTP metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "beleg_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "beleg_http_request_duration_seconds",
            "HTTP request duration",
            ["method", "route"],
            registry=self.registry,
        )


class ObservabilityMiddleware:
    """``templates`` maps a matched route object to its full path template (metric label)."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, templates: Callable[[], dict[int, str]]
    ) -> None:
        self.app, self.metrics = app, metrics
        self._templates_factory = templates
        self._templates: dict[int, str] | None = None

    def _route_label(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            return "unmatched"
        if self._templates is None:
            self._templates = self._templates_factory()
        return self._templates.get(id(route), getattr(route, "path", "unmatched"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else _new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = self._route_label(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(elapsed)
            access_log.info(
                "request",
                method=scope["method"],
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")
