"""Exception handlers: every failure becomes a 4xx/5xx body naming the field and the rule."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from beleg.api.language import preferred_language
from beleg.api.problems import ACCOUNTING_PREFIX, ApiError, problem_response
from beleg.domain.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed

log = structlog.get_logger("beleg.api")

_DOMAIN_STATUS: list[tuple[type[DomainError], int]] = [
    (ValidationFailed, 400),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
]


def _field_path(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(location[-1] if location else "body")


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": _field_path(tuple(e.get("loc", ()))), "message": e.get("msg", "")}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(
        request, status=400, code="validation-error", detail=detail, errors=errors
    )


async def _domain(request: Request, exc: DomainError) -> JSONResponse:
    status = next((s for cls, s in _DOMAIN_STATUS if isinstance(exc, cls)), 400)
    message = exc.message
    if request.url.path.startswith(ACCOUNTING_PREFIX) and preferred_language(request) == "de":
        message = _german(exc) or message  # seed 003 §2: German unless English is preferred
    errors = [{"field": exc.field, "message": message}] if exc.field else None
    return problem_response(request, status=status, code=exc.error, detail=message, errors=errors)


# What a NotFound on the accounting API names, by field (seed 003 style: "Land nicht gefunden.").
_NOT_FOUND_DE = {
    "invoice": "Rechnung",
    "booking": "Buchung",
    "journal": "Journal",
    "account": "Konto",
    "taxClassEntry": "Steuerklasse",
    "customer": "Kunde",
    "supplier": "Lieferant",
    "id": "Eintrag",
    "address": "Adresse",
    "header": "Kontoauszug",
    "bankAccount": "Bankkonto",
}


def _german(exc: DomainError) -> str | None:
    german = exc.text("de")
    if german != exc.message:
        return german
    if isinstance(exc, NotFound) and exc.field in _NOT_FOUND_DE:
        return f"{_NOT_FOUND_DE[exc.field]} nicht gefunden."
    return None


async def _api(request: Request, exc: ApiError) -> JSONResponse:
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        detail=exc.message,
        errors=errors,
        headers=exc.headers,
    )


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return problem_response(
        request,
        status=exc.status_code,
        code=code,
        detail=str(exc.detail),
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc, path=request.url.path)
    return problem_response(
        request,
        status=500,
        code="internal-error",
        detail="An unexpected error occurred; quote the request id.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _api)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
