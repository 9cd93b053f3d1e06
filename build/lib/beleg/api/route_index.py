"""An index over the application's routes, so that a request tries a handful of them.

FastAPI matches a request by walking every included router in order and, inside each, every
route: about 250 regular-expression attempts for a path near the end of the table, twice
(once to find the router, once more to dispatch inside it). ``RouteIndex`` sits where the
application's router dispatches (``router.middleware_stack``) and selects the route the same
way, from fewer candidates: the routes whose leading literal segments (those before the first
``{parameter}``) equal the request's. It keeps the table's order, so the first full match wins
and, without one, the first route that matches the path but not the method answers (405), as
in Starlette. Everything it does not select itself (no candidate matches, a lifespan or
websocket scope, a route that is not an ``APIRoute`` of an included router or a plain route)
goes to the router's own dispatch, which then answers exactly as without the index (404,
redirect of a trailing slash, 405).

The index is rebuilt when the router's table changes (FastAPI counts changes per router).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi.routing import APIRoute, APIRouter
from starlette.routing import Match, Route, get_route_path
from starlette.types import Receive, Scope, Send

MAX_DEPTH = 4  # leading literal segments a route is indexed by

# The FastAPI >= 0.165 internals the dispatch of a selected route needs (the same steps as its
# ``_IncludedRouter._handle_selected``); without them the index stays off.
_iter_route_contexts: Callable[..., Iterator[Any]] | None = getattr(
    fastapi.routing, "iter_route_contexts", None
)
_CONTEXT_KEY: str | None = getattr(fastapi.routing, "_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY", None)
_SCOPE_KEY: str | None = getattr(fastapi.routing, "_FASTAPI_SCOPE_KEY", None)
_route_selected: Callable[..., None] | None = getattr(fastapi.routing, "_route_selected", None)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One route of the table: its position, how it matches and how it is dispatched."""

    order: int
    route: Any  # the original route (what ``scope["route"]`` names)
    context: Any  # FastAPI's effective route context of an included route, or None
    path_format: str

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.context is not None:
            match, child = self.context.matches(scope)
            if match is not Match.NONE:
                child["route"] = self.route
            return match, child
        found: tuple[Match, Scope] = self.route.matches(scope)
        return found


def _routers(router: APIRouter) -> Iterator[APIRouter]:
    """``router`` and every router included in it, at any depth."""
    yield router
    for route in router.routes:
        included = getattr(route, "original_router", None)
        if isinstance(included, APIRouter):
            yield from _routers(included)


def literal_prefix(path_format: str) -> tuple[str, ...]:
    """The segments of a path template before its first parameter (at most ``MAX_DEPTH``)."""
    segments = path_format.split("/")[1:]
    prefix: list[str] = []
    for segment in segments[:MAX_DEPTH]:
        if "{" in segment:
            break
        prefix.append(segment)
    return tuple(prefix)


class RouteIndex:
    """The dispatch of ``router`` with indexed route selection (see the module docstring)."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self._fallback = router.app
        self._lock = threading.Lock()
        self._version: int | None = None
        self._routers: list[APIRouter] = []  # every router of the table, for ``_version``
        self._buckets: dict[tuple[str, ...], list[Candidate]] = {}

    @classmethod
    def install(cls, router: APIRouter) -> bool:
        """Put an index in front of ``router``'s dispatch; False (and nothing changed) where
        the router is wrapped in middleware or FastAPI lacks what the index needs."""
        if _iter_route_contexts is None or _CONTEXT_KEY is None or _SCOPE_KEY is None:
            return False
        if router.middleware_stack != router.app or router.form_limits:
            return False
        router.middleware_stack = cls(router)
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._fallback(scope, receive, send)
            return
        candidate, child = self.select(scope)
        if candidate is None:
            await self._fallback(scope, receive, send)
            return
        scope.setdefault("router", self.router)
        scope.update(child)
        if _route_selected is not None and "fastapi.telemetry" in scope:
            _route_selected(scope=scope, path=candidate.path_format)  # the span's route name
        if candidate.context is not None:
            scope.setdefault(_SCOPE_KEY or "fastapi", {})[_CONTEXT_KEY] = candidate.context
        await candidate.route.handle(scope, receive, send)

    def select(self, scope: Scope) -> tuple[Candidate | None, Scope]:
        """The route that answers ``scope`` (first full match, else first partial), with its
        child scope; (None, {}) when the router's own dispatch must decide."""
        partial: tuple[Candidate, Scope] | None = None
        for candidate in self.candidates(get_route_path(scope)):
            match, child = candidate.matches(scope)
            if match is Match.FULL:
                return candidate, child
            if match is Match.PARTIAL and partial is None:
                partial = (candidate, child)
        return partial if partial is not None else (None, {})

    def candidates(self, path: str) -> list[Candidate]:
        """The routes that can match ``path``, in table order."""
        buckets = self._current()
        segments = path.split("/")[1:]
        found: list[Candidate] = []
        for depth in range(min(len(segments), MAX_DEPTH) + 1):
            found.extend(buckets.get(tuple(segments[:depth]), ()))
        found.sort(key=lambda c: c.order)
        return found

    def _current(self) -> dict[tuple[str, ...], list[Candidate]]:
        if self._routes_version() != self._version:
            with self._lock:
                if self._routes_version() != self._version:
                    self._routers = list(_routers(self.router))
                    self._buckets = self._build()
                    self._version = self._routes_version()
        return self._buckets

    def _routes_version(self) -> int:
        """The sum of FastAPI's change counters of every router the index was built from
        (adding a route or including a router anywhere in the table changes it)."""
        return sum(router._routes_version for router in self._routers)

    def _build(self) -> dict[tuple[str, ...], list[Candidate]]:
        buckets: dict[tuple[str, ...], list[Candidate]] = {}
        if _iter_route_contexts is None:
            return buckets
        for order, rc in enumerate(_iter_route_contexts(self.router.routes)):
            context = rc._route_context
            route = rc.original_route
            if context is not None and not isinstance(route, APIRoute):
                return {}  # a kind of included route only FastAPI's walk dispatches
            if context is None and type(route) is not Route and not isinstance(route, APIRoute):
                return {}  # mounts, hosts, websockets: FastAPI's walk keeps their order
            path_format = rc.path_format or ""
            candidate = Candidate(order, route, context, path_format)
            buckets.setdefault(literal_prefix(path_format), []).append(candidate)
        return buckets
