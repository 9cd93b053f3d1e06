"""Issuing and checking OAuth2 tokens: signed JWT access tokens, rotating refresh tokens,
pairing codes, logout (seed 003 §2.1; RFC 9068 access-token JWTs, RFC 6819 §5.2.2.3
refresh-token rotation with replay detection).

- Access tokens are RS256 JWTs carrying ``sub`` (user), ``tid`` (tenant), ``cid`` (the
  4-digit client number), ``client_id``, ``scope``, ``iat``, ``exp`` and ``jti``. The newest
  signing key signs; every unretired key verifies, so rotating keys logs nobody out.
- Refresh tokens are opaque, stored as hashes, valid one month and single-use. Presenting a
  used one again revokes its whole family (every token of that login) and is audited.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import (
    oauth_assertion_ids,
    oauth_codes,
    oauth_consents,
    oauth_pairings,
    oauth_refresh_tokens,
    oauth_signing_keys,
    tenants,
    users,
)
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.api_keys import secret_digest
from beleg.domain.identity.oauth import (
    ACCESS_TOKEN_TTL,
    REFRESH_TOKEN_TTL,
    check_assertion_claims,
)
from beleg.domain.identity.principal import Actor, ActorType, Origin, Principal
from beleg.domain.identity.scopes import Role, scopes_for_role
from beleg.services.identity.api_keys import AuthFailure

ISSUER = "beleg"
KEY_BITS = 2048


@dataclass(frozen=True, slots=True)
class Grant:
    """Who a token is for: tenant, user, app and scopes."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    client_id: str
    scopes: frozenset[str]


def _signing_key(session: Session, clock: Clock) -> RSAKey:
    row = session.execute(
        select(oauth_signing_keys)
        .where(oauth_signing_keys.c.retired_at.is_(None))
        .order_by(oauth_signing_keys.c.created_at.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return _new_key(session, clock)
    return RSAKey.import_key(json.loads(row.private_jwk))


def _new_key(session: Session, clock: Clock) -> RSAKey:
    kid = secrets.token_urlsafe(12)
    key = RSAKey.generate_key(KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
    session.execute(
        insert(oauth_signing_keys).values(
            kid=kid,
            private_jwk=json.dumps(key.as_dict(private=True)),
            created_at=clock.now(),
            retired_at=None,
        )
    )
    return key


def rotate_signing_key(*, db: Database, clock: Clock) -> str:
    """A new signing key; older keys keep verifying the tokens they signed."""
    with db.transaction() as session:
        return str(_new_key(session, clock).kid)


def retire_signing_key(*, db: Database, kid: str, clock: Clock) -> None:
    """Stop accepting tokens of ``kid`` (after at most one access-token lifetime)."""
    with db.transaction() as session:
        session.execute(
            update(oauth_signing_keys)
            .where(oauth_signing_keys.c.kid == kid)
            .values(retired_at=clock.now())
        )


_PUBLIC_KEYS: dict[str, RSAKey] = {}  # kid -> public key; keys never change, only retire


def _verification_keys(db: Database) -> KeySet:
    """Every unretired key, public part only. One indexed read per check; the RSA parsing is
    done once per key and process (this runs on every request with an access token)."""
    with db.reader() as session:
        rows = session.execute(
            select(oauth_signing_keys.c.kid, oauth_signing_keys.c.private_jwk).where(
                oauth_signing_keys.c.retired_at.is_(None)
            )
        ).all()
    for kid, private in rows:
        if kid not in _PUBLIC_KEYS:
            public = RSAKey.import_key(json.loads(private)).as_dict(private=False)
            _PUBLIC_KEYS[kid] = RSAKey.import_key(public)
    return KeySet([_PUBLIC_KEYS[kid] for kid, _ in rows])


def public_keys(*, db: Database) -> dict[str, Any]:
    """The JWKS of every unretired key (``/.well-known/jwks.json``)."""
    return _verification_keys(db).as_dict(private=False)  # type: ignore[no-any-return]


def issue_access_token(session: Session, grant: Grant, clock: Clock) -> str:
    number = session.execute(
        select(tenants.c.number).where(tenants.c.id == grant.tenant_id)
    ).scalar_one()
    now = int(clock.now().timestamp())
    key = _signing_key(session, clock)
    claims = {
        "iss": ISSUER,
        "sub": str(grant.user_id),
        "tid": str(grant.tenant_id),
        "cid": number,
        "client_id": grant.client_id,
        "scope": " ".join(sorted(grant.scopes)),
        "iat": now,
        "exp": now + int(ACCESS_TOKEN_TTL.total_seconds()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "at+jwt"}, claims, key)


def issue_refresh_token(
    session: Session, grant: Grant, clock: Clock, family: uuid.UUID | None = None
) -> str:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.execute(
        insert(oauth_refresh_tokens).values(
            token_hash=secret_digest(token),
            tenant_id=grant.tenant_id,
            family_id=family or uuid.uuid4(),
            client_id=grant.client_id,
            user_id=grant.user_id,
            scopes=sorted(grant.scopes),
            issued_at=now,
            expires_at=now + REFRESH_TOKEN_TTL,
            used_at=None,
            revoked_at=None,
        )
    )
    return token


def authenticate_access_token(
    *, db: Database, token: str, clock: Clock
) -> Principal | AuthFailure | None:
    """The API authenticator for access tokens: None if ``token`` is not a JWT."""
    if token.count(".") != 2 or token.startswith("blg_"):
        return None
    try:
        decoded = jwt.decode(token, _verification_keys(db))
        # expiry against the injected (system) clock, as every security decision
        JWTClaimsRegistry(
            now=int(clock.now().timestamp()),
            iss={"essential": True, "value": ISSUER},
            exp={"essential": True},
        ).validate(decoded.claims)
    except JoseError as exc:
        return AuthFailure("expired" if "expired" in str(exc).lower() else "invalid")
    except (ValueError, KeyError):
        return AuthFailure("invalid")
    return _principal(db, decoded.claims)


def _principal(db: Database, claims: dict[str, Any]) -> Principal | AuthFailure:
    """The token's scopes, cut to what the user's current role still allows."""
    tenant_id, user_id = uuid.UUID(claims["tid"]), uuid.UUID(claims["sub"])
    with db.reader() as session:
        user = session.execute(
            select(users.c.username, users.c.role, tenants.c.is_platform)
            .join(tenants, tenants.c.id == users.c.tenant_id)
            .where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        ).one_or_none()
    if user is None:
        return AuthFailure("invalid")
    platform = user.is_platform
    role_scopes = scopes_for_role(Role(user.role), platform_tenant=bool(platform))
    scopes = frozenset(str(claims.get("scope", "")).split()) & role_scopes
    return Principal(
        tenant_id=tenant_id,
        actor_type=ActorType.USER,
        actor_id=str(user_id),
        name=user.username,
        scopes=scopes,
        platform_tenant=bool(platform),
        user_id=user_id,
    )


def use_refresh_token(
    session: Session, token: str, client_id: str, clock: Clock, origin: Origin
) -> dict[str, Any] | None:
    """The row of a valid refresh token, locked; None if unknown, expired, revoked or of
    another app. A token presented after it was rotated revokes its family (replay)."""
    row = session.execute(
        select(oauth_refresh_tokens)
        .where(oauth_refresh_tokens.c.token_hash == secret_digest(token))
        .with_for_update()
    ).one_or_none()
    if row is None or row.client_id != client_id:
        return None
    now = clock.now()
    if row.used_at is not None and row.revoked_at is None:
        revoke_family(
            session,
            row.family_id,
            row.tenant_id,
            now,
            reason="refresh token replay",
            origin=origin,
            clock=clock,
        )
        return None
    if row.revoked_at is not None or row.expires_at <= now:
        return None
    return dict(row._mapping)


def mark_used(session: Session, token_hash: str, now: datetime) -> None:
    session.execute(
        update(oauth_refresh_tokens)
        .where(oauth_refresh_tokens.c.token_hash == token_hash)
        .values(used_at=now)
    )


def revoke_family(
    session: Session,
    family: uuid.UUID,
    tenant_id: uuid.UUID,
    now: datetime,
    *,
    reason: str,
    origin: Origin,
    clock: Clock,
) -> None:
    session.execute(
        update(oauth_refresh_tokens)
        .where(
            oauth_refresh_tokens.c.family_id == family, oauth_refresh_tokens.c.revoked_at.is_(None)
        )
        .values(revoked_at=now)
    )
    system = Principal(
        tenant_id=tenant_id,
        actor_type=ActorType.SYSTEM,
        actor_id=None,
        name="oauth",
        scopes=frozenset(),
    )
    record_change(
        session,
        actor=Actor(principal=system, origin=origin),
        tenant_id=tenant_id,
        action=AuditAction.UPDATE,
        entity_type="OAuthTokenFamily",
        entity_id=family,
        before=None,
        after={"revoked": True, "reason": reason},
        clock=clock,
    )


def logout(*, db: Database, actor: Actor, refresh_token: str, clock: Clock) -> bool:
    """``DELETE /api/1.1/session``: revoke the session of this refresh token."""
    with db.transaction() as session:
        row = session.execute(
            select(oauth_refresh_tokens).where(
                oauth_refresh_tokens.c.token_hash == secret_digest(refresh_token),
                oauth_refresh_tokens.c.tenant_id == actor.principal.tenant_id,
            )
        ).one_or_none()
        if row is None:
            return False
        revoke_family(
            session,
            row.family_id,
            row.tenant_id,
            clock.now(),
            reason="logout",
            origin=actor.origin,
            clock=clock,
        )
        return True


def pairing_user(
    session: Session,
    *,
    client_id: str,
    tenant_id: uuid.UUID,
    username: str,
    code: str,
    clock: Clock,
) -> uuid.UUID | None:
    """The user of a valid, unused pairing code for this app and username; the code is used
    up. A user's real password never matches (it is not a pairing code)."""
    row = session.execute(
        select(oauth_pairings)
        .where(oauth_pairings.c.code_hash == secret_digest(code.strip().upper()))
        .with_for_update()
    ).one_or_none()
    if row is None or row.client_id != client_id or row.tenant_id != tenant_id:
        return None
    if row.used_at is not None or row.expires_at <= clock.now():
        return None
    user = session.execute(
        select(users.c.id).where(
            users.c.tenant_id == tenant_id,
            users.c.id == row.user_id,
            users.c.username == username.strip().lower(),
        )
    ).scalar_one_or_none()
    if user is None:
        return None
    session.execute(
        update(oauth_pairings)
        .where(oauth_pairings.c.code_hash == row.code_hash)
        .values(used_at=clock.now())
    )
    return user  # type: ignore[no-any-return]


def user_role_scopes(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> frozenset[str]:
    role = session.execute(
        select(users.c.role).where(users.c.tenant_id == tenant_id, users.c.id == user_id)
    ).scalar_one()
    platform = session.execute(
        select(tenants.c.is_platform).where(tenants.c.id == tenant_id)
    ).scalar_one()
    return scopes_for_role(Role(role), platform_tenant=bool(platform))


def assertion_user(
    session: Session, *, app: dict[str, Any], username: str, claims: dict[str, Any], clock: Clock
) -> uuid.UUID | None:
    """The user a trusted app's JWT bearer assertion is for (seed 003 §1), after its seed
    claims (cid, scp, lifetime) are checked and its ``jti`` is recorded against replay.
    None if the user does not exist or has not allowed the app to act for them."""
    tenant_id = app["tenant_id"]
    number = session.execute(select(tenants.c.number).where(tenants.c.id == tenant_id)).scalar_one()
    check_assertion_claims(claims, tenant_number=number)
    jti = claims.get("jti")
    if jti is not None:
        seen = session.execute(
            select(oauth_assertion_ids.c.jti).where(
                oauth_assertion_ids.c.client_id == app["client_id"],
                oauth_assertion_ids.c.jti == str(jti),
            )
        ).first()
        if seen is not None:
            raise ValidationFailed("the assertion's jti was already used", field="jti")
        session.execute(
            delete(oauth_assertion_ids).where(oauth_assertion_ids.c.expires_at < clock.now())
        )
        session.execute(
            insert(oauth_assertion_ids).values(
                client_id=app["client_id"],
                jti=str(jti),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
        )
    user_id = session.execute(
        select(users.c.id).where(
            users.c.tenant_id == tenant_id, users.c.username == username.strip().lower()
        )
    ).scalar_one_or_none()
    if user_id is None:
        return None
    consented = session.execute(
        select(oauth_consents.c.user_id).where(
            oauth_consents.c.tenant_id == tenant_id,
            oauth_consents.c.user_id == user_id,
            oauth_consents.c.client_id == app["client_id"],
        )
    ).first()
    return user_id if consented is not None else None  # type: ignore[no-any-return]


CODE_TTL_SECONDS = 120  # authorization codes are short-lived (RFC 6749 §4.1.2: at most 10 min)


def save_code(
    session: Session,
    *,
    code: str,
    tenant_id: uuid.UUID,
    client_id: str,
    user_id: uuid.UUID,
    redirect_uri: str | None,
    scope: str,
    challenge: str | None,
    method: str | None,
    clock: Clock,
) -> None:
    session.execute(
        insert(oauth_codes).values(
            code_hash=secret_digest(code),
            tenant_id=tenant_id,
            client_id=client_id,
            user_id=user_id,
            redirect_uri=redirect_uri,
            scope=scope,
            code_challenge=challenge,
            code_challenge_method=method,
            expires_at=clock.now() + timedelta(seconds=CODE_TTL_SECONDS),
            used_at=None,
        )
    )


def find_code(session: Session, code: str, client_id: str, clock: Clock) -> dict[str, Any] | None:
    """An unused, unexpired code of this app, locked; a replayed code is refused."""
    row = session.execute(
        select(oauth_codes).where(oauth_codes.c.code_hash == secret_digest(code)).with_for_update()
    ).one_or_none()
    if row is None or row.client_id != client_id or row.used_at is not None:
        return None
    if row.expires_at <= clock.now():
        return None
    return dict(row._mapping)


def use_code(session: Session, code_hash: str, clock: Clock) -> None:
    session.execute(
        update(oauth_codes).where(oauth_codes.c.code_hash == code_hash).values(used_at=clock.now())
    )
