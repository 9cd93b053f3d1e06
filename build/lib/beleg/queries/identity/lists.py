"""Read models of tenants, users and API keys (camelCase, as the API shows them)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import api_keys, tenants, users
from beleg.domain.errors import NotFound
from beleg.domain.identity.api_keys import ApiKey, status_at
from beleg.domain.identity.scopes import Role
from beleg.domain.identity.users import User
from beleg.domain.tenancy.settings import AccountingMode
from beleg.queries.listing import ListSpec


def _mapping(row: Any) -> Mapping[str, Any]:
    return row._mapping if hasattr(row, "_mapping") else row


def tenant_item(row: Any) -> dict[str, Any]:
    m = _mapping(row)
    return {
        "id": m["id"],
        "number": m["number"],
        "name": m["name"],
        "country": m["country"],
        "accountingMode": m["accounting_mode"],
        "chartOfAccounts": m["chart_of_accounts"],
        "currency": m["currency"],
        "timezone": m["timezone"],
        "locale": m["locale"],
        "testMode": m["test_mode"],
        "platform": m["is_platform"],
        "createdAt": m["created_at"],
        "updatedAt": m["updated_at"],
    }


def tenant_list() -> ListSpec:
    """All tenants (platform administration: not scoped to one tenant)."""
    c = tenants.c
    return ListSpec(
        statement=select(tenants),
        filters={
            "name": FilterField(c.name),
            "number": FilterField(c.number, Kind.INTEGER),
            "country": FilterField(c.country),
            "accountingMode": FilterField(
                c.accounting_mode, Kind.ENUM, tuple(m.value for m in AccountingMode)
            ),
            "testMode": FilterField(c.test_mode, Kind.BOOLEAN),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={"name": c.name, "number": c.number, "createdAt": c.created_at},
        default_sort=[c.number],
        to_item=tenant_item,
        columns=[
            "id",
            "number",
            "name",
            "country",
            "accountingMode",
            "chartOfAccounts",
            "currency",
            "timezone",
            "locale",
            "testMode",
            "platform",
            "createdAt",
            "updatedAt",
        ],
    )


def get_tenant(*, db: Database, tenant_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(select(tenants).where(tenants.c.id == tenant_id)).one_or_none()
    if row is None:
        raise NotFound("identity.tenant_not_found", field="tenantId", tenant_id=tenant_id)
    return tenant_item(row)


def user_item(row: Any) -> dict[str, Any]:
    """A user (a ``User`` record or a row of the users table) as the API shows it."""
    m = row.snapshot() if isinstance(row, User) else _mapping(row)
    return {
        "id": m["id"],
        "username": m["username"],
        "displayName": m["display_name"],
        "email": m["email"],
        "role": m["role"],
        "passwordChangedAt": m["password_changed_at"],
        "createdAt": m["created_at"],
        "updatedAt": m["updated_at"],
    }


_USER_COLUMNS = [c for c in users.c if c.name != "password_hash"]


def user_list(tenant_id: uuid.UUID) -> ListSpec:
    c = users.c
    return ListSpec(
        statement=select(*_USER_COLUMNS).where(c.tenant_id == tenant_id),
        filters={
            "username": FilterField(c.username),
            "displayName": FilterField(c.display_name),
            "email": FilterField(c.email),
            "role": FilterField(c.role, Kind.ENUM, tuple(r.value for r in Role)),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={
            "username": c.username,
            "displayName": c.display_name,
            "createdAt": c.created_at,
            "role": c.role,
        },
        default_sort=[c.username],
        to_item=user_item,
        columns=[
            "id",
            "username",
            "displayName",
            "email",
            "role",
            "passwordChangedAt",
            "createdAt",
            "updatedAt",
        ],
    )


def get_user(
    *, db: Database, tenant_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    """A user with the API keys they created (seed 001: traceability of keys)."""
    with db.reader() as session:
        row = session.execute(
            select(*_USER_COLUMNS).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        ).one_or_none()
        if row is None:
            raise NotFound("identity.user_not_found", field="userId", user_id=user_id)
        keys = session.execute(
            select(api_keys)
            .where(api_keys.c.tenant_id == tenant_id, api_keys.c.created_by_user_id == user_id)
            .order_by(api_keys.c.created_at)
        ).all()
    return {**user_item(row), "apiKeys": [api_key_item(k, now) for k in keys]}


def api_key_item(row: Any, now: datetime) -> dict[str, Any]:
    """An API key (an ``ApiKey`` record or a row of the keys table) as the API shows it."""
    m = row.snapshot() if isinstance(row, ApiKey) else _mapping(row)
    return {
        "id": m["id"],
        "name": m["name"],
        "prefix": m["prefix"],
        "scopes": sorted(m["scopes"]),
        "validityDays": m["validity_days"],
        "expiresAt": m["expires_at"],
        "status": status_at(m["expires_at"], now).value,
        "createdAt": m["created_at"],
        "updatedAt": m["updated_at"],
        "createdByUserId": m["created_by_user_id"],
        "createdByKeyId": m["created_by_key_id"],
        "createdBy": m["created_by_name"],
    }


def api_key_list(tenant_id: uuid.UUID, now: datetime) -> ListSpec:
    c = api_keys.c
    return ListSpec(
        statement=select(api_keys).where(c.tenant_id == tenant_id),
        filters={
            "name": FilterField(c.name),
            "prefix": FilterField(c.prefix),
            "createdBy": FilterField(c.created_by_name),
            "createdByUserId": FilterField(c.created_by_user_id, Kind.UUID),
            "expiresAt": FilterField(c.expires_at, Kind.DATETIME),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={
            "name": c.name,
            "createdAt": c.created_at,
            "expiresAt": c.expires_at,
            "updatedAt": c.updated_at,
        },
        default_sort=[c.created_at, c.id],
        to_item=lambda row: api_key_item(row, now),
        columns=[
            "id",
            "name",
            "prefix",
            "scopes",
            "validityDays",
            "expiresAt",
            "status",
            "createdAt",
            "updatedAt",
            "createdBy",
            "createdByUserId",
        ],
    )


def get_api_key(
    *, db: Database, tenant_id: uuid.UUID, key_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(api_keys).where(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id)
        ).one_or_none()
    if row is None:
        raise NotFound("identity.api_key_not_found", field="apiKeyId", key_id=key_id)
    return api_key_item(row, now)


def find_tenant(*, db: Database, reference: str) -> dict[str, Any]:
    """A tenant by its 4-digit number or its UUID (as typed at the command line)."""
    condition = (
        tenants.c.number == int(reference)
        if reference.isdigit()
        else tenants.c.id == _uuid_or_fail(reference)
    )
    with db.reader() as session:
        row = session.execute(select(tenants).where(condition)).one_or_none()
    if row is None:
        raise NotFound("identity.tenant_reference_not_found", field="tenant", reference=reference)
    return tenant_item(row)


def find_user(*, db: Database, tenant_id: uuid.UUID, username: str) -> dict[str, Any]:
    """A user of the tenant by (case-insensitive) username."""
    with db.reader() as session:
        row = session.execute(
            select(*_USER_COLUMNS).where(
                users.c.tenant_id == tenant_id, users.c.username == username.lower()
            )
        ).one_or_none()
    if row is None:
        raise NotFound("identity.username_not_found", field="user", username=username)
    return user_item(row)


def all_tenant_ids(*, db: Database) -> list[uuid.UUID]:
    with db.reader() as session:
        return list(session.execute(select(tenants.c.id).order_by(tenants.c.number)).scalars())


def _uuid_or_fail(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(
            "identity.tenant_reference_invalid", field="tenant", reference=text
        ) from None
