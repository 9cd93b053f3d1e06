"""API keys: create (the secret is returned once), change, delete, and authenticate.

Only the SHA-256 of a token is stored; the prefix is kept in clear so a key can be recognised in
lists and found in one indexed lookup. Expiry is judged on the system clock, never on a tenant's
test clock (see ``beleg.clock``).
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import replace
from datetime import datetime

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.identity import keys as repo
from beleg.db.identity import users as user_repo
from beleg.db.tenancy import is_platform_tenant
from beleg.domain.audit.chain import AuditAction
from beleg.domain.identity.api_keys import (
    PREFIX_LENGTH,
    ApiKey,
    CreatedKey,
    KeyStatus,
    check_within_creator,
    expiry_for,
    format_token,
    parse_token,
    secret_digest,
    status_at,
    valid_name,
)
from beleg.domain.identity.principal import Actor, ActorType, AuthFailure, Principal
from beleg.domain.identity.scopes import check_grantable, validate_scopes

ENTITY = "ApiKey"
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def _created_by(
    session: Session, actor: Actor, *, tenant_id: uuid.UUID, name: str, prefix: str, now: datetime
) -> ApiKey:
    """A new key named ``name``, created now by the actor: by the acting user if they belong
    to the key's tenant (no scopes, no expiry yet)."""
    principal = actor.principal
    user_id = principal.user_id
    if user_id is not None and not user_repo.user_exists(session, tenant_id, user_id):
        user_id = None
    return ApiKey(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        name=name,
        prefix=prefix,
        scopes=(),
        validity_days=None,
        expires_at=None,
        created_at=now,
        updated_at=now,
        created_by_user_id=user_id,
        created_by_key_id=principal.api_key_id,
        created_by_name=principal.name,
    )


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

    The scopes must be a subset of ``granter_scopes`` (default: the actor's own scopes); a
    key created by a key may not outlive it (``check_within_creator``)."""
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
    """``create_api_key`` as a step: runs in the caller's transaction (the first start
    creates the platform tenant's admin key with it)."""
    requested = validate_scopes(scopes)
    now = clock.now()
    expires_at = expiry_for(now, validity_days)
    check_within_creator(expires_at, actor.principal.expires_at)
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    token = format_token(prefix, secrets.token_urlsafe(32))
    check_grantable(
        requested,
        granter_scopes=granter_scopes or actor.principal.scopes,
        platform_tenant=is_platform_tenant(session, tenant_id),
    )
    key = replace(
        _created_by(
            session, actor, tenant_id=tenant_id, name=valid_name(name), prefix=prefix, now=now
        ),
        scopes=tuple(sorted(requested)),
        validity_days=validity_days,
        expires_at=expires_at,
    )
    repo.insert_api_key(session, key, secret_hash=secret_digest(token))
    change = Change(AuditAction.CREATE, ENTITY, key.id, None, key.snapshot())
    record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return CreatedKey(key=key, token=token)


def update_api_key(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    key_id: uuid.UUID,
    name: str | None,
    scopes: list[str] | None,
    clock: Clock,
) -> ApiKey:
    """Rename a key or replace its scopes (again only scopes the actor holds). Without any
    change nothing is written or audited."""
    with db.transaction() as session:
        before = repo.api_key_by_id(session, tenant_id, key_id)
        after = before
        if name is not None:
            after = replace(after, name=valid_name(name))
        if scopes is not None:
            requested = validate_scopes(scopes)
            check_grantable(
                requested,
                granter_scopes=actor.principal.scopes,
                platform_tenant=is_platform_tenant(session, tenant_id),
            )
            after = replace(after, scopes=tuple(sorted(requested)))
        if name is None and scopes is None:
            return before
        after = replace(after, updated_at=clock.now())
        repo.save_api_key(session, after)
        change = Change(AuditAction.UPDATE, ENTITY, after.id, before.snapshot(), after.snapshot())
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return after


def delete_api_key(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, key_id: uuid.UUID, clock: Clock
) -> ApiKey:
    """Delete (revoke) a key; it stops working at once."""
    with db.transaction() as session:
        before = repo.api_key_by_id(session, tenant_id, key_id)
        repo.delete_api_key(session, tenant_id, key_id)
        change = Change(AuditAction.DELETE, ENTITY, before.id, before.snapshot(), None)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return before


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
        found = repo.credential_by_prefix(session, prefix)
    if found is None or not hmac.compare_digest(found.secret_hash, secret_digest(token)):
        return AuthFailure("unknown")
    if status_at(found.expires_at, clock.now()) is KeyStatus.EXPIRED:
        return AuthFailure("expired")
    return Principal(
        tenant_id=found.tenant_id,
        actor_type=ActorType.API_KEY,
        actor_id=str(found.key_id),
        name=f"{found.name} ({found.prefix})",
        scopes=found.scopes,
        platform_tenant=found.platform_tenant,
        user_id=found.created_by_user_id,
        api_key_id=found.key_id,
        expires_at=found.expires_at,
    )
