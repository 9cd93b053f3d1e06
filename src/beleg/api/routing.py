"""The route class of every router: Idempotency-Key handling on POST (invariant 7).

Same key and same request (method, path, query, body) -> the stored response, with header
``Idempotent-Replayed: true``; same key, other request -> 422; same key while the first request
still runs -> 409. Keys are scoped to the authenticated principal and kept for
``BELEG_IDEMPOTENCY_TTL_HOURS``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import fastapi.routing
from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse
from starlette.routing import BaseRoute

from beleg import messages
from beleg.api.language import response_language
from beleg.api.problems import ApiError, problem_response
from beleg.api.runtime import Runtime
from beleg.api.security import bearer_token, resolve_principal
from beleg.db import idempotency as store

MAX_KEY_LENGTH = 255
_STORED_HEADERS = ("content-type", "location")


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()


class BelegRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
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


async def _run_once(
    request: Request,
    handler: Callable[[Request], Awaitable[Response]],
    key: str,
    tenant_id: uuid.UUID,
    namespace: str,
) -> Response:
    rt: Runtime = request.app.state.runtime
    body = await request.body()
    fingerprint = store.request_fingerprint(
        request.method, request.url.path, request.url.query, body
    )
    claim = await run_in_threadpool(
        partial(store.claim_key, db=rt.db, tenant_id=tenant_id, principal=namespace, key=key),
        fingerprint=fingerprint,
        clock=rt.clock,
        ttl=timedelta(hours=rt.settings.idempotency_ttl_hours),
    )
    release = partial(
        store.release_key, db=rt.db, tenant_id=tenant_id, principal=namespace, key=key
    )
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
    if claim.claim is store.Claim.IN_PROGRESS:
        return problem_response(
            request,
            status=409,
            code="idempotency-key-in-progress",
            detail=messages.text("api.idempotency_key_running", language),
            headers={"Retry-After": "1"},
        )
    try:
        response = await handler(request)
    except Exception:
        await run_in_threadpool(release)
        raise
    if response.status_code >= 500 or isinstance(response, StreamingResponse):
        await run_in_threadpool(release)
        return response
    headers = {k: v for k, v in response.headers.items() if k in _STORED_HEADERS}
    stored = store.StoredResponse(response.status_code, headers, bytes(response.body))
    await run_in_threadpool(
        partial(store.store_response, db=rt.db, tenant_id=tenant_id, principal=namespace, key=key),
        response=stored,
    )
    return response


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
