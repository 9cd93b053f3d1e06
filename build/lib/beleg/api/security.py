"""Authentication and scope enforcement: one dependency used by every endpoint.

``requires("users:read")`` declares the scope on the route (the route-table test reads it) and
yields the acting ``Actor``. A missing, unknown or expired credential is 401; a credential
without the scope is 403 naming the scope.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from beleg.api.problems import ApiError
from beleg.api.ratelimit import UNLIMITED_PATHS
from beleg.api.runtime import Runtime, runtime
from beleg.domain.identity.principal import Actor, AuthFailure, Origin, Principal
from beleg.messages import Message

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API key (`blg_...`) or an OAuth2 access token, as `Bearer <token>`.",
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="beleg"'}


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthenticated", message, headers=_CHALLENGE)


def resolve_principal(request: Request, token: str | None) -> Principal:
    """Authenticate ``token`` once per request (cached on the request)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    if not token:
        raise _unauthorized("api.authentication_required")
    rt: Runtime = request.app.state.runtime
    for authenticate in rt.authenticators:
        result = authenticate(token)
        if isinstance(result, Principal):
            request.state.principal = result
            return result
        if isinstance(result, AuthFailure):
            if result.reason == "expired":
                raise _unauthorized("api.credential_expired")
            break
    raise _unauthorized("api.credential_invalid")


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def via_trusted_proxy(request: Request, rt: Runtime) -> bool:
    """Whether the peer is one of ``BELEG_TRUSTED_PROXIES`` (its X-Forwarded-* are believed)."""
    host = request.client.host if request.client else None
    return host in {p.strip() for p in rt.settings.trusted_proxies.split(",") if p.strip()}


def client_ip(request: Request, rt: Runtime) -> str | None:
    """The client address; X-Forwarded-For is believed only from configured proxies."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and via_trusted_proxy(request, rt):
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else None


def authenticated_actor(
    request: Request,
    security_scopes: SecurityScopes,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    rt: Runtime = Depends(runtime),
) -> Actor:
    principal = resolve_principal(request, credentials.credentials if credentials else None)
    _limit(rt, "credential", principal.idempotency_namespace)
    for scope in security_scopes.scopes:
        if not principal.holds(scope):
            raise ApiError(403, "missing-scope", "api.scope_missing", field="scope", scope=scope)
    origin = Origin(
        ip_address=client_ip(request, rt), request_id=getattr(request.state, "request_id", None)
    )
    return Actor(principal=principal, origin=origin)


def _limit(rt: Runtime, kind: str, identifier: str) -> None:
    if rt.rate_limits is None:
        return
    verdict = rt.rate_limits.check(kind, identifier)
    if not verdict.allowed:
        raise ApiError(
            429,
            "rate-limited",
            "api.rate_limited",
            headers=verdict.headers(),
            what=Message(f"api.rate_limit_{kind}"),
            seconds=max(verdict.reset_seconds, 1),
        )


def limit_client_address(request: Request) -> ApiError | None:
    """The per-address limit, checked before authentication (the middleware answers it)."""
    rt: Runtime = request.app.state.runtime
    if rt.rate_limits is None or request.url.path in UNLIMITED_PATHS:
        return None
    try:
        _limit(rt, "ip", client_ip(request, rt) or "unknown")
    except ApiError as exc:
        return exc
    return None


def requires(scope: str) -> Any:
    """Dependency: the acting Actor, which must hold ``scope``."""
    return Security(authenticated_actor, scopes=[scope])
