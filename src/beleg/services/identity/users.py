"""Users of a tenant: create, change, delete. Passwords are stored as argon2id hashes only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change, update_audited
from beleg.db.database import Database
from beleg.db.tables import api_keys, users
from beleg.db.tenancy import is_platform_tenant
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.hashing import hash_password
from beleg.domain.identity.passwords import check_password
from beleg.domain.identity.principal import Actor
from beleg.domain.identity.scopes import Role, check_grantable, scopes_for_role
from beleg.domain.identity.usernames import normalize_username
from beleg.services.identity.security import policy_of

ENTITY = "User"
MAX_DISPLAY_NAME = 200


@dataclass(frozen=True, slots=True)
class DeletedUser:
    """The deleted user's last state and the API keys that were kept (seed 001)."""

    user: dict[str, Any]
    kept_api_key_ids: list[uuid.UUID]


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationFailed(
            f"role must be one of {allowed}, not {value!r}", field="role"
        ) from None


def _check_role_grant(session: Session, actor: Actor, tenant_id: uuid.UUID, role: Role) -> None:
    platform = is_platform_tenant(session, tenant_id)
    check_grantable(
        scopes_for_role(role, platform_tenant=platform),
        granter_scopes=actor.principal.scopes,
        platform_tenant=platform,
        field="role",
    )


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    """A user without the password hash: what audit entries and responses show."""
    return {k: v for k, v in row.items() if k != "password_hash"}


def _load(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, Any]:
    row = session.execute(
        select(users).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"user {user_id} does not exist", field="userId")
    return dict(row._mapping)


def _display_name(value: str | None, username: str) -> str:
    name = (value or username).strip()
    if not 1 <= len(name) <= MAX_DISPLAY_NAME:
        raise ValidationFailed(
            f"displayName must have 1 to {MAX_DISPLAY_NAME} characters", field="displayName"
        )
    return name


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
) -> dict[str, Any]:
    """Create a user; the actor must hold every scope the role grants (no escalation)."""
    name = normalize_username(username)
    user_role = _role(role)
    now = clock.now()
    values = {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "username": name,
        "display_name": _display_name(display_name, name),
        "email": email,
        "role": user_role.value,
        "password_hash": hash_password(password),
        "password_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    try:
        with db.transaction() as session:
            # the tenant's password policy (issue 4): its minimum length
            check_password(password, min_length=policy_of(session, tenant_id).password_min_length)
            _check_role_grant(session, actor, tenant_id, user_role)
            session.execute(insert(users).values(**values))
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
    except IntegrityError:
        raise Conflict(f"username {name!r} is already taken", field="username") from None
    return public_view(values)


def update_user(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    changes: dict[str, Any],
    clock: Clock,
) -> dict[str, Any]:
    """Change display name, email, role or password (a new password is hashed anew)."""
    with db.transaction() as session:
        before = _load(session, tenant_id, user_id)
        values: dict[str, Any] = {}
        if changes.get("display_name") is not None:
            values["display_name"] = _display_name(changes["display_name"], before["username"])
        if "email" in changes:
            values["email"] = changes["email"]
        if changes.get("role") is not None:
            values["role"] = _role(changes["role"]).value
            _check_role_grant(session, actor, tenant_id, Role(values["role"]))
        if changes.get("password") is not None:
            check_password(
                changes["password"], min_length=policy_of(session, tenant_id).password_min_length
            )
            values["password_hash"] = hash_password(changes["password"])
            values["password_changed_at"] = clock.now()
        where = (users.c.tenant_id == tenant_id) & (users.c.id == user_id)
        return update_audited(
            session,
            actor=actor,
            tenant_id=tenant_id,
            table=users,
            where=where,
            before=before,
            values=values,
            entity_type=ENTITY,
            entity_id=user_id,
            view=public_view,
            clock=clock,
        )


def delete_user(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, user_id: uuid.UUID, clock: Clock
) -> DeletedUser:
    """Delete a user. The API keys they created stay valid (seed 001); their creator
    reference is cleared and the creator's name kept as text. Deleting yourself is refused."""
    if actor.principal.user_id == user_id and actor.principal.api_key_id is None:
        raise Conflict("you cannot delete your own user", field="userId")
    with db.transaction() as session:
        before = _load(session, tenant_id, user_id)
        kept = list(
            session.execute(
                select(api_keys.c.id).where(
                    api_keys.c.tenant_id == tenant_id, api_keys.c.created_by_user_id == user_id
                )
            ).scalars()
        )
        session.execute(
            update(api_keys)
            .where(api_keys.c.tenant_id == tenant_id, api_keys.c.created_by_user_id == user_id)
            .values(created_by_user_id=None)
        )
        session.execute(delete(users).where(users.c.tenant_id == tenant_id, users.c.id == user_id))
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=ENTITY,
            entity_id=user_id,
            before=public_view(before),
            after={"keptApiKeyIds": kept},
            clock=clock,
        )
        return DeletedUser(user=public_view(before), kept_api_key_ids=kept)
