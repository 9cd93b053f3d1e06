"""The published webhook event catalogue (delivery issue; ADR 0021): the event types an
endpoint may subscribe to, each the public name of one outbox topic the product really emits,
and the envelope every delivery carries.

A type is listed only when a service publishes its topic (``enqueue`` in services/): no
promised-but-never-sent types. Where the issue names a type for a topic, that name is used
(``document.payment_added`` is published as ``payment.created``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TEST_TYPE = "webhook.test"  # POST /v2/webhook-endpoints/{id}/test; never subscribed to


@dataclass(frozen=True, slots=True)
class EventType:
    name: str  # the published name, the envelope's ``type``
    topic: str  # the outbox topic it is published from

    @property
    def description(self) -> str:
        """The message code of its description (what ``data`` holds), webhooks.po."""
        return f"delivery.event.{self.name}"


CATALOGUE: tuple[EventType, ...] = (
    EventType("customer.created", "customer.created"),
    EventType("customer.updated", "customer.updated"),
    EventType("contract.created", "contract.created"),
    EventType("contract.updated", "contract.updated"),
    EventType("contract.activated", "contract.activated"),
    EventType("contract.cancelled", "contract.cancelled"),
    EventType("contract.deleted", "contract.deleted"),
    EventType("contract.paused", "contract.paused"),
    EventType("contract.resumed", "contract.resumed"),
    EventType("contract.plan_changed", "contract.plan_changed"),
    EventType("contract.terminated", "contract.terminated"),
    EventType("contract.termination_revoked", "contract.termination_revoked"),
    EventType("contract.ended", "contract.ended"),
    EventType("document.finalized", "document.finalized"),
    EventType("document.cancelled", "document.cancelled"),
    EventType("document.completed", "document.completed"),
    EventType("payment.created", "document.payment_added"),
    EventType("payment.cancelled", "document.payment_cancelled"),
    EventType("billing_run.completed", "billing_run.completed"),
    EventType("usage.recorded", "usage.recorded"),
    EventType("usage.cancelled", "usage.cancelled"),
    EventType("usage.deleted", "usage.deleted"),
    EventType("plan.created", "plan.created"),
    EventType("plan.updated", "plan.updated"),
    EventType("plan.cancelled", "plan.cancelled"),
    EventType("plan.deleted", "plan.deleted"),
    EventType("option.created", "option.created"),
    EventType("option.updated", "option.updated"),
    EventType("cash_receipt.created", "cash_receipt.created"),
)
# the test event: not subscribable, sent only by POST /v2/webhook-endpoints/{id}/test
TEST_EVENT = EventType(TEST_TYPE, TEST_TYPE)
BY_NAME: Mapping[str, EventType] = {t.name: t for t in CATALOGUE}
BY_TOPIC: Mapping[str, EventType] = {t.topic: t for t in CATALOGUE}
TOPICS: frozenset[str] = frozenset(BY_TOPIC)


def envelope(
    *,
    event_id: uuid.UUID,
    event_type: str,
    created_at: datetime,
    endpoint_id: uuid.UUID,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """The body of every delivery, the test event's too (seed 002: same shape, with the
    endpoint's id): ``{id, type, createdAt, webhookEndpoint: {id}, data}``. ``id`` is the
    event's (one event to many endpoints has one id); the delivery's own id is the
    ``webhook-id`` header."""
    return {
        "id": str(event_id),
        "type": event_type,
        "createdAt": created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "webhookEndpoint": {"id": str(endpoint_id)},
        "data": dict(data),
    }


def payload_text(body: Mapping[str, Any]) -> str:
    """The exact text signed and sent (compact JSON, UTF-8, keys in envelope order): stored
    with the delivery, so that GET /v2/webhook-deliveries/{id} answers it byte for byte."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
