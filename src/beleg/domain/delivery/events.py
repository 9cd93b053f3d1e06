"""Domain events as delivery sees them: an outbox event of one tenant, taken once by the
dispatcher (ADR 0021), which turns it into webhook deliveries and mails."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """``payload`` is the event's JSON object as its service wrote it (camelCase)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    topic: str
    payload: Mapping[str, Any]
    created_at: datetime
