"""OAuth2: client applications, consents, pairing and authorization codes, refresh tokens,
token signing keys and the ids of used JWT bearer assertions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import (
    oauth_apps,
    oauth_assertion_ids,
    oauth_codes,
    oauth_consents,
    oauth_pairings,
    oauth_refresh_tokens,
    oauth_signing_keys,
    tenants,
    users,
)
from beleg.domain.errors import NotFound
from beleg.domain.identity.oauth import (
    AuthorizationCode,
    OAuthApp,
    Pairing,
    RefreshToken,
    SigningKey,
)
from beleg.domain.identity.scopes import Role


def _app(row: Row[Any]) -> OAuthApp:
    return OAuthApp(
        tenant_id=row.tenant_id,
        id=row.id,
        client_id=row.client_id,
        name=row.name,
        secret_hash=row.secret_hash,
        redirect_uris=tuple(row.redirect_uris),
        grant_types=tuple(row.grant_types),
        scopes=tuple(row.scopes),
        created_at=row.created_at,
        created_by_name=row.created_by_name,
        issuer_jwks=row.issuer_jwks,
    )


def insert_app(session: Session, app: OAuthApp) -> None:
    session.execute(
        insert(oauth_apps).values(
            tenant_id=app.tenant_id,
            id=app.id,
            client_id=app.client_id,
            name=app.name,
            secret_hash=app.secret_hash,
            redirect_uris=list(app.redirect_uris),
            grant_types=list(app.grant_types),
            scopes=list(app.scopes),
            created_at=app.created_at,
            created_by_name=app.created_by_name,
        )
    )


def app_by_id(session: Session, tenant_id: uuid.UUID, app_id: uuid.UUID) -> OAuthApp:
    """The app ``app_id``; NotFound naming ``id`` otherwise."""
    row = session.execute(
        select(oauth_apps).where(oauth_apps.c.tenant_id == tenant_id, oauth_apps.c.id == app_id)
    ).one_or_none()
    if row is None:
        raise NotFound("identity.app_not_found", field="id", app_id=app_id)
    return _app(row)


def app_by_client_id(session: Session, client_id: str) -> OAuthApp | None:
    """The app with ``client_id`` (globally unique): how a client finds its tenant."""
    row = session.execute(
        select(oauth_apps).where(oauth_apps.c.client_id == client_id)
    ).one_or_none()
    return None if row is None else _app(row)


# Built once (this runs on every request with an access token).
_APP_USER = (
    select(users.c.username, users.c.role, tenants.c.is_platform)
    .join(tenants, tenants.c.id == users.c.tenant_id)
    .join(
        oauth_apps,
        (oauth_apps.c.tenant_id == users.c.tenant_id)
        & (oauth_apps.c.client_id == bindparam("client_id")),
    )
    .where(users.c.tenant_id == bindparam("tenant_id"), users.c.id == bindparam("user_id"))
)


def app_user(
    session: Session, tenant_id: uuid.UUID, *, user_id: uuid.UUID, client_id: str
) -> tuple[str, Role, bool] | None:
    """What an access token of ``client_id`` for the user may do: the user's name, role and
    whether the tenant is the platform tenant, in one read per request; None if the user or
    the app is gone (a deleted app's tokens stop working at once)."""
    row = session.execute(
        _APP_USER, {"tenant_id": tenant_id, "user_id": user_id, "client_id": client_id}
    ).one_or_none()
    return None if row is None else (row.username, Role(row.role), bool(row.is_platform))


def apps_of(session: Session, tenant_id: uuid.UUID) -> list[OAuthApp]:
    rows = session.execute(
        select(oauth_apps)
        .where(oauth_apps.c.tenant_id == tenant_id)
        .order_by(oauth_apps.c.created_at)
    ).all()
    return [_app(r) for r in rows]


def save_issuer_keys(session: Session, app: OAuthApp) -> None:
    session.execute(
        update(oauth_apps)
        .where(oauth_apps.c.tenant_id == app.tenant_id, oauth_apps.c.id == app.id)
        .values(issuer_jwks=app.issuer_jwks)
    )


def delete_app(session: Session, tenant_id: uuid.UUID, app_id: uuid.UUID) -> None:
    session.execute(
        delete(oauth_apps).where(oauth_apps.c.tenant_id == tenant_id, oauth_apps.c.id == app_id)
    )


def set_consent(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    user_id: uuid.UUID,
    client_id: str,
    granted_at: datetime | None,
) -> None:
    """Record that the user allows the app to act for them (``granted_at``), or forget that
    they did (None)."""
    c = oauth_consents.c
    session.execute(
        delete(oauth_consents).where(
            c.tenant_id == tenant_id, c.user_id == user_id, c.client_id == client_id
        )
    )
    if granted_at is not None:
        session.execute(
            insert(oauth_consents).values(
                tenant_id=tenant_id, user_id=user_id, client_id=client_id, granted_at=granted_at
            )
        )


def has_consent(
    session: Session, tenant_id: uuid.UUID, *, user_id: uuid.UUID, client_id: str
) -> bool:
    c = oauth_consents.c
    found = session.execute(
        select(c.user_id).where(
            c.tenant_id == tenant_id, c.user_id == user_id, c.client_id == client_id
        )
    ).first()
    return found is not None


def insert_pairing(session: Session, pairing: Pairing) -> None:
    session.execute(
        insert(oauth_pairings).values(
            code_hash=pairing.code_hash,
            tenant_id=pairing.tenant_id,
            client_id=pairing.client_id,
            user_id=pairing.user_id,
            expires_at=pairing.expires_at,
            used_at=pairing.used_at,
        )
    )


def locked_pairing(session: Session, tenant_id: uuid.UUID, code_hash: str) -> Pairing | None:
    """The tenant's pairing with ``code_hash``, locked until the transaction ends."""
    p = oauth_pairings.c
    row = session.execute(
        select(oauth_pairings)
        .where(p.tenant_id == tenant_id, p.code_hash == code_hash)
        .with_for_update()
    ).one_or_none()
    if row is None:
        return None
    return Pairing(
        row.code_hash, row.tenant_id, row.client_id, row.user_id, row.expires_at, row.used_at
    )


def use_pairing(session: Session, tenant_id: uuid.UUID, code_hash: str, *, at: datetime) -> None:
    p = oauth_pairings.c
    session.execute(
        update(oauth_pairings)
        .where(p.tenant_id == tenant_id, p.code_hash == code_hash)
        .values(used_at=at)
    )


def insert_code(session: Session, code: AuthorizationCode) -> None:
    session.execute(
        insert(oauth_codes).values(
            code_hash=code.code_hash,
            tenant_id=code.tenant_id,
            client_id=code.client_id,
            user_id=code.user_id,
            redirect_uri=code.redirect_uri,
            scope=code.scope,
            code_challenge=code.code_challenge,
            code_challenge_method=code.code_challenge_method,
            expires_at=code.expires_at,
            used_at=code.used_at,
        )
    )


def locked_code(session: Session, tenant_id: uuid.UUID, code_hash: str) -> AuthorizationCode | None:
    """The tenant's authorization code with ``code_hash``, locked until the transaction ends."""
    c = oauth_codes.c
    row = session.execute(
        select(oauth_codes)
        .where(c.tenant_id == tenant_id, c.code_hash == code_hash)
        .with_for_update()
    ).one_or_none()
    if row is None:
        return None
    return AuthorizationCode(
        code_hash=row.code_hash,
        tenant_id=row.tenant_id,
        client_id=row.client_id,
        user_id=row.user_id,
        redirect_uri=row.redirect_uri,
        scope=row.scope,
        code_challenge=row.code_challenge,
        code_challenge_method=row.code_challenge_method,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


def use_code(session: Session, tenant_id: uuid.UUID, code_hash: str, *, at: datetime) -> None:
    c = oauth_codes.c
    session.execute(
        update(oauth_codes)
        .where(c.tenant_id == tenant_id, c.code_hash == code_hash)
        .values(used_at=at)
    )


def insert_refresh_token(session: Session, token: RefreshToken) -> None:
    session.execute(
        insert(oauth_refresh_tokens).values(
            token_hash=token.token_hash,
            tenant_id=token.tenant_id,
            family_id=token.family_id,
            client_id=token.client_id,
            user_id=token.user_id,
            scopes=list(token.scopes),
            issued_at=token.issued_at,
            expires_at=token.expires_at,
            used_at=token.used_at,
            revoked_at=token.revoked_at,
        )
    )


def _refresh_token(row: Row[Any]) -> RefreshToken:
    return RefreshToken(
        token_hash=row.token_hash,
        tenant_id=row.tenant_id,
        family_id=row.family_id,
        client_id=row.client_id,
        user_id=row.user_id,
        scopes=tuple(row.scopes),
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
    )


def refresh_token(
    session: Session, tenant_id: uuid.UUID, token_hash: str, *, lock: bool = False
) -> RefreshToken | None:
    """The tenant's refresh token with ``token_hash``; ``lock``: until the transaction ends."""
    t = oauth_refresh_tokens.c
    statement = select(oauth_refresh_tokens).where(
        t.tenant_id == tenant_id, t.token_hash == token_hash
    )
    row = session.execute(statement.with_for_update() if lock else statement).one_or_none()
    return None if row is None else _refresh_token(row)


def mark_refresh_token_used(
    session: Session, tenant_id: uuid.UUID, token_hash: str, *, at: datetime
) -> None:
    t = oauth_refresh_tokens.c
    session.execute(
        update(oauth_refresh_tokens)
        .where(t.tenant_id == tenant_id, t.token_hash == token_hash)
        .values(used_at=at)
    )


def revoke_family(
    session: Session, tenant_id: uuid.UUID, family_id: uuid.UUID, *, at: datetime
) -> None:
    """Revoke every unrevoked refresh token of one login."""
    t = oauth_refresh_tokens.c
    session.execute(
        update(oauth_refresh_tokens)
        .where(t.tenant_id == tenant_id, t.family_id == family_id, t.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def newest_signing_key(session: Session) -> SigningKey | None:
    k = oauth_signing_keys.c
    row = session.execute(
        select(k.kid, k.private_jwk)
        .where(k.retired_at.is_(None))
        .order_by(k.created_at.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else SigningKey(row.kid, row.private_jwk)


_UNRETIRED = select(oauth_signing_keys.c.kid).where(oauth_signing_keys.c.retired_at.is_(None))


def unretired_kids(session: Session) -> list[str]:
    """The ids of the keys that verify tokens (read on every request with an access token)."""
    return list(session.execute(_UNRETIRED).scalars())


def unretired_signing_keys(session: Session) -> list[SigningKey]:
    k = oauth_signing_keys.c
    rows = session.execute(select(k.kid, k.private_jwk).where(k.retired_at.is_(None))).all()
    return [SigningKey(r.kid, r.private_jwk) for r in rows]


def insert_signing_key(session: Session, key: SigningKey, *, created_at: datetime) -> None:
    session.execute(
        insert(oauth_signing_keys).values(
            kid=key.kid, private_jwk=key.private_jwk, created_at=created_at, retired_at=None
        )
    )


def retire_signing_key(session: Session, kid: str, *, at: datetime) -> None:
    session.execute(
        update(oauth_signing_keys).where(oauth_signing_keys.c.kid == kid).values(retired_at=at)
    )


def assertion_seen(session: Session, client_id: str, jti: str) -> bool:
    a = oauth_assertion_ids.c
    found = session.execute(select(a.jti).where(a.client_id == client_id, a.jti == jti)).first()
    return found is not None


def remember_assertion(
    session: Session, client_id: str, jti: str, *, expires_at: datetime, now: datetime
) -> None:
    """Record an accepted assertion's ``jti`` until it expires (and forget expired ones)."""
    session.execute(delete(oauth_assertion_ids).where(oauth_assertion_ids.c.expires_at < now))
    session.execute(
        insert(oauth_assertion_ids).values(client_id=client_id, jti=jti, expires_at=expires_at)
    )


def tenant_number(session: Session, tenant_id: uuid.UUID) -> int:
    """The tenant's 4-digit client number (seed 003 ``cid``)."""
    number: int = session.execute(
        select(tenants.c.number).where(tenants.c.id == tenant_id)
    ).scalar_one()
    return number
