"""Who is acting: the authenticated principal of a request, or an operator at the CLI."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ActorType(StrEnum):
    API_KEY = "API_KEY"
    USER = "USER"  # a user acting through an access token (OAuth2)
    CLI = "CLI"  # an operator at the command line of the server
    SYSTEM = "SYSTEM"  # the platform itself (bootstrap, scheduled jobs)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated actor within one tenant and the scopes it holds."""

    tenant_id: uuid.UUID
    actor_type: ActorType
    actor_id: str | None
    name: str
    scopes: frozenset[str]
    platform_tenant: bool = False
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    # When the credential stops working: an API key's expiry (None: unlimited, or a user's
    # own authority, which an access token only carries for an hour at a time).
    expires_at: datetime | None = None

    def holds(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def idempotency_namespace(self) -> str:
        """Idempotency keys are scoped to the actor, so two actors never see each other's."""
        return f"{self.actor_type.lower()}:{self.actor_id or '-'}"


@dataclass(frozen=True, slots=True)
class AuthFailure:
    """Why a presented credential was refused: ``unknown``, ``invalid`` or ``expired``."""

    reason: str


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from: recorded in every audit entry."""

    ip_address: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """The principal plus its origin: what a service operation needs to authorise and audit."""

    principal: Principal
    origin: Origin = field(default_factory=Origin)


def system_actor(tenant_id: uuid.UUID, name: str) -> Actor:
    """The platform itself acting in ``tenant_id`` with every tenant scope (scheduled and
    background work), audited under ``name``."""
    from beleg.domain.identity.scopes import TENANT_SCOPES  # noqa: PLC0415 -- scopes reads the catalogue

    return Actor(
        Principal(
            tenant_id=tenant_id,
            actor_type=ActorType.SYSTEM,
            actor_id=None,
            name=name,
            scopes=TENANT_SCOPES,
        )
    )
