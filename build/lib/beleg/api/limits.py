"""The request body limit (issue 12, finding 4): ``BELEG_MAX_BODY_BYTES``, 10 MiB by default.

A pure ASGI middleware, before routing and before anything reads the body: a declared
``Content-Length`` over the limit is answered with 413 at once, the body never received; a
body without a length (chunked) is counted while the application receives it and cut off
with 413 when it passes the limit. A route that needs larger uploads declares its own limit
with FastAPI's ``max_body_size=`` (``@router.post(..., max_body_size=100 * 2**20)``); the
middleware applies it to the requests that route matches instead of the default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from beleg import messages
from beleg.api.errors import error_name
from beleg.api.language import response_language
from beleg.api.problems import problem_response


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit; FastAPI lets an
    HTTPException through its body parsing, and ``install_body_limit`` answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413)
        self.limit = limit


def too_large(request: Request, limit: int) -> Response:
    """The 413 body of the request's surface, naming the body and the limit."""
    language = response_language(request)
    return problem_response(
        request,
        status=413,
        code=error_name(request, "body-too-large"),
        detail=messages.text("api.body_too_large", language, limit=limit),
        errors=[
            {"field": "body", "message": messages.text("api.body_limit", language, limit=limit)}
        ],
    )


@dataclass(frozen=True, slots=True)
class Allowance:
    """A route's own body limit: the requests its path and methods match."""

    pattern: re.Pattern[str]
    methods: frozenset[str]
    max_bytes: int

    def matches(self, scope: Scope) -> bool:
        return scope["method"] in self.methods and self.pattern.match(scope["path"]) is not None


def route_allowances(routes: Iterable[Any]) -> list[Allowance]:
    """The routes of an application that declare ``max_body_size``."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    found = iterate(list(routes)) if iterate is not None else routes  # FastAPI >= 0.165: lazy
    return [
        Allowance(route.path_regex, frozenset(route.methods or ()), route.max_body_size)
        for route in found
        if getattr(route, "max_body_size", None) is not None
        and getattr(route, "path_regex", None) is not None
    ]


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


class BodyLimit:
    """``max_bytes`` for every request, or the allowance of the route it matches."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, allowances: Callable[[], Sequence[Allowance]]
    ) -> None:
        self.app, self.max_bytes = app, max_bytes
        self._allowances_factory = allowances
        self._allowances: Sequence[Allowance] | None = None

    def limit(self, scope: Scope) -> int:
        if self._allowances is None:
            self._allowances = self._allowances_factory()
        found = next((a for a in self._allowances if a.matches(scope)), None)
        return found.max_bytes if found is not None else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, declared = self.limit(scope), _declared_length(scope)
        if declared is not None:
            if declared > limit:  # at once: nothing of the body is received
                await too_large(Request(scope), limit)(scope, receive, send)
                return
            await self.app(scope, receive, send)  # the server delivers no more than declared
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


async def _answer(request: Request, exc: BodyTooLarge) -> Response:
    return too_large(request, exc.limit)


def install_body_limit(app: FastAPI, max_bytes: int) -> None:
    """Add the middleware (at the current position of the stack) and its 413 handler."""
    app.add_exception_handler(BodyTooLarge, _answer)  # type: ignore[arg-type]
    app.add_middleware(
        BodyLimit, max_bytes=max_bytes, allowances=lambda: route_allowances(app.routes)
    )
