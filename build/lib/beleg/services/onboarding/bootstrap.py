"""First start on an empty database: a platform tenant and an administrator's API key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from beleg.clock import Clock
from beleg.db import tenancy as repo
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.identity.api_keys import CreatedKey
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.domain.identity.scopes import PLATFORM_SCOPES, TENANT_SCOPES
from beleg.domain.tenancy.model import Tenant
from beleg.services.identity.api_keys import insert_api_key
from beleg.services.onboarding.tenants import TenantInput, new_tenant


@dataclass(frozen=True, slots=True)
class Bootstrap:
    tenant: Tenant
    admin_key: CreatedKey


def bootstrap_if_empty(
    *, db: Database, clock: Clock, country: str = "AT", accounting_mode: str = "DE"
) -> Bootstrap | None:
    """On a database without tenants, create the platform tenant and an unlimited admin key
    holding every scope; return them (the token is shown once). Otherwise do nothing."""
    with db.transaction() as session:
        if repo.any_tenant(session):
            return None
        spec = TenantInput(name="Platform", country=country, accounting_mode=accounting_mode)
        tenant = new_tenant(session, spec=spec, clock=clock, is_platform=True)
        system = _system_actor(tenant.id)
        record_change(
            session,
            actor=system,
            tenant_id=tenant.id,
            action=AuditAction.CREATE,
            entity_type="Tenant",
            entity_id=tenant.id,
            before=None,
            after=tenant.snapshot(),
            clock=clock,
        )
        key = insert_api_key(
            session,
            actor=system,
            tenant_id=tenant.id,
            name="Bootstrap admin",
            scopes=sorted(TENANT_SCOPES | PLATFORM_SCOPES),
            validity_days=None,
            clock=clock,
        )
    return Bootstrap(tenant=tenant, admin_key=key)


def _system_actor(tenant_id: uuid.UUID) -> Actor:
    return Actor(
        Principal(
            tenant_id=tenant_id,
            actor_type=ActorType.SYSTEM,
            actor_id=None,
            name="bootstrap",
            scopes=TENANT_SCOPES | PLATFORM_SCOPES,
            platform_tenant=True,
        )
    )
