"""Webhook endpoints, deliveries and attempts as the delivery context holds them (ADR 0021).

Times: ``created_at``/``updated_at`` of endpoints and deliveries are the system clock (an
event is sent to the endpoints that existed when it was created, also on the system clock);
``next_attempt_at``, ``first_attempt_at``, ``delivered_at`` and an attempt's ``started_at``
are the tenant's business clock (its TestClock when it has one), so that the retry schedule
follows it.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from beleg.domain.delivery.catalogue import BY_NAME
from beleg.domain.errors import ValidationFailed

SECRET_PREFIX = "whsec_"  # noqa: S105 -- Standard Webhooks secret prefix, not a secret
SECRET_BYTES = 24
MAX_DESCRIPTION = 500
RESPONSE_BODY_KEPT = 4096  # bytes of a receiver's answer kept per attempt (issue: 4 KiB)


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: uuid.UUID
    url: str
    description: str | None
    event_types: tuple[str, ...]  # catalogue names, sorted, unique
    secret: str
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime

    def takes(self, event_type: str, created_at: datetime) -> bool:
        """Whether an event of ``event_type`` created at ``created_at`` goes here: enabled,
        subscribed, and the endpoint existed then (ADR 0021 "Consequences")."""
        return self.enabled and event_type in self.event_types and self.created_at <= created_at


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: uuid.UUID  # the webhook-id header
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    payload: str  # the exact text signed and sent
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    first_attempt_at: datetime | None  # of the current series (a replay starts a new one)
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    number: int  # 1, 2, ... over the delivery's whole life (replays continue the count)
    started_at: datetime
    duration_ms: int
    status_code: int | None  # None: no answer (refused, timeout, connection error)
    response_body: str | None  # at most RESPONSE_BODY_KEPT bytes of the answer
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def new_secret() -> str:
    """``whsec_`` + base64 of 24 random bytes (Standard Webhooks' secret format)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def checked_event_types(names: Collection[str]) -> tuple[str, ...]:
    """The subscribed types, sorted and unique; at least one, each in the catalogue."""
    if not names:
        raise ValidationFailed("delivery.webhook_event_types_empty", field="eventTypes")
    for name in names:
        if name not in BY_NAME:
            raise ValidationFailed(
                "delivery.webhook_event_type_unknown", field="eventTypes", name=name
            )
    return tuple(sorted(set(names)))


def checked_description(text: str | None) -> str | None:
    if text is not None and len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(
            "delivery.webhook_description_too_long", field="description", limit=MAX_DESCRIPTION
        )
    return text


def kept_body(raw: bytes) -> str:
    """The first RESPONSE_BODY_KEPT bytes of an answer as text (invalid UTF-8 replaced)."""
    return raw[:RESPONSE_BODY_KEPT].decode("utf-8", errors="replace")
