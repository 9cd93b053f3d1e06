"""A server error never breaks the connection (issue 12, finding 3).

Starlette's outermost ``ServerErrorMiddleware`` answers an unhandled exception with the
application's handler and then raises it again, for the server to log; uvicorn, seeing an
exception after the response started, closes the connection, and the client's next request
on that keep-alive connection is reset. This middleware sits inside it, right around the
routes: it answers the exception with the same handler (``api/errors.py`` logs it) and
returns normally, so the connection stays usable. Only a response whose body was half sent
still ends its connection: nothing else can end that response.
"""

from __future__ import annotations

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("beleg.api")


class ServerErrorGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = finished = False

        async def watched(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if finished:  # answered already (a background task failed): keep the connection
                log.error("api.error_after_response", exc_info=exc, path=scope["path"])
                return
            handler = scope["app"].exception_handlers.get(Exception)
            if started or handler is None:
                raise
            response = await handler(Request(scope, receive), exc)
            await response(scope, receive, send)
