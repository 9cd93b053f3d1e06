"""The OpenAPI document as the server answers (issue 12, finding 8).

FastAPI documents a 422 with its own validation body on every operation that takes input; the
server answers invalid input with 400 (ADR 0002) in the body of its surface, and it answers
401, 403, 404, 409, 413 and 429 as well. ``document`` starts from FastAPI's document and
states, per operation, the statuses the server really answers and their bodies: the seed's
``RestError`` on ``/api/1.1``, RFC 9457 problem details on ``/v2``, RFC 6749 errors on the
token endpoint. 422 stays only where it is answered: a POST whose ``Idempotency-Key`` was
used for another request (``api/routing.py``); those POSTs document the header.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from beleg.api.problems import ACCOUNTING_PREFIX
from beleg.api.routing import MAX_KEY_LENGTH, BelegRoute, route_table
from beleg.api.schemas import Problem

BILLING_PREFIX = "/v2"
GRANT_ENDPOINT = "/oauth2/token"
_REF = "#/components/schemas/"
_BODY_METHODS = frozenset({"post", "put", "patch", "delete"})
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")
DESCRIPTIONS = {
    400: "Invalid input: the body names the field and the rule.",
    401: "Missing, unknown or expired credential.",
    403: "The credential lacks the scope named in the body.",
    404: "Not found in this tenant.",
    409: "Conflicts with the current state, or the Idempotency-Key's first request still runs.",
    413: "The body is larger than the server accepts.",
    415: "The file is none of the accepted types, or not the type its Content-Type names.",
    422: "The Idempotency-Key was used for another request.",
    429: "Too many requests: retry after the seconds in Retry-After.",
    503: "Not ready: the database is unreachable or its schema not at the latest migration.",
}
REST_ERROR: dict[str, Any] = {
    "title": "RestError",
    "description": "The error body of the accounting API (seed 003 §2).",
    "type": "object",
    "required": ["error", "message", "identifier", "timestamp", "details"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "identifier": {"type": "string"},
        "timestamp": {"type": "string", "format": "date-time"},
        "details": {"type": "array", "items": {"type": "string"}},
    },
}
OAUTH_ERROR: dict[str, Any] = {
    "title": "OAuthError",
    "description": "RFC 6749 §5.2 error response.",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}
READINESS: dict[str, Any] = {
    "title": "Readiness",
    "type": "object",
    "required": ["status", "database", "schemaRevision", "expectedRevision"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not-ready"]},
        "database": {"type": "boolean"},
        "schemaRevision": {"type": ["string", "null"]},
        "expectedRevision": {"type": ["string", "null"]},
    },
}
IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "The same key and request replays the first response; another request: 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}


def install_openapi(app: FastAPI) -> None:
    """Serve ``document(app)`` as the application's OpenAPI document (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(by_alias=True, mode="serialization")
    schemas.update(RestError=REST_ERROR, OAuthError=OAUTH_ERROR, Readiness=READINESS)
    idempotent = {
        info.path
        for info in route_table(app.routes)
        if isinstance(info.route, BelegRoute) and "POST" in info.methods
    }
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            _document_operation(path, method, operation, idempotent=path in idempotent)
    for name in _FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    return doc


def _document_operation(
    path: str, method: str, operation: dict[str, Any], *, idempotent: bool
) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    own = responses.pop("422", None)  # FastAPI's validation body, or the route's own 422
    if idempotent and method == "post":
        parameters = operation.setdefault("parameters", [])
        if all(p.get("name") != IDEMPOTENCY_KEY["name"] for p in parameters):
            parameters.append(IDEMPOTENCY_KEY)
    for status in _statuses(path, method, operation, idempotent=idempotent and method == "post"):
        responses[str(status)] = _error_response(path, status)
    if own is not None and "HTTPValidationError" not in str(own):
        responses["422"] = own  # a route's own 422 (a usage batch's rejected events)
    if path == "/readyz":
        ready = {"application/json": {"schema": {"$ref": f"{_REF}Readiness"}}}
        responses["200"]["content"] = ready
        responses["503"] = {"description": DESCRIPTIONS[503], "content": ready}
    elif path == "/metrics":
        responses["200"]["content"] = {"text/plain": {"schema": {"type": "string"}}}
        responses["404"] = {"description": "Metrics are switched off (BELEG_METRICS_ENABLED)."}


def _statuses(path: str, method: str, operation: dict[str, Any], *, idempotent: bool) -> list[int]:
    """The error statuses the server answers for one operation."""
    if path == GRANT_ENDPOINT:
        return [400, 401, 429]
    if not path.startswith((ACCOUNTING_PREFIX, BILLING_PREFIX)):
        return [] if path in ("/healthz", "/readyz", "/metrics") else [429]
    statuses = [400]
    if operation.get("security"):
        statuses += [401, 403]
    parameters = operation.get("parameters", [])
    if method in _BODY_METHODS or any(p.get("in") in ("path", "query") for p in parameters):
        statuses.append(404)  # the record named in the path, the query or the body
    if method in _BODY_METHODS:
        statuses.append(409)
    if "requestBody" in operation:
        statuses.append(413)
        if _takes_files(operation):
            statuses.append(415)
    if idempotent:
        statuses.append(422)
    return [*statuses, 429]


def _takes_files(operation: dict[str, Any]) -> bool:
    """Whether the body is a file (not JSON or a form): its type is checked by content."""
    media_types = operation["requestBody"].get("content", {})
    return any(m.startswith(("application/pdf", "image/")) for m in media_types)


def _error_response(path: str, status: int) -> dict[str, Any]:
    if path.startswith(ACCOUNTING_PREFIX):
        media, schema = "application/json", "RestError"
    elif path == GRANT_ENDPOINT and status != 429:
        media, schema = "application/json", "OAuthError"
    else:
        media, schema = "application/problem+json", "Problem"
    return {
        "description": DESCRIPTIONS[status],
        "content": {media: {"schema": {"$ref": f"{_REF}{schema}"}}},
    }
