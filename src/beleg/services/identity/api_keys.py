"""API keys: create (the secret is returned once), change, delete, and authenticate.

Only the SHA-256 of a token is stored; the prefix is kept in clear so a key can be recognised in
lists and found in one indexed lookup. Expiry is judged on the system clock, never on a tenant's
test clock (see ``beleg.clock``).
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change, update_audited
from beleg.db.database import Database
from beleg.db.tables import api_keys, tenants, users
from beleg.db.tenancy import is_platform_tenant
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.api_keys import (
    PREFIX_LENGTH,
    KeyStatus,
    expiry_for,
    format_token,
    parse_token,
    secret_digest,
    status_at,
)
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.domain.identity.scopes import check_grantable, validate_scopes

ENTITY = "ApiKey"
MAX_NAME = 200
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: dict[str, Any]
    token: str  # shown once, never stored


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    """A key without its secret hash; scopes as a sorted list."""
    view = {k: v for k, v in row.items() if k != "secret_hash"}
    view["scopes"] = sorted(view["scopes"])
    return view


def _name(value: str) -> str:
    name = value.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise ValidationFailed(f"name must have 1 to {MAX_NAME} characters", field="name")
    return name


def _creator(
    session: Session, actor: Actor, tenant_id: uuid.UUID
) -> tuple[uuid.UUID | None, uuid.UUID | None, str]:
    """Who created the key: the acting user if they belong to the key's tenant."""
    principal = actor.principal
    user_id = principal.user_id
    if user_id is not None:
        exists = session.execute(
            select(users.c.id).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        ).first()
        user_id = user_id if exists else None
    return user_id, principal.api_key_id, principal.name


def create_api_key(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    name: str,
    scopes: list[str],
    validity_days: int | None,
    clock: Clock,
    granter_scopes: frozenset[str] | None = None,
) -> CreatedKey:
    """Create a key with explicit scopes and a validity of 7/30/60/90 days or unlimited.

    The scopes must be a subset of ``granter_scopes`` (default: the actor's own scopes)."""
    with db.transaction() as session:
        return insert_api_key(
            session,
            actor=actor,
            tenant_id=tenant_id,
            name=name,
            scopes=scopes,
            validity_days=validity_days,
            clock=clock,
            granter_scopes=granter_scopes,
        )


def insert_api_key(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    name: str,
    scopes: list[str],
    validity_days: int | None,
    clock: Clock,
    granter_scopes: frozenset[str] | None = None,
) -> CreatedKey:
    """``create_api_key`` inside the caller's transaction."""
    requested = validate_scopes(scopes)
    now = clock.now()
    expires_at = expiry_for(now, validity_days)
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    token = format_token(prefix, secrets.token_urlsafe(32))
    check_grantable(
        requested,
        granter_scopes=granter_scopes or actor.principal.scopes,
        platform_tenant=is_platform_tenant(session, tenant_id),
    )
    user_id, key_id, creator_name = _creator(session, actor, tenant_id)
    values = {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "name": _name(name),
        "prefix": prefix,
        "secret_hash": secret_digest(token),
        "scopes": sorted(requested),
        "validity_days": validity_days,
        "expires_at": expires_at,
        "created_at": now,
        "updated_at": now,
        "created_by_user_id": user_id,
        "created_by_key_id": key_id,
        "created_by_name": creator_name,
    }
    session.execute(insert(api_keys).values(**values))
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=values["id"],
        before=None,
        after=public_view(values),
        clock=clock,
    )
    return CreatedKey(key=public_view(values), token=token)


def _load(session: Session, tenant_id: uuid.UUID, key_id: uuid.UUID) -> dict[str, Any]:
    row = session.execute(
        select(api_keys).where(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"API key {key_id} does not exist", field="apiKeyId")
    return dict(row._mapping)


def update_api_key(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    key_id: uuid.UUID,
    name: str | None,
    scopes: list[str] | None,
    clock: Clock,
) -> dict[str, Any]:
    """Rename a key or replace its scopes (again only scopes the actor holds)."""
    with db.transaction() as session:
        before = _load(session, tenant_id, key_id)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = _name(name)
        if scopes is not None:
            requested = validate_scopes(scopes)
            check_grantable(
                requested,
                granter_scopes=actor.principal.scopes,
                platform_tenant=is_platform_tenant(session, tenant_id),
            )
            values["scopes"] = sorted(requested)
        where = (api_keys.c.tenant_id == tenant_id) & (api_keys.c.id == key_id)
        return update_audited(
            session,
            actor=actor,
            tenant_id=tenant_id,
            table=api_keys,
            where=where,
            before=before,
            values=values,
            entity_type=ENTITY,
            entity_id=key_id,
            view=public_view,
            clock=clock,
        )


def delete_api_key(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, key_id: uuid.UUID, clock: Clock
) -> dict[str, Any]:
    """Delete (revoke) a key; it stops working at once."""
    with db.transaction() as session:
        before = _load(session, tenant_id, key_id)
        session.execute(
            delete(api_keys).where(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id)
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=ENTITY,
            entity_id=key_id,
            before=public_view(before),
            after=None,
            clock=clock,
        )
        return public_view(before)


@dataclass(frozen=True, slots=True)
class AuthFailure:
    reason: str  # "unknown" or "expired"


def authenticate_api_key(
    *, db: Database, token: str, clock: Clock
) -> Principal | AuthFailure | None:
    """Resolve a presented token to its principal, or say why it is refused; None when the
    token is not an API key at all (another authenticator may know it)."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    prefix, _secret = parsed
    with db.reader() as session:
        row = session.execute(
            select(api_keys, tenants.c.is_platform)
            .join(tenants, tenants.c.id == api_keys.c.tenant_id)
            .where(api_keys.c.prefix == prefix)
        ).one_or_none()
    if row is None or not hmac.compare_digest(row.secret_hash, secret_digest(token)):
        return AuthFailure("unknown")
    if status_at(row.expires_at, clock.now()) is KeyStatus.EXPIRED:
        return AuthFailure("expired")
    return Principal(
        tenant_id=row.tenant_id,
        actor_type=ActorType.API_KEY,
        actor_id=str(row.id),
        name=f"{row.name} ({row.prefix})",
        scopes=frozenset(row.scopes),
        platform_tenant=row.is_platform,
        user_id=row.created_by_user_id,
        api_key_id=row.id,
    )
