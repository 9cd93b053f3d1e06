"""Users of a tenant (seed 001): the stored user, its rules beyond the user name, and the
result of deleting one. The password hash never leaves the repository in a ``User``; only
the sign-in reads it, as a ``UserCredential``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.scopes import Role

MAX_DISPLAY_NAME = 200


@dataclass(frozen=True, slots=True)
class User:
    """A user of one tenant, without the password hash."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    username: str
    display_name: str
    email: str | None
    role: Role
    password_changed_at: datetime
    created_at: datetime
    updated_at: datetime

    def snapshot(self) -> dict[str, Any]:
        """The user as audit entries show it (the stored columns without the hash)."""
        return {
            "tenant_id": self.tenant_id,
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "role": self.role.value,
            "password_changed_at": self.password_changed_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class UserCredential:
    """A user with the argon2id hash of their password: what a sign-in checks."""

    user: User
    password_hash: str


@dataclass(frozen=True, slots=True)
class DeletedUser:
    """The deleted user's last state and the API keys that were kept (seed 001)."""

    user: User
    kept_api_key_ids: tuple[uuid.UUID, ...]


def role_named(value: str) -> Role:
    """The role called ``value``; ValidationFailed naming ``role`` otherwise."""
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationFailed(
            "identity.role_unknown", field="role", allowed=allowed, role=value
        ) from None


def display_name(value: str | None, username: str) -> str:
    """The display name to store: the given one (or the user name), 1 to 200 characters."""
    name = (value or username).strip()
    if not 1 <= len(name) <= MAX_DISPLAY_NAME:
        raise ValidationFailed(
            "identity.display_name_length", field="displayName", limit=MAX_DISPLAY_NAME
        )
    return name
