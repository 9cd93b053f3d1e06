"""The webhook fan-out (ADR 0021): the dispatcher's reaction to the catalogue's topics. Each
event becomes one delivery per endpoint that takes it (enabled, subscribed to its type,
existing when the event was created), with the exact text that will be signed and sent, due
at once on the tenant's clock, written in bulk in the dispatcher's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.delivery import webhooks as repo
from beleg.db.tenancy import business_clock
from beleg.domain.delivery.catalogue import BY_TOPIC, envelope, payload_text
from beleg.domain.delivery.events import DomainEvent
from beleg.domain.delivery.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def fan_out(
    session: Session, tenant_id: uuid.UUID, events: Sequence[DomainEvent], clock: Clock
) -> None:
    """Write the deliveries of ``events`` (the dispatcher marks the events done with them)."""
    endpoints = repo.enabled_endpoints(session, tenant_id)
    if not endpoints:
        return
    due = business_clock(session, tenant_id=tenant_id, system=clock).now()
    deliveries = [
        _delivery(event, endpoint, due=due)
        for event in events
        for endpoint in endpoints
        if endpoint.takes(BY_TOPIC[event.topic].name, event.created_at)
    ]
    repo.insert_deliveries(session, tenant_id, deliveries)


def _delivery(event: DomainEvent, endpoint: WebhookEndpoint, *, due: datetime) -> WebhookDelivery:
    name = BY_TOPIC[event.topic].name
    body = envelope(
        event_id=event.id,
        event_type=name,
        created_at=event.created_at,
        endpoint_id=endpoint.id,
        data=event.payload,
    )
    return WebhookDelivery(
        id=uuid.uuid4(),
        endpoint_id=endpoint.id,
        event_id=event.id,
        event_type=name,
        payload=payload_text(body),
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=due,
        first_attempt_at=None,
        last_error=None,
        created_at=event.created_at,  # first attempts go out in the order of the events
        delivered_at=None,
    )
