"""API key rules: validity periods, status, and the token format.

Seed 001: a key must be given a validity of 7, 30, 60 or 90 days, or unlimited; its status is
Active or Expired, derived from the expiry. The secret is shown once; only its SHA-256 is kept
(the token has 256 bits of entropy, so a slow password hash adds nothing but latency).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum

from beleg.domain.errors import ValidationFailed

VALIDITY_DAYS = (7, 30, 60, 90)
TOKEN_MARKER = "blg"  # noqa: S105 -- a marker, not a secret
PREFIX_LENGTH = 8


class KeyStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"


def expiry_for(created_at: datetime, validity_days: int | None) -> datetime | None:
    """The expiry instant for a validity of 7/30/60/90 days; ``None`` (unlimited) stays None."""
    if validity_days is None:
        return None
    if validity_days not in VALIDITY_DAYS:
        raise ValidationFailed(
            f"validityDays must be one of 7, 30, 60, 90 or null (unlimited), not {validity_days}",
            field="validityDays",
        )
    return created_at + timedelta(days=validity_days)


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
