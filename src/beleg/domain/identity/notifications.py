"""System notifications for users (seed 003 §4.7.7 NotificationDto): something the system
tells a user, such as the tenant's admins learning that a webhook endpoint was disabled. A
notification is handed out once (``POST /api/1.1/notifications`` returns the unread ones and
marks them read). Its text is a catalogue key with parameters, rendered in the language of the
request that reads it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Priority(StrEnum):
    NONE = "NONE"
    HIGH = "HIGH"
    URGENT = "URGENT"


@dataclass(frozen=True, slots=True)
class Notification:
    id: uuid.UUID
    user_id: uuid.UUID
    message: str  # catalogue key
    params: Mapping[str, str]
    priority: Priority
    created_at: datetime
