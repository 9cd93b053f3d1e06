"""The route class of every router: Idempotency-Key handling on POST (invariant 7).

Same key and same request (method, path, query, body) -> the stored response, with header
``Idempotent-Replayed: true``; same key, other request -> 422; same key while the first request
still runs -> 409 on PostgreSQL (on SQLite the duplicate waits for the single writer and then
gets the stored response). Keys are scoped to the authenticated principal and kept for
``BELEG_IDEMPOTENCY_TTL_HOURS``.

A POST with a key runs in one request-scoped unit of work (``db/database.py``): the key is
claimed in it, every ``db.transaction()`` of the endpoint joins it as a savepoint and every
``db.reader()`` reads in it, and when the endpoint answers below 500 its response is stored in
it and the unit commits once, so the change and the stored response are one transaction and a
retry after a crash at any point replays the first response or finds nothing done
(``db/idempotency.py``). An exception or a 5xx rolls the unit back, claim included. The unit is
current only while the endpoint runs: background tasks and a streamed body run after the
commit, outside it (a streamed response is not stored; its changes commit as without a key).
POSTs without a key behave as before: each service commits its own transaction.

Every route of this class runs its endpoint, dependencies included, in one connection scope
(``db/database.py``): authentication and the endpoint's reads take one connection checkout
together, returned when the endpoint has answered. A scope holds its connection while the
request waits for a thread between its dependencies and its endpoint, so at most
``Database.request_slots`` requests hold one at a time (the others wait on the event loop,
holding nothing): more holders than the pool has connections would wait for each other.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import uuid
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import fastapi.routing
from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, compile_path

from beleg import messages
from beleg.api.inputs import CheckedRoute
from beleg.api.language import response_language
from beleg.api.problems import ApiError, problem_response
from beleg.api.runtime import Runtime
from beleg.api.security import bearer_token, resolve_principal
from beleg.db import idempotency as store
from beleg.db.database import Database, UnitOfWork

MAX_KEY_LENGTH = 255
_STORED_HEADERS = ("content-type", "location")


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()


class BelegRoute(CheckedRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return _in_connection_scope(self._idempotent_handler())

    def _idempotent_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if "POST" not in (self.methods or set()):
            return handler

        async def idempotent(request: Request) -> Response:
            key = request.headers.get("idempotency-key")
            if key is None:
                return await handler(request)
            if not _valid_key(key):
                language = response_language(request)
                return problem_response(
                    request,
                    status=400,
                    code="validation-error",
                    detail=messages.text("api.idempotency_key_invalid", language),
                    errors=[
                        {
                            "field": "Idempotency-Key",
                            "message": messages.text("api.idempotency_key_format", language),
                        }
                    ],
                )
            try:
                principal = await run_in_threadpool(
                    resolve_principal, request, bearer_token(request)
                )
            except ApiError:
                return await handler(request)  # answers 401 itself
            return await _run_once(
                request, handler, key, principal.tenant_id, principal.idempotency_namespace
            )

        return idempotent


def _in_connection_scope(
    handler: Callable[[Request], Coroutine[Any, Any, Response]],
) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    async def scoped(request: Request) -> Response:
        rt: Runtime = request.app.state.runtime
        async with _slots(rt):
            scope = rt.db.connection_scope()
            try:
                with scope.current():
                    return await handler(request)
            finally:
                if scope.checked_out and rt.db.dialect != "sqlite":
                    await run_in_threadpool(scope.close)  # a network round trip: off the loop
                else:
                    scope.close()

    return scoped


_SLOTS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.WeakKeyDictionary[Database, asyncio.Semaphore]
] = weakref.WeakKeyDictionary()


def _slots(rt: Runtime) -> asyncio.Semaphore:
    """The request slots of ``rt``'s database on the running event loop."""
    per_loop = _SLOTS.setdefault(asyncio.get_running_loop(), weakref.WeakKeyDictionary())
    slots = per_loop.get(rt.db)
    if slots is None:
        slots = per_loop[rt.db] = asyncio.Semaphore(rt.db.request_slots)
    return slots


async def _run_once(
    request: Request,
    handler: Callable[[Request], Awaitable[Response]],
    key: str,
    tenant_id: uuid.UUID,
    namespace: str,
) -> Response:
    rt: Runtime = request.app.state.runtime
    body = await request.body()
    record = _Record(
        tenant_id=tenant_id,
        principal=namespace,
        key=key,
        fingerprint=store.request_fingerprint(
            request.method, request.url.path, request.url.query, body
        ),
    )
    unit = rt.db.unit_of_work()
    try:
        with unit.current():
            claim = await run_in_threadpool(record.claim, unit, rt)
            if claim.claim is not store.Claim.NEW:
                await run_in_threadpool(unit.commit)  # keeps the forgetting of expired keys
                return _refusal(request, claim)
            response = await handler(request)
        # The unit is no longer current: background tasks and a streamed body run outside it.
        await run_in_threadpool(record.finish, unit, rt, response)
        return response
    finally:
        unit.close()  # rolls back what was not committed: an exception, a server error


@dataclass(frozen=True, slots=True)
class _Record:
    """The Idempotency-Key of one request, claimed and stored in the request's unit of work."""

    tenant_id: uuid.UUID
    principal: str
    key: str
    fingerprint: str

    def claim(self, unit: UnitOfWork, rt: Runtime) -> store.ClaimResult:
        return store.claim_key(
            unit.session,
            tenant_id=self.tenant_id,
            principal=self.principal,
            key=self.key,
            fingerprint=self.fingerprint,
            clock=rt.clock,
        )

    def finish(self, unit: UnitOfWork, rt: Runtime, response: Response) -> None:
        """Commit the request's changes with its stored response; a server error keeps
        nothing. A streamed response has no body to store: its changes commit as they would
        without a key, and a retry runs again."""
        if response.status_code >= 500:
            unit.close()
            return
        content = getattr(response, "body", None)  # a streamed or file response has none
        if content is not None:
            headers = {k: v for k, v in response.headers.items() if k in _STORED_HEADERS}
            store.store_response(
                unit.session,
                tenant_id=self.tenant_id,
                principal=self.principal,
                key=self.key,
                fingerprint=self.fingerprint,
                response=store.StoredResponse(response.status_code, headers, bytes(content)),
                clock=rt.clock,
                ttl=timedelta(hours=rt.settings.idempotency_ttl_hours),
            )
        unit.commit()
        _fault_after_commit(rt)


def _refusal(request: Request, claim: store.ClaimResult) -> Response:
    """The answer when the key was used before: the stored response, 422 or 409."""
    if claim.claim is store.Claim.REPLAY and claim.stored is not None:
        headers = {**claim.stored.headers, "idempotent-replayed": "true"}
        return Response(claim.stored.body, status_code=claim.stored.status_code, headers=headers)
    language = response_language(request)
    if claim.claim is store.Claim.MISMATCH:
        return problem_response(
            request,
            status=422,
            code="idempotency-key-reused",
            detail=messages.text("api.idempotency_key_reused", language),
            errors=[
                {
                    "field": "Idempotency-Key",
                    "message": messages.text("api.idempotency_key_other_request", language),
                }
            ],
        )
    return problem_response(
        request,
        status=409,
        code="idempotency-key-in-progress",
        detail=messages.text("api.idempotency_key_running", language),
        headers={"Retry-After": "1"},
    )


_COMMITTED = itertools.count(1)


def _fault_after_commit(rt: Runtime) -> None:
    """The crash tests' hook (``BELEG_FAULT_KILL_AFTER_COMMIT=N``, off by default): die as a
    killed process does, right after the N-th idempotent POST of this process committed and
    before it answers."""
    n = rt.settings.fault_kill_after_commit
    if n and next(_COMMITTED) == n:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class RouteInfo:
    """One route with its full path template (prefixes of included routers applied)."""

    path: str
    methods: frozenset[str]
    route: BaseRoute


def route_table(routes: Sequence[BaseRoute]) -> list[RouteInfo]:
    """Every route of an application, flattened across included routers."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    if iterate is not None:  # FastAPI >= 0.165 includes routers lazily
        return [
            RouteInfo(rc.path_format, frozenset(rc.methods or ()), rc.original_route)
            for rc in iterate(routes)
        ]
    return [
        RouteInfo(r.path_format, frozenset(getattr(r, "methods", None) or ()), r)
        for r in routes
        if hasattr(r, "path_format")
    ]


@lru_cache(maxsize=1024)
def _path_pattern(path_format: str) -> re.Pattern[str]:
    return compile_path(path_format)[0]


def allowed_methods(routes: Sequence[BaseRoute], path: str) -> list[str]:
    """Every method some route of ``routes`` answers at ``path`` (the ``Allow`` of a 405):
    the routes of one path template may be spread over several routers, and each one alone
    knows only its own methods."""
    methods: set[str] = set()
    for info in route_table(routes):
        if info.methods and _path_pattern(info.path).match(path):
            methods |= info.methods
    return sorted(methods)
