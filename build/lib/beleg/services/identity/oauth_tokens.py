"""Issuing and checking OAuth2 tokens: signed JWT access tokens, rotating refresh tokens,
pairing codes, logout (seed 003 §2.1; RFC 9068 access-token JWTs, RFC 6819 §5.2.2.3
refresh-token rotation with replay detection). Pairing codes are redeemed in ``oauth_apps``.

- Access tokens are RS256 JWTs carrying ``sub`` (user), ``tid`` (tenant), ``cid`` (the
  4-digit client number), ``client_id``, ``scope``, ``iat``, ``exp`` and ``jti``. The newest
  signing key signs; every unretired key verifies, so rotating keys logs nobody out.
- Refresh tokens are opaque, stored as hashes, valid one month and single-use. Presenting a
  used one again revokes its whole family (every token of that login) and is audited.

The steps (``issue_*``, ``use_refresh_token``, ``find_code``, ...) are the authorization
server's hooks: each runs in the caller's transaction, the one of the token request.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.identity import oauth as repo
from beleg.db.identity import users as user_repo
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.api_keys import secret_digest
from beleg.domain.identity.oauth import (
    ACCESS_TOKEN_TTL,
    REFRESH_TOKEN_TTL,
    AuthorizationCode,
    Grant,
    OAuthApp,
    RefreshToken,
    SigningKey,
    check_assertion_claims,
    granted_scopes,
)
from beleg.domain.identity.principal import Actor, ActorType, AuthFailure, Origin, Principal
from beleg.domain.identity.scopes import scopes_for_role

ISSUER = "beleg"
KEY_BITS = 2048
CODE_TTL = timedelta(seconds=120)  # authorization codes are short-lived (RFC 6749 §4.1.2)


def _signing_key(session: Session, clock: Clock) -> RSAKey:
    newest = repo.newest_signing_key(session)
    if newest is None:
        return _new_key(session, clock)
    return RSAKey.import_key(json.loads(newest.private_jwk))


def _new_kid() -> str:
    """A random key id that never starts with "-": operators pass it on the command line
    (``beleg oauth retire-key KID``), where it would read as an option."""
    while (kid := secrets.token_urlsafe(12)).startswith("-"):
        pass
    return kid


def _new_key(session: Session, clock: Clock) -> RSAKey:
    kid = _new_kid()
    key = RSAKey.generate_key(KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
    stored = SigningKey(kid, json.dumps(key.as_dict(private=True)))
    repo.insert_signing_key(session, stored, created_at=clock.now())
    return key


def rotate_signing_key(*, db: Database, clock: Clock) -> str:
    """A new signing key; older keys keep verifying the tokens they signed."""
    with db.transaction() as session:
        return str(_new_key(session, clock).kid)


def retire_signing_key(*, db: Database, kid: str, clock: Clock) -> None:
    """Stop accepting tokens of ``kid`` (after at most one access-token lifetime)."""
    with db.transaction() as session:
        repo.retire_signing_key(session, kid, at=clock.now())


_PUBLIC_KEYS: dict[str, RSAKey] = {}  # kid -> public key; keys never change, only retire
_KEY_SETS: dict[tuple[str, ...], KeySet] = {}  # the unretired kids -> their key set


def _verification_keys(session: Session) -> KeySet:
    """Every unretired key, public part only. One indexed read of the key ids per check; the
    RSA parsing is done once per key and process, the key set once per set of ids (this runs
    on every request with an access token)."""
    kids = tuple(sorted(repo.unretired_kids(session)))
    found = _KEY_SETS.get(kids)
    if found is not None:
        return found
    for key in repo.unretired_signing_keys(session):
        if key.kid not in _PUBLIC_KEYS:
            public = RSAKey.import_key(json.loads(key.private_jwk)).as_dict(private=False)
            _PUBLIC_KEYS[key.kid] = RSAKey.import_key(public)
    keys = KeySet([_PUBLIC_KEYS[kid] for kid in kids if kid in _PUBLIC_KEYS])
    if all(kid in _PUBLIC_KEYS for kid in kids):  # not one retired between the two reads
        if len(_KEY_SETS) > 64:  # rotations are rare; never grow without bound
            _KEY_SETS.clear()
        _KEY_SETS[kids] = keys
    return keys


def read_public_keys(*, db: Database) -> dict[str, Any]:
    """The JWKS of every unretired key (``/.well-known/jwks.json``)."""
    with db.reader() as session:
        return dict(_verification_keys(session).as_dict(private=False))


def issue_access_token(session: Session, *, grant: Grant, clock: Clock) -> str:
    """A signed access token for ``grant``; runs in the caller's transaction."""
    now = int(clock.now().timestamp())
    key = _signing_key(session, clock)
    claims = {
        "iss": ISSUER,
        "sub": str(grant.user_id),
        "tid": str(grant.tenant_id),
        "cid": repo.tenant_number(session, grant.tenant_id),
        "client_id": grant.client_id,
        "scope": " ".join(sorted(grant.scopes)),
        "iat": now,
        "exp": now + int(ACCESS_TOKEN_TTL.total_seconds()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "at+jwt"}, claims, key)


def issue_refresh_token(
    session: Session, *, grant: Grant, clock: Clock, family: uuid.UUID | None = None
) -> str:
    """A new refresh token for ``grant`` (of a new login, or of ``family`` when rotated);
    runs in the caller's transaction."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    stored = RefreshToken(
        token_hash=secret_digest(token),
        tenant_id=grant.tenant_id,
        family_id=family or uuid.uuid4(),
        client_id=grant.client_id,
        user_id=grant.user_id,
        scopes=tuple(sorted(grant.scopes)),
        issued_at=now,
        expires_at=now + REFRESH_TOKEN_TTL,
    )
    repo.insert_refresh_token(session, stored)
    return token


def make_grant(
    session: Session, *, app: OAuthApp, user_id: uuid.UUID, requested: str | None
) -> Grant:
    """What a token of ``app`` for the user may carry: the scopes the app, the user's current
    role and the request all allow; runs in the caller's transaction."""
    subject = user_repo.token_subject(session, app.tenant_id, user_id)
    if subject is None:
        raise NotFound("identity.user_not_found", field="userId", user_id=user_id)
    _name, role, platform = subject
    scopes = granted_scopes(
        app=frozenset(app.scopes),
        role=scopes_for_role(role, platform_tenant=platform),
        requested=requested,
    )
    return Grant(app.tenant_id, user_id, app.client_id, scopes)


def authenticate_access_token(
    *, db: Database, token: str, clock: Clock
) -> Principal | AuthFailure | None:
    """The API authenticator for access tokens: None if ``token`` is not a JWT. The signing
    keys, the user and the token's app are read in one read session; a token of a deleted
    app or user is refused from the next request on."""
    if token.count(".") != 2 or token.startswith("blg_"):
        return None
    with db.reader() as session:
        try:
            decoded = jwt.decode(token, _verification_keys(session))
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
        return _principal(session, decoded.claims)


def _principal(session: Session, claims: dict[str, Any]) -> Principal | AuthFailure:
    """The token's scopes, cut to what the user's current role still allows; refused when
    the user or the app the token was issued to is gone."""
    try:
        tenant_id, user_id = uuid.UUID(claims["tid"]), uuid.UUID(claims["sub"])
        client_id = str(claims["client_id"])
    except (KeyError, ValueError, TypeError):
        return AuthFailure("invalid")
    subject = repo.app_user(session, tenant_id, user_id=user_id, client_id=client_id)
    if subject is None:
        return AuthFailure("invalid")
    username, role, platform = subject
    scopes = frozenset(str(claims.get("scope", "")).split()) & scopes_for_role(
        role, platform_tenant=platform
    )
    return Principal(
        tenant_id=tenant_id,
        actor_type=ActorType.USER,
        actor_id=str(user_id),
        name=username,
        scopes=scopes,
        platform_tenant=platform,
        user_id=user_id,
    )


def use_refresh_token(
    session: Session, *, app: OAuthApp, token: str, clock: Clock, origin: Origin
) -> RefreshToken | None:
    """A valid refresh token of ``app``, locked; None if unknown, expired, revoked or of
    another app. A token presented after it was rotated revokes its family (replay). Runs in
    the caller's transaction."""
    found = repo.refresh_token(session, app.tenant_id, secret_digest(token), lock=True)
    if found is None or found.client_id != app.client_id:
        return None
    now = clock.now()
    if found.used_at is not None and found.revoked_at is None:
        revoke_family(
            session, token=found, now=now, reason="refresh token replay", origin=origin, clock=clock
        )
        return None
    if found.revoked_at is not None or found.expires_at <= now:
        return None
    return found


def rotate_refresh_token(session: Session, *, token: RefreshToken, clock: Clock) -> None:
    """Mark ``token`` used (its successor was issued); runs in the caller's transaction."""
    repo.mark_refresh_token_used(session, token.tenant_id, token.token_hash, at=clock.now())


def revoke_family(
    session: Session,
    *,
    token: RefreshToken,
    now: datetime,
    reason: str,
    origin: Origin,
    clock: Clock,
) -> None:
    """Revoke every refresh token of ``token``'s login, audited as the platform's doing;
    runs in the caller's transaction."""
    repo.revoke_family(session, token.tenant_id, token.family_id, at=now)
    system = Principal(
        tenant_id=token.tenant_id,
        actor_type=ActorType.SYSTEM,
        actor_id=None,
        name="oauth",
        scopes=frozenset(),
    )
    record_change(
        session,
        actor=Actor(principal=system, origin=origin),
        tenant_id=token.tenant_id,
        action=AuditAction.UPDATE,
        entity_type="OAuthTokenFamily",
        entity_id=token.family_id,
        before=None,
        after={"revoked": True, "reason": reason},
        clock=clock,
    )


def logout(*, db: Database, actor: Actor, refresh_token: str, clock: Clock) -> bool:
    """``DELETE /api/1.1/session``: revoke the session of this refresh token."""
    tenant_id = actor.principal.tenant_id
    with db.transaction() as session:
        found = repo.refresh_token(session, tenant_id, secret_digest(refresh_token))
        if found is None:
            return False
        revoke_family(
            session,
            token=found,
            now=clock.now(),
            reason="logout",
            origin=actor.origin,
            clock=clock,
        )
        return True


def accept_assertion(
    session: Session, *, app: OAuthApp, username: str, claims: dict[str, Any], clock: Clock
) -> uuid.UUID | None:
    """The user a trusted app's JWT bearer assertion is for (seed 003 §1), after its seed
    claims (cid, scp, lifetime) are checked and its ``jti`` is recorded against replay.
    None if the user does not exist or has not allowed the app to act for them. Runs in the
    caller's transaction."""
    tenant_id = app.tenant_id
    check_assertion_claims(claims, tenant_number=repo.tenant_number(session, tenant_id))
    jti = claims.get("jti")
    if jti is not None:
        if repo.assertion_seen(session, app.client_id, str(jti)):
            raise ValidationFailed("identity.assertion_replayed", field="jti")
        expires = datetime.fromtimestamp(claims["exp"], UTC)
        repo.remember_assertion(
            session, app.client_id, str(jti), expires_at=expires, now=clock.now()
        )
    user_id = user_repo.user_id_named(session, tenant_id, username.strip().lower())
    if user_id is None:
        return None
    consented = repo.has_consent(session, tenant_id, user_id=user_id, client_id=app.client_id)
    return user_id if consented else None


def save_code(
    session: Session,
    *,
    code: str,
    app: OAuthApp,
    user_id: uuid.UUID,
    redirect_uri: str | None,
    scope: str,
    challenge: str | None,
    method: str | None,
    clock: Clock,
) -> None:
    """Store a new authorization code (its hash); runs in the caller's transaction."""
    stored = AuthorizationCode(
        code_hash=secret_digest(code),
        tenant_id=app.tenant_id,
        client_id=app.client_id,
        user_id=user_id,
        redirect_uri=redirect_uri,
        scope=scope,
        code_challenge=challenge,
        code_challenge_method=method,
        expires_at=clock.now() + CODE_TTL,
    )
    repo.insert_code(session, stored)


def find_code(
    session: Session, *, app: OAuthApp, code: str, clock: Clock
) -> AuthorizationCode | None:
    """An unused, unexpired code of this app, locked; a replayed code is refused. Runs in the
    caller's transaction."""
    found = repo.locked_code(session, app.tenant_id, secret_digest(code))
    if found is None or found.client_id != app.client_id or found.used_at is not None:
        return None
    if found.expires_at <= clock.now():
        return None
    return found


def use_code(session: Session, *, code: AuthorizationCode, clock: Clock) -> None:
    """Use up ``code``; runs in the caller's transaction."""
    repo.use_code(session, code.tenant_id, code.code_hash, at=clock.now())
