"""API keys: stored with the SHA-256 of their token; the prefix finds a presented token."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import api_keys, tenants
from beleg.domain.errors import NotFound
from beleg.domain.identity.api_keys import ApiKey, KeyCredential


def _key(row: Row[Any]) -> ApiKey:
    return ApiKey(
        tenant_id=row.tenant_id,
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(sorted(row.scopes)),
        validity_days=row.validity_days,
        expires_at=row.expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by_user_id=row.created_by_user_id,
        created_by_key_id=row.created_by_key_id,
        created_by_name=row.created_by_name,
    )


def insert_api_key(session: Session, key: ApiKey, *, secret_hash: str) -> None:
    session.execute(insert(api_keys).values(**key.snapshot(), secret_hash=secret_hash))


def api_key_by_id(session: Session, tenant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    """The key ``key_id``; NotFound naming ``apiKeyId`` otherwise."""
    row = session.execute(
        select(api_keys).where(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id)
    ).one_or_none()
    if row is None:
        raise NotFound("identity.api_key_not_found", field="apiKeyId", key_id=key_id)
    return _key(row)


def save_api_key(session: Session, key: ApiKey) -> None:
    """Write the changeable fields of ``key``: its name and scopes."""
    session.execute(
        update(api_keys)
        .where(api_keys.c.tenant_id == key.tenant_id, api_keys.c.id == key.id)
        .values(name=key.name, scopes=list(key.scopes), updated_at=key.updated_at)
    )


def delete_api_key(session: Session, tenant_id: uuid.UUID, key_id: uuid.UUID) -> None:
    session.execute(
        delete(api_keys).where(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id)
    )


_K = api_keys.c
# Built once: building this statement on every request cost as much CPU as running it.
_BY_PREFIX = (
    select(
        _K.tenant_id,
        _K.id,
        _K.name,
        _K.prefix,
        _K.scopes,
        _K.expires_at,
        _K.created_by_user_id,
        _K.secret_hash,
        tenants.c.is_platform,
    )
    .join(tenants, tenants.c.id == _K.tenant_id)
    .where(_K.prefix == bindparam("prefix"))
)


def credential_by_prefix(session: Session, prefix: str) -> KeyCredential | None:
    """The key whose token starts with ``prefix`` (globally unique): how a presented key
    finds its tenant. One indexed read of only the columns authentication needs (it runs on
    every request with an API key)."""
    row = session.execute(_BY_PREFIX, {"prefix": prefix}).one_or_none()
    if row is None:
        return None
    return KeyCredential(
        tenant_id=row.tenant_id,
        key_id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=frozenset(row.scopes),
        expires_at=row.expires_at,
        created_by_user_id=row.created_by_user_id,
        secret_hash=row.secret_hash,
        platform_tenant=bool(row.is_platform),
    )


def keys_created_by(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.execute(
            select(api_keys.c.id).where(
                api_keys.c.tenant_id == tenant_id, api_keys.c.created_by_user_id == user_id
            )
        ).scalars()
    )


def forget_creator(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Clear the creator reference of the keys ``user_id`` created (their name stays)."""
    session.execute(
        update(api_keys)
        .where(api_keys.c.tenant_id == tenant_id, api_keys.c.created_by_user_id == user_id)
        .values(created_by_user_id=None)
    )
