"""Seed 003 writes some URLs of the accounting API with a trailing slash (its worked example
``POST /api/1.1/customers/{id}/additional_addresses/``, §2), while every route is declared
without one. The framework would answer such a request with a 307 redirect, which a client
that does not repeat a POST after a redirect sees as a failure; this pure ASGI middleware
reads ``/api/1.1/...x/`` as ``/api/1.1/...x`` instead, before routing, so it is answered
directly. Other surfaces keep the framework's behaviour."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/api/1.1/"


class TrailingSlashes:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.startswith(PREFIX) and len(path) > len(PREFIX) and path.endswith("/"):
                scope = {**scope, "path": path.rstrip("/")}
                raw = scope.get("raw_path")
                if isinstance(raw, bytes):
                    scope["raw_path"] = raw.rstrip(b"/")
        await self.app(scope, receive, send)
