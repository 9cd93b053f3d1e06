"""Read models of webhook endpoints, deliveries and attempts (camelCase, as
``/v2/webhook-endpoints`` and ``/v2/webhook-deliveries`` show them), and the event catalogue.

A delivery's ``payload`` is the exact text that was signed and sent (seed 002: a receiver
verifies a webhook by fetching it by its ``webhook-id``)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from beleg import messages
from beleg.db.database import Database
from beleg.db.delivery import webhooks as repo
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import webhook_deliveries, webhook_endpoints
from beleg.domain.delivery.catalogue import CATALOGUE, TEST_EVENT
from beleg.domain.delivery.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from beleg.domain.errors import NotFound
from beleg.queries.listing import ListSpec

ENDPOINT_COLUMNS = ["id", "url", "description", "enabled", "disabledReason", "createdAt"]
DELIVERY_COLUMNS = ["id", "eventType", "status", "attempts", "nextAttemptAt", "createdAt"]
STATUSES = tuple(s.value for s in DeliveryStatus)


def event_types(language: str) -> list[dict[str, Any]]:
    """The catalogue with descriptions in ``language``; the test event last."""
    return [
        {
            "name": t.name,
            "description": messages.text(t.description, language),
            "subscribable": t is not TEST_EVENT,
        }
        for t in (*CATALOGUE, TEST_EVENT)
    ]


def endpoint_item(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    item = {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "eventTypes": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "disabledReason": endpoint.disabled_reason,
        "createdAt": endpoint.created_at,
        "updatedAt": endpoint.updated_at,
    }
    if with_secret:
        item["secret"] = endpoint.secret
    return item


def delivery_item(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "endpointId": delivery.endpoint_id,
        "eventId": delivery.event_id,
        "eventType": delivery.event_type,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "nextAttemptAt": delivery.next_attempt_at,
        "lastError": delivery.last_error,
        "createdAt": delivery.created_at,
        "deliveredAt": delivery.delivered_at,
    }


def attempt_item(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "startedAt": attempt.started_at,
        "durationMs": attempt.duration_ms,
        "statusCode": attempt.status_code,
        "responseBody": attempt.response_body,
        "error": attempt.error,
    }


def endpoint_list(tenant_id: uuid.UUID) -> ListSpec:
    c = webhook_endpoints.c
    return ListSpec(
        statement=select(webhook_endpoints).where(c.tenant_id == tenant_id),
        filters={
            "url": FilterField(c.url),
            "enabled": FilterField(c.enabled, Kind.BOOLEAN),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={"createdAt": c.created_at, "url": c.url},
        default_sort=[c.created_at, c.id],
        to_item=lambda row: endpoint_item(repo.endpoint_from_row(row)),
        columns=ENDPOINT_COLUMNS,
    )


def delivery_list(
    tenant_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    *,
    status: str | None = None,
    event_type: str | None = None,
) -> ListSpec:
    """An endpoint's delivery log, newest first; ``status`` and ``event_type`` narrow it
    (as do ``search=status==FAILED;eventType==customer.updated``)."""
    c = webhook_deliveries.c
    statement = select(webhook_deliveries).where(
        c.tenant_id == tenant_id, c.endpoint_id == endpoint_id
    )
    if status is not None:
        statement = statement.where(c.status == status)
    if event_type is not None:
        statement = statement.where(c.event_type == event_type)
    return ListSpec(
        statement=statement,
        filters={
            "status": FilterField(c.status, Kind.ENUM, STATUSES),
            "eventType": FilterField(c.event_type),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={"createdAt": c.created_at, "nextAttemptAt": c.next_attempt_at},
        default_sort=[c.created_at.desc(), c.id],
        to_item=lambda row: delivery_item(repo.delivery_from_row(row)),
        columns=DELIVERY_COLUMNS,
    )


def get_endpoint(*, db: Database, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        endpoint = repo.find_endpoint(session, tenant_id, endpoint_id)
    if endpoint is None:
        raise NotFound("delivery.webhook_endpoint_unknown", field="id", id=endpoint_id)
    return endpoint_item(endpoint)


def require_endpoint(*, db: Database, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    """NotFound naming ``id`` unless the tenant has the endpoint (before listing its log)."""
    get_endpoint(db=db, tenant_id=tenant_id, endpoint_id=endpoint_id)


def get_delivery(*, db: Database, tenant_id: uuid.UUID, delivery_id: uuid.UUID) -> dict[str, Any]:
    """The delivery with its exact payload text and its attempts, oldest first."""
    with db.reader() as session:
        delivery = repo.find_delivery(session, tenant_id, delivery_id)
        if delivery is None:
            raise NotFound("delivery.webhook_delivery_unknown", field="id", id=delivery_id)
        attempts = repo.attempts_of(session, tenant_id, delivery_id)
    return {
        **delivery_item(delivery),
        "payload": delivery.payload,
        "attemptLog": [attempt_item(a) for a in attempts],
    }
