"""Users of a tenant: create, change, delete. Passwords are stored as argon2id hashes only."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.identity import keys as key_repo
from beleg.db.identity import security as security_repo
from beleg.db.identity import users as repo
from beleg.db.tenancy import is_platform_tenant
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict
from beleg.domain.identity.hashing import hash_password
from beleg.domain.identity.passwords import check_password
from beleg.domain.identity.principal import Actor
from beleg.domain.identity.scopes import Role, check_grantable, scopes_for_role
from beleg.domain.identity.usernames import normalize_username
from beleg.domain.identity.users import DeletedUser, User, role_named
from beleg.domain.identity.users import display_name as valid_display_name

ENTITY = "User"


def _check_role_grant(session: Session, actor: Actor, tenant_id: uuid.UUID, role: Role) -> None:
    platform = is_platform_tenant(session, tenant_id)
    check_grantable(
        scopes_for_role(role, platform_tenant=platform),
        granter_scopes=actor.principal.scopes,
        platform_tenant=platform,
        field="role",
    )


def _check_password(session: Session, tenant_id: uuid.UUID, password: str) -> None:
    """The tenant's password policy (issue 4): its minimum length."""
    policy = security_repo.security_policy(session, tenant_id)
    check_password(password, min_length=policy.password_min_length)


def create_user(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    username: str,
    password: str,
    role: str,
    clock: Clock,
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    """Create a user; the actor must hold every scope the role grants (no escalation)."""
    name = normalize_username(username)
    user_role = role_named(role)
    now = clock.now()
    user = User(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        username=name,
        display_name=valid_display_name(display_name, name),
        email=email,
        role=user_role,
        password_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    hashed = hash_password(password)
    with db.transaction() as session:
        _check_password(session, tenant_id, password)
        _check_role_grant(session, actor, tenant_id, user_role)
        repo.insert_user(session, user, password_hash=hashed)
        change = Change(AuditAction.CREATE, ENTITY, user.id, None, user.snapshot())
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return user


def update_user(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    changes: dict[str, Any],
    clock: Clock,
) -> User:
    """Change display name, email, role or password (a new password is hashed anew).
    Without any change nothing is written or audited."""
    with db.transaction() as session:
        before = repo.user_by_id(session, tenant_id, user_id)
        after, hashed = _changed(session, actor, before, changes, clock)
        if after is None:
            return before
        repo.save_user(session, after, password_hash=hashed)
        change = Change(AuditAction.UPDATE, ENTITY, after.id, before.snapshot(), after.snapshot())
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return after


def _changed(
    session: Session, actor: Actor, user: User, changes: dict[str, Any], clock: Clock
) -> tuple[User | None, str | None]:
    """``user`` with ``changes`` applied and updated now, and the hash of a new password;
    None when ``changes`` names nothing to change (a value equal to the old one counts)."""
    after, hashed, changed = user, None, False
    if changes.get("display_name") is not None:
        name = valid_display_name(changes["display_name"], user.username)
        after, changed = replace(after, display_name=name), True
    if "email" in changes:
        after, changed = replace(after, email=changes["email"]), True
    if changes.get("role") is not None:
        after, changed = replace(after, role=role_named(changes["role"])), True
        _check_role_grant(session, actor, user.tenant_id, after.role)
    if changes.get("password") is not None:
        _check_password(session, user.tenant_id, changes["password"])
        hashed = hash_password(changes["password"])
        after, changed = replace(after, password_changed_at=clock.now()), True
    return (replace(after, updated_at=clock.now()) if changed else None), hashed


def delete_user(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, user_id: uuid.UUID, clock: Clock
) -> DeletedUser:
    """Delete a user. The API keys they created stay valid (seed 001); their creator
    reference is cleared and the creator's name kept as text. Deleting yourself is refused."""
    if actor.principal.user_id == user_id and actor.principal.api_key_id is None:
        raise Conflict("identity.cannot_delete_self", field="userId")
    with db.transaction() as session:
        before = repo.user_by_id(session, tenant_id, user_id)
        kept = key_repo.keys_created_by(session, tenant_id, user_id)
        key_repo.forget_creator(session, tenant_id, user_id)
        repo.delete_user(session, tenant_id, user_id)
        after = {"keptApiKeyIds": kept}
        change = Change(AuditAction.DELETE, ENTITY, before.id, before.snapshot(), after)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return DeletedUser(user=before, kept_api_key_ids=tuple(kept))
