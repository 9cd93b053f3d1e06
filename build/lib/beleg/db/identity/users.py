"""Users of a tenant; the password hash is read only by the sign-in checks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import tenants, users
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.identity.scopes import Role
from beleg.domain.identity.users import User, UserCredential

_PUBLIC = [c for c in users.c if c.name != "password_hash"]


def _user(row: Row[Any]) -> User:
    return User(
        tenant_id=row.tenant_id,
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        role=Role(row.role),
        password_changed_at=row.password_changed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def insert_user(session: Session, user: User, *, password_hash: str) -> None:
    """Store a new user; Conflict naming ``username`` if the name is taken in the tenant."""
    try:
        with session.begin_nested():
            session.execute(insert(users).values(**user.snapshot(), password_hash=password_hash))
    except IntegrityError:
        raise Conflict(
            "identity.username_taken", field="username", username=user.username
        ) from None


def user_by_id(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User:
    """The user ``user_id``; NotFound naming ``userId`` otherwise."""
    row = session.execute(
        select(*_PUBLIC).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
    ).one_or_none()
    if row is None:
        raise NotFound("identity.user_not_found", field="userId", user_id=user_id)
    return _user(row)


def user_exists(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    found = session.execute(
        select(users.c.id).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
    ).first()
    return found is not None


def user_id_named(session: Session, tenant_id: uuid.UUID, username: str) -> uuid.UUID | None:
    """The id of the user called ``username`` (already normalised), if there is one."""
    found: uuid.UUID | None = session.execute(
        select(users.c.id).where(users.c.tenant_id == tenant_id, users.c.username == username)
    ).scalar_one_or_none()
    return found


def credential_named(
    session: Session, tenant_id: uuid.UUID, username: str
) -> UserCredential | None:
    """The user called ``username`` with their password hash (the sign-in's check)."""
    row = session.execute(
        select(users).where(users.c.tenant_id == tenant_id, users.c.username == username)
    ).one_or_none()
    return None if row is None else UserCredential(_user(row), row.password_hash)


def password_hash(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
    found: str = session.execute(
        select(users.c.password_hash).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
    ).scalar_one()
    return found


def token_subject(
    session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[str, Role, bool] | None:
    """What an access token's user may do: their name, role and whether the tenant is the
    platform tenant (one read per request with an access token); None if they are gone."""
    row = session.execute(
        select(users.c.username, users.c.role, tenants.c.is_platform)
        .join(tenants, tenants.c.id == users.c.tenant_id)
        .where(users.c.tenant_id == tenant_id, users.c.id == user_id)
    ).one_or_none()
    return None if row is None else (row.username, Role(row.role), bool(row.is_platform))


def save_user(session: Session, user: User, *, password_hash: str | None = None) -> None:
    """Write the changeable fields of ``user`` (and a new password hash, if given)."""
    values: dict[str, Any] = {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role.value,
        "password_changed_at": user.password_changed_at,
        "updated_at": user.updated_at,
    }
    if password_hash is not None:
        values["password_hash"] = password_hash
    session.execute(
        update(users)
        .where(users.c.tenant_id == user.tenant_id, users.c.id == user.id)
        .values(**values)
    )


def set_password(
    session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID, *, hashed: str, at: datetime
) -> None:
    """Store a new password hash, changed (and the user updated) at ``at``."""
    session.execute(
        update(users)
        .where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        .values(password_hash=hashed, password_changed_at=at, updated_at=at)
    )


def delete_user(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    session.execute(delete(users).where(users.c.tenant_id == tenant_id, users.c.id == user_id))
