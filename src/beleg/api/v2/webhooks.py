"""Outgoing webhooks (ADR 0021; seed 002): endpoints, their delivery log, the test event,
replay, and the event catalogue. Scopes ``webhooks:read`` and ``webhooks:write``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from beleg.api.language import response_language
from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.queries.delivery import webhooks as read
from beleg.services.delivery import webhooks as service

router = APIRouter(tags=["Webhooks"], route_class=BelegRoute)
READ, WRITE = "webhooks:read", "webhooks:write"
URL_HELP = (
    "https URL of the receiver; its host must resolve to public addresses only (http only to "
    "a literal loopback address, for test-mode tenants when BELEG_WEBHOOKS_ALLOW_LOOPBACK is on)"
)
TYPES_HELP = "Event types from GET /v2/webhook-event-types (at least one)"
Status = Literal["PENDING", "DELIVERED", "FAILED"]


class EndpointOut(ApiModel):
    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="Why delivery disabled it (3 days failing)")
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="whsec_...: verifies the signatures; shown only now")


class EndpointCreate(ApiInput):
    url: str = Field(description=URL_HELP)
    description: str | None = Field(None, description="Up to 500 characters")
    event_types: list[str] = Field(description=TYPES_HELP)
    enabled: bool = True


class EndpointPatch(ApiInput):
    url: str | None = Field(None, description=URL_HELP)
    description: str | None = None
    event_types: list[str] | None = Field(None, description=TYPES_HELP)
    enabled: bool | None = Field(None, description="true again clears disabledReason")

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(exclude_unset=True)
        for name, wire in (("url", "url"), ("event_types", "eventTypes"), ("enabled", "enabled")):
            if name in given and given[name] is None:
                raise ValidationFailed("delivery.webhook_field_required", field=wire, name=wire)
        return given


class AttemptOut(ApiModel):
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None = Field(description="null: no answer (refused, timeout, ...)")
    response_body: str | None = Field(description="The first 4 KiB of the answer")
    error: str | None


class DeliveryOut(ApiModel):
    id: uuid.UUID = Field(description="Also the webhook-id header")
    endpoint_id: uuid.UUID
    event_id: uuid.UUID = Field(description="The envelope's id")
    event_type: str
    status: Status
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryDetail(DeliveryOut):
    payload: str = Field(description="The exact body that was signed and sent")
    attempt_log: list[AttemptOut]


class EventTypeOut(ApiModel):
    name: str
    description: str
    subscribable: bool = Field(description="false: webhook.test, sent only by /test")


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get(
    "/webhook-event-types",
    response_model=list[EventTypeOut],
    summary="List the webhook event catalogue",
)
def list_event_types(request: Request, actor: Actor = requires(READ)) -> Any:
    return read.event_types(response_language(request))


@router.get(
    "/webhook-endpoints",
    response_model=Page[EndpointOut],
    responses=CSV_RESPONSE,
    summary="List webhook endpoints",
)
def list_endpoints(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    spec = read.endpoint_list(_tenant(actor))
    return list_response(request, spec, params, rt, "webhook-endpoints.csv")


@router.post(
    "/webhook-endpoints",
    response_model=EndpointWithSecret,
    status_code=201,
    summary="Create a webhook endpoint (audited); answers its secret once",
)
def create_endpoint(
    body: EndpointCreate, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    endpoint = service.create_endpoint(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        url=body.url,
        description=body.description,
        event_types=body.event_types,
        enabled=body.enabled,
        allow_loopback=rt.settings.webhooks_allow_loopback,
        clock=rt.clock,
    )
    return read.endpoint_item(endpoint, with_secret=True)


@router.get(
    "/webhook-endpoints/{endpoint_id}", response_model=EndpointOut, summary="Get a webhook endpoint"
)
def read_endpoint(
    endpoint_id: uuid.UUID, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_endpoint(db=rt.db, tenant_id=_tenant(actor), endpoint_id=endpoint_id)


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response_model=EndpointOut,
    summary="Change a webhook endpoint (audited)",
)
def patch_endpoint(
    endpoint_id: uuid.UUID,
    body: EndpointPatch,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    endpoint = service.update_endpoint(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        endpoint_id=endpoint_id,
        changes=body.changes(),
        allow_loopback=rt.settings.webhooks_allow_loopback,
        clock=rt.clock,
    )
    return read.endpoint_item(endpoint)


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    status_code=204,
    summary="Delete a webhook endpoint and its delivery log (audited)",
)
def delete_endpoint(
    endpoint_id: uuid.UUID, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> None:
    service.delete_endpoint(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), endpoint_id=endpoint_id, clock=rt.clock
    )


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response_model=EndpointWithSecret,
    summary="Give a webhook endpoint a new signing secret (audited); answers it once",
)
def rotate_secret(
    endpoint_id: uuid.UUID, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    endpoint = service.rotate_secret(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), endpoint_id=endpoint_id, clock=rt.clock
    )
    return read.endpoint_item(endpoint, with_secret=True)


@router.post(
    "/webhook-endpoints/{endpoint_id}/test",
    response_model=DeliveryDetail,
    summary="Send a test event (webhook.test) now; answers the delivery with the attempt",
)
def send_test(
    endpoint_id: uuid.UUID, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    delivery = service.send_test(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        endpoint_id=endpoint_id,
        allow_loopback=rt.settings.webhooks_allow_loopback,
        clock=rt.clock,
    )
    return read.get_delivery(db=rt.db, tenant_id=_tenant(actor), delivery_id=delivery.id)


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    response_model=Page[DeliveryOut],
    responses=CSV_RESPONSE,
    summary="List an endpoint's deliveries, newest first",
)
def list_deliveries(  # noqa: PLR0917 -- FastAPI builds this from the request
    request: Request,
    endpoint_id: uuid.UUID,
    status: Status | None = Query(None, description="Only deliveries in this state"),
    event_type: str | None = Query(None, alias="type", description="Only this event type"),
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    tenant_id = _tenant(actor)
    read.require_endpoint(db=rt.db, tenant_id=tenant_id, endpoint_id=endpoint_id)
    spec = read.delivery_list(tenant_id, endpoint_id, status=status, event_type=event_type)
    return list_response(request, spec, params, rt, "webhook-deliveries.csv")


@router.get(
    "/webhook-deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    summary="Get a delivery with the exact payload sent and its attempts",
)
def read_delivery(
    delivery_id: uuid.UUID, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_delivery(db=rt.db, tenant_id=_tenant(actor), delivery_id=delivery_id)


@router.post(
    "/webhook-deliveries/{delivery_id}/replay",
    response_model=DeliveryOut,
    summary="Send a delivery again: same id and payload, due now (audited)",
)
def replay_delivery(
    delivery_id: uuid.UUID, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    delivery = service.replay_delivery(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), delivery_id=delivery_id, clock=rt.clock
    )
    return read.delivery_item(delivery)
