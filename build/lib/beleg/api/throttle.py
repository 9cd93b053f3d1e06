"""ASGI middleware: the per-address rate limit, before routing and authentication."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from beleg.api.language import response_language
from beleg.api.problems import problem_response
from beleg.api.security import limit_client_address


class ClientAddressLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        shared = request.app.state.runtime.settings.redis_url is not None
        refused = (
            await run_in_threadpool(limit_client_address, request)
            if shared
            else limit_client_address(request)
        )  # Redis is I/O: off the event loop
        if refused is None:
            await self.app(scope, receive, send)
            return
        response = problem_response(
            request,
            status=429,
            code=refused.code,
            detail=refused.text(response_language(request)),
            headers=refused.headers,
        )
        await response(scope, receive, send)
