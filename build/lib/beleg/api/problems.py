"""Error bodies: RFC 9457 problem details on /v2 (and everything outside /api/1.1), the seed's
``RestError`` on /api/1.1 (seed 003 §2: error, message, identifier, timestamp, details)."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from beleg import messages

ACCOUNTING_PREFIX = "/api/1.1"
_IDENTIFIER_ALPHABET = string.ascii_letters + string.digits

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class ApiError(Exception):
    """An HTTP-level failure with a stable code (authentication, scopes, rate limits).
    ``message`` is a catalogue code whose text ``params`` fill (``beleg.messages``)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.headers, self.params = field, headers or {}, params

    def text(self, language: str) -> str:
        return messages.text(self.message, language, **self.params)


def _now(request: Request) -> datetime:
    runtime = getattr(request.app.state, "runtime", None)
    return runtime.clock.now() if runtime is not None else datetime.now(UTC)


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    """The error body fitting the surface the request was made to; ``extensions`` are
    RFC 9457 extension members of a /v2 problem (a usage batch's ``rejected``)."""
    request_id = getattr(request.state, "request_id", None)
    if request.url.path.startswith(ACCOUNTING_PREFIX):
        body: dict[str, Any] = {
            "error": code,
            "message": detail,
            "identifier": "".join(secrets.choice(_IDENTIFIER_ALPHABET) for _ in range(6)),
            "timestamp": _now(request).isoformat().replace("+00:00", "Z"),
            "details": [f"{e['field']}: {e['message']}" for e in errors or []],
        }
        return JSONResponse(body, status_code=status, headers=headers)
    body = {
        "type": f"urn:beleg:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        "requestId": request_id,
    }
    if errors:
        body["errors"] = errors
    body.update(extensions or {})
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )
