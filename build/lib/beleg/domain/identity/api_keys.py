"""API key rules: validity periods, status, and the token format.

Seed 001: a key must be given a validity of 7, 30, 60 or 90 days, or unlimited; its status is
Active or Expired, derived from the expiry. The secret is shown once; only its SHA-256 is kept
(the token has 256 bits of entropy, so a slow password hash adds nothing but latency).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from beleg.domain.errors import ValidationFailed

VALIDITY_DAYS = (7, 30, 60, 90)
TOKEN_MARKER = "blg"  # noqa: S105 -- a marker, not a secret
PREFIX_LENGTH = 8
MAX_NAME = 200


class KeyStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored API key without its secret: scopes sorted, who created it (the user's id is
    cleared when that user is deleted; the name stays as text)."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    name: str
    prefix: str
    scopes: tuple[str, ...]
    validity_days: int | None
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_by_user_id: uuid.UUID | None
    created_by_key_id: uuid.UUID | None
    created_by_name: str

    def snapshot(self) -> dict[str, Any]:
        """The key as audit entries show it (the stored columns without the secret hash)."""
        return {
            "tenant_id": self.tenant_id,
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "scopes": list(self.scopes),
            "validity_days": self.validity_days,
            "expires_at": self.expires_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "created_by_user_id": self.created_by_user_id,
            "created_by_key_id": self.created_by_key_id,
            "created_by_name": self.created_by_name,
        }


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A new key and its token, which is shown once and never stored."""

    key: ApiKey
    token: str


@dataclass(frozen=True, slots=True)
class KeyCredential:
    """A key as its authentication reads it on every request: what the principal needs, the
    SHA-256 of its token and whether its tenant is the platform tenant."""

    tenant_id: uuid.UUID
    key_id: uuid.UUID
    name: str
    prefix: str
    scopes: frozenset[str]
    expires_at: datetime | None
    created_by_user_id: uuid.UUID | None
    secret_hash: str
    platform_tenant: bool


def valid_name(value: str) -> str:
    """The name of a key or an app, stripped: 1 to 200 characters."""
    name = value.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise ValidationFailed("identity.name_length", field="name", limit=MAX_NAME)
    return name


def expiry_for(created_at: datetime, validity_days: int | None) -> datetime | None:
    """The expiry instant for a validity of 7/30/60/90 days; ``None`` (unlimited) stays None."""
    if validity_days is None:
        return None
    if validity_days not in VALIDITY_DAYS:
        raise ValidationFailed(
            "identity.validity_days_unknown", field="validityDays", days=validity_days
        )
    return created_at + timedelta(days=validity_days)


def check_within_creator(expires_at: datetime | None, creator_expires_at: datetime | None) -> None:
    """A key may not outlive the key that creates it: a validity that would end after the
    creating key's expiry (unlimited included) is refused, naming ``validityDays``.

    Refused rather than cut short to the creator's expiry, so that a key's ``validityDays``
    and ``expiresAt`` always agree (seed 001's 7/30/60/90 days) and the client is told why
    instead of receiving a key that dies earlier than it asked; it may ask for a shorter
    validity. Access tokens act for their user, whose authority has no expiry of its own, so
    only a creating key's expiry bounds what it creates."""
    if creator_expires_at is None:
        return
    if expires_at is None or expires_at > creator_expires_at:
        raise ValidationFailed(
            "identity.validity_outlives_creator",
            field="validityDays",
            expires=creator_expires_at.isoformat(timespec="seconds"),
        )


def status_at(expires_at: datetime | None, now: datetime) -> KeyStatus:
    """ACTIVE until the expiry instant (exclusive), EXPIRED from then on."""
    if expires_at is None or now < expires_at:
        return KeyStatus.ACTIVE
    return KeyStatus.EXPIRED


def format_token(prefix: str, secret: str) -> str:
    """``blg_<prefix>_<secret>``: the prefix is stored in clear for recognition."""
    return f"{TOKEN_MARKER}_{prefix}_{secret}"


def parse_token(token: str) -> tuple[str, str] | None:
    """Split a presented token into (prefix, secret); ``None`` if it is not a Beleg key."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARKER or len(parts[1]) != PREFIX_LENGTH:
        return None
    return parts[1], parts[2]


def secret_digest(secret: str) -> str:
    """SHA-256 (hex) under which a high-entropy secret is stored: API keys, client secrets,
    refresh tokens, codes, session tokens. A fast hash suffices for random secrets (ADR 0002);
    passwords use argon2 instead."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
