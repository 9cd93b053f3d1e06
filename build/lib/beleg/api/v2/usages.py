"""Usage events (spec/billing-api.md "Usage"; ADR 0016): record one event or a batch of up to
10,000, list and read them, cancel and delete one. ``{id}`` is the client's event id. Scopes
``usages:read`` and ``usages:write``.

The event bodies are decoded JSON checked by ``domain/usage`` in one pass, not one request
model per event: a batch of 10,000 is checked as a whole, every rejection named by the event's
index and field (``events[3].quantity``), and answered 422 with the ``rejected`` list (an
RFC 9457 extension member) when any event is refused; then nothing is written.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request
from pydantic import Field

from beleg import messages
from beleg.api.language import response_language
from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.problems import problem_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel, Page, Problem
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.domain.usage.batch import batch_events
from beleg.domain.usage.records import BatchOutcome
from beleg.queries.usage import events as read
from beleg.services.usage import events as service

router = APIRouter(prefix="/usages", tags=["Usage"], route_class=BelegRoute)
READ, WRITE = "usages:read", "usages:write"
EventId = Annotated[str, Path(min_length=1, max_length=100, description="The client's event id")]

_SCALAR = {"anyOf": [{"type": "string", "maxLength": 500}, {"type": "number"}, {"type": "boolean"}]}
_INSTANT = {"type": "string", "format": "date-time", "description": "ISO 8601 with an offset"}
_REFERENCE = {"type": "string", "minLength": 1, "maxLength": 50}
EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "option"],
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Unique"},
        "contract": {**_REFERENCE, "description": "Contract id or contractNumber"},
        "customer": {
            **_REFERENCE,
            "description": "Customer id or customerNumber: its one "
            "running contract with an item of the option",
        },
        "option": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$"},
        "quantity": {
            "anyOf": [
                {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"},
                {"type": "number", "minimum": 0},
            ],
            "description": "Not negative, at most 6 decimals; time-based usage: by default the "
            "hours from start to end",
        },
        "timestamp": {**_INSTANT, "description": "USAGE options: when it happened"},
        "start": {**_INSTANT, "description": "TIME_BASED_USAGE options: from"},
        "end": {**_INSTANT, "description": "TIME_BASED_USAGE options: until"},
        "properties": {"type": "object", "maxProperties": 50, "additionalProperties": _SCALAR},
    },
}
BATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["events"],
    "properties": {"events": {"type": "array", "maxItems": 10_000, "items": EVENT_SCHEMA}},
}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


class RejectionOut(ApiModel):
    index: int = Field(description="The event's position in the batch, from 0")
    field: str = Field(description="e.g. events[3].quantity")
    message: str


class BatchOut(ApiModel):
    accepted: int = Field(description="Events recorded now")
    duplicates: list[str] = Field(description="Ids stored before or repeated in the batch")
    rejected: list[RejectionOut] = Field(description="Always empty on success")


class RejectedProblem(Problem):
    """Problem details; with refused events (code ``usage-rejected``) the extension members
    ``accepted`` (0), ``duplicates`` and ``rejected``. A reused Idempotency-Key is a 422
    without them."""

    accepted: int | None = None
    duplicates: list[str] | None = None
    rejected: list[RejectionOut] | None = None


class UsageOut(ApiModel):
    id: str
    contract: uuid.UUID
    contract_number: str | None
    option: str
    quantity: str
    timestamp: datetime = Field(description="The instant, or the start of time-based usage")
    end: datetime | None
    properties: dict[str, str | int | float | bool]
    status: str = Field(description="ACTIVE or CANCELLED")
    received_at: datetime


REJECTED: dict[int | str, dict[str, Any]] = {
    422: {
        "model": RejectedProblem,
        "description": "An event was refused: nothing was written; `rejected` names each. "
        "Or the Idempotency-Key was used for another request",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/RejectedProblem"}}
        },
    },
    409: {
        "model": Problem,
        "description": "A concurrent batch stored one of the ids first; retry",
        "content": {"application/problem+json": {}},
    },
}


def _answer(request: Request, outcome: BatchOutcome) -> Any:
    if not outcome.rejected:
        return {
            "accepted": outcome.accepted,
            "duplicates": list(outcome.duplicates),
            "rejected": [],
        }
    language = response_language(request)
    rejected = [
        {"index": r.index, "field": r.field, "message": r.text(language)} for r in outcome.rejected
    ]
    return problem_response(
        request,
        status=422,
        code="usage-rejected",
        detail=messages.text("usage.batch_rejected", language, count=len(rejected)),
        errors=[{"field": r["field"], "message": r["message"]} for r in rejected],
        extensions={"accepted": 0, "duplicates": list(outcome.duplicates), "rejected": rejected},
    )


def _record(request: Request, raw: list[Any], batch: bool, actor: Actor, rt: Runtime) -> Any:
    outcome = service.record_events(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        raw=raw,
        batch=batch,
        clock=rt.clock,
    )
    return _answer(request, outcome)


@router.post(
    "",
    response_model=BatchOut,
    responses=REJECTED,
    openapi_extra=_body(EVENT_SCHEMA),
    summary="Record one usage event",
)
def record_usage(
    request: Request,
    body: Annotated[dict[str, Any], Body()],
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    """One event; the answer has the batch's shape (a stored id is a duplicate)."""
    return _record(request, [body], False, actor, rt)


@router.post(
    "/batch",
    response_model=BatchOut,
    responses=REJECTED,
    openapi_extra=_body(BATCH_SCHEMA),
    summary="Record up to 10,000 usage events",
)
def record_usage_batch(
    request: Request,
    body: Annotated[dict[str, Any], Body()],
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    """All events, or with any rejected none (422 with ``rejected``: index, field, message);
    duplicates are reported and not counted twice."""
    return _record(request, batch_events(body), True, actor, rt)


@router.get("", response_model=Page[UsageOut], responses=CSV_RESPONSE, summary="List usage")
def list_usages(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    """RSQL ``search=`` on id, contract, contractNumber, option, status, timestamp,
    receivedAt; ``format=csv`` exports the list."""
    spec = read.usage_list(actor.principal.tenant_id)
    return list_response(request, spec, params, rt, "usages.csv")


@router.get("/{event_id}", response_model=UsageOut, summary="Read a usage event")
def get_usage(
    event_id: EventId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_usage(db=rt.db, tenant_id=actor.principal.tenant_id, event_id=event_id)


@router.post("/{event_id}/cancel", response_model=UsageOut, summary="Cancel a usage event")
def cancel_usage(
    event_id: EventId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    """The event stays, CANCELLED: it counts no more and its id stays taken (audited)."""
    tenant_id = actor.principal.tenant_id
    service.cancel_event(
        db=rt.db, actor=actor, tenant_id=tenant_id, event_id=event_id, clock=rt.clock
    )
    return read.get_usage(db=rt.db, tenant_id=tenant_id, event_id=event_id)


@router.delete("/{event_id}", status_code=204, summary="Delete a usage event")
def delete_usage(
    event_id: EventId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> None:
    """The event is removed: it never counts again and its id is free (audited)."""
    service.delete_event(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        event_id=event_id,
        clock=rt.clock,
    )
