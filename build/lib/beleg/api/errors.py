"""Exception handlers: every failure becomes a 4xx/5xx body naming the field and the rule.

Texts come from the message catalogue in the response's language (``api.language``). On the
accounting API (``/api/1.1``) the framework's own failures (request validation, bad JSON,
unknown fields, 401, 403, unknown routes, wrong methods) carry the exception-style names of
seed 003's RestError (``ValidationException``, ...) like business errors do; the billing API
keeps its problem codes (``validation-error``, ``unauthenticated``, ...).
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import get_route_path

from beleg import messages
from beleg.api.language import response_language
from beleg.api.problems import ACCOUNTING_PREFIX, ApiError, problem_response
from beleg.api.routing import allowed_methods
from beleg.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    UnsupportedMedia,
    ValidationFailed,
)

log = structlog.get_logger("beleg.api")

_DOMAIN_STATUS: list[tuple[type[DomainError], int]] = [
    (ValidationFailed, 400),
    (UnsupportedMedia, 415),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
]
# Seed 003 RestError.error names of the framework's failures on /api/1.1.
_ACCOUNTING_NAMES = {
    "validation-error": "ValidationException",
    "unauthenticated": "UnauthorizedException",
    "missing-scope": "ForbiddenException",
    "not-found": "NotFoundException",
    "method-not-allowed": "MethodNotAllowedException",
    "body-too-large": "PayloadTooLargeException",
}
_HTTP = {
    404: ("not-found", "api.not_found"),
    405: ("method-not-allowed", "api.method_not_allowed"),
}
_PLURAL_OF = {  # pydantic's {expected_plural} follows this context value
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_length",
    "too_long": "max_length",
    "decimal_max_digits": "max_digits",
    "decimal_max_places": "decimal_places",
    "decimal_whole_digits": "whole_digits",
}


def _accounting(request: Request) -> bool:
    return request.url.path.startswith(ACCOUNTING_PREFIX)


def error_name(request: Request, code: str) -> str:
    """The error name of a framework failure: its problem code, or on /api/1.1 the seed's
    exception-style name."""
    return _ACCOUNTING_NAMES.get(code, code) if _accounting(request) else code


def _field_path(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(location[-1] if location else "body")


def validation_text(error: dict[str, Any], language: str) -> str:
    """The text of one request-validation error: the catalogue's ``framework.<type>`` in
    ``language`` with the error's context, else the framework's own message."""
    code = f"framework.{error.get('type', '')}"
    if not messages.known(code):
        return str(error.get("msg", ""))
    params = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    counted = _PLURAL_OF.get(str(error.get("type")))
    if counted is not None:
        params["expected_plural"] = "" if params.get(counted) == "1" else "s"
    try:
        return messages.text(code, language, **params)
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", ""))


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    language = response_language(request)
    errors = [
        {"field": _field_path(tuple(e.get("loc", ()))), "message": validation_text(e, language)}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(
        request,
        status=400,
        code=error_name(request, "validation-error"),
        detail=detail,
        errors=errors,
    )


async def _domain(request: Request, exc: DomainError) -> JSONResponse:
    status = next((s for cls, s in _DOMAIN_STATUS if isinstance(exc, cls)), 400)
    message = exc.text(response_language(request))
    errors = [{"field": exc.field, "message": message}] if exc.field else None
    return problem_response(request, status=status, code=exc.error, detail=message, errors=errors)


async def _api(request: Request, exc: ApiError) -> JSONResponse:
    message = exc.text(response_language(request))
    errors = [{"field": exc.field, "message": message}] if exc.field else None
    return problem_response(
        request,
        status=exc.status,
        code=error_name(request, exc.code),
        detail=message,
        errors=errors,
        headers=exc.headers,
    )


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    code, text = _HTTP.get(exc.status_code, ("http-error", ""))
    detail = messages.text(text, response_language(request)) if text else str(exc.detail)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:  # the route that refused knows only its own methods
        methods = allowed_methods(request.app.routes, get_route_path(request.scope))
        headers["Allow"] = ", ".join(methods) or headers.get("Allow", "")
    return problem_response(
        request,
        status=exc.status_code,
        code=error_name(request, code),
        detail=detail,
        headers=headers or None,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc, path=request.url.path)
    return problem_response(
        request,
        status=500,
        code="internal-error",
        detail=messages.text("api.internal_error", response_language(request)),
    )


def install_error_handlers(app: FastAPI) -> None:
    # Starlette types handlers by the base Exception; ours take its subclasses.
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _api)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
