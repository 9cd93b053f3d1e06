"""OAuth2 client applications, registered by a tenant's admin, and pairing codes."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.identity import oauth as repo
from beleg.db.identity import security as security_repo
from beleg.db.identity import users as user_repo
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Forbidden, ValidationFailed
from beleg.domain.identity.api_keys import secret_digest, valid_name
from beleg.domain.identity.oauth import (
    PAIRING_ALPHABET,
    PAIRING_CODE_LENGTH,
    PAIRING_CODE_TTL,
    GrantType,
    NewApp,
    OAuthApp,
    Pairing,
    PairingCode,
    check_grant_types,
    check_redirect_uris,
)
from beleg.domain.identity.principal import Actor, Origin
from beleg.domain.identity.scopes import validate_scopes
from beleg.domain.identity.security import SubjectKind, user_subject
from beleg.services.identity import security

ENTITY = "OAuthApp"


def create_app(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    name: str,
    confidential: bool,
    redirect_uris: list[str],
    grant_types: list[str],
    scopes: list[str],
    clock: Clock,
) -> NewApp:
    """Register an app. Confidential apps get a secret, shown once and stored hashed."""
    app_name = valid_name(name)
    uris = check_redirect_uris(redirect_uris)
    grants = check_grant_types(grant_types, confidential=confidential, redirect_uris=uris)
    granted = _grantable(actor, scopes)
    secret = secrets.token_urlsafe(32) if confidential else None
    app = OAuthApp(
        tenant_id=tenant_id,
        id=uuid.uuid4(),
        client_id=f"app_{secrets.token_urlsafe(12)}",
        name=app_name,
        secret_hash=secret_digest(secret) if secret else None,
        redirect_uris=tuple(uris),
        grant_types=tuple(grants),
        scopes=tuple(sorted(granted)),
        created_at=clock.now(),
        created_by_name=actor.principal.name,
    )
    with db.transaction() as session:
        repo.insert_app(session, app)
        view = app.snapshot()
        jwks = view.pop("issuer_jwks")  # a new app's entry has always named its keys last
        after = {**view, "issuer_jwks": jwks}
        change = Change(AuditAction.CREATE, ENTITY, app.id, None, after)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return NewApp(app, secret)


def _grantable(actor: Actor, scopes: list[str]) -> frozenset[str]:
    """The scopes an app may be registered with: known ones that the registering credential
    holds itself."""
    granted = validate_scopes(scopes)
    missing = sorted(granted - actor.principal.scopes)
    if missing:
        raise ValidationFailed(
            "identity.app_scopes_not_held", field="scopes", scopes=", ".join(missing)
        )
    return granted


def list_apps(*, db: Database, tenant_id: uuid.UUID) -> list[OAuthApp]:
    with db.reader() as session:
        return repo.apps_of(session, tenant_id)


def get_app(*, db: Database, tenant_id: uuid.UUID, app_id: uuid.UUID) -> OAuthApp:
    with db.reader() as session:
        return repo.app_by_id(session, tenant_id, app_id)


def find_client(session: Session, *, client_id: str) -> OAuthApp | None:
    """The app a client id names, in any tenant (the authorization server's first look-up);
    runs in the caller's transaction."""
    return repo.app_by_client_id(session, client_id)


def delete_app(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, app_id: uuid.UUID, clock: Clock
) -> None:
    """Remove an app; its refresh tokens stop working (they name the client)."""
    with db.transaction() as session:
        app = repo.app_by_id(session, tenant_id, app_id)
        repo.delete_app(session, tenant_id, app_id)
        change = Change(AuditAction.DELETE, ENTITY, app_id, app.snapshot(), None)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)


def start_pairing(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, app_id: uuid.UUID, clock: Clock
) -> PairingCode:
    """Seed 003 §2.1.2: a short code, valid 5 minutes, with which the app obtains tokens
    for the acting user (``grant_type=password``)."""
    with db.transaction() as session:
        app = repo.app_by_id(session, tenant_id, app_id)
        if not app.allows(GrantType.PAIRING):
            raise ValidationFailed("identity.app_not_for_pairing", field="grantTypes")
        user_id = _acting_user(actor)
        code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
        expires = clock.now() + PAIRING_CODE_TTL
        pairing = Pairing(secret_digest(code), tenant_id, app.client_id, user_id, expires)
        repo.insert_pairing(session, pairing)
        after = {"userId": user_id, "expiresAt": expires}
        change = Change(AuditAction.CREATE, "OAuthPairing", app.client_id, None, after)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return PairingCode(code, expires)


def _acting_user(actor: Actor) -> uuid.UUID:
    """The user a pairing is for: the token's user, or the user an API key acts for."""
    if actor.principal.user_id is None:
        raise Forbidden("identity.pairing_needs_user", field="user")
    return actor.principal.user_id


def _public_keys(jwks: dict[str, Any]) -> list[Any]:
    """The keys of a JWKS that holds at least one key, public ones only."""
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        raise ValidationFailed("identity.jwks_required", field="keys")
    if any(isinstance(k, dict) and "d" in k for k in keys):
        raise ValidationFailed("identity.jwks_private_key", field="keys")
    try:
        KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ValidationFailed("identity.jwks_invalid", field="keys", reason=str(exc)) from None
    return keys


def set_issuer_keys(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    app_id: uuid.UUID,
    jwks: dict[str, Any],
    clock: Clock,
) -> OAuthApp:
    """Register the public keys a trusted app signs JWT bearer assertions with (RFC 7523)."""
    keys = _public_keys(jwks)
    with db.transaction() as session:
        before = repo.app_by_id(session, tenant_id, app_id)
        if not before.allows(GrantType.JWT_BEARER):
            raise ValidationFailed("identity.app_not_for_jwt_bearer", field="grantTypes")
        app = replace(before, issuer_jwks={"keys": keys})
        repo.save_issuer_keys(session, app)
        old, new = {"issuerJwks": before.issuer_jwks}, {"issuerJwks": app.issuer_jwks}
        change = Change(AuditAction.UPDATE, ENTITY, app_id, old, new)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return app


def set_consent(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    app_id: uuid.UUID,
    granted: bool,
    clock: Clock,
) -> None:
    """The acting user allows (or stops allowing) the app to act for them."""
    with db.transaction() as session:
        app = repo.app_by_id(session, tenant_id, app_id)
        user_id = _acting_user(actor)
        repo.set_consent(
            session,
            tenant_id,
            user_id=user_id,
            client_id=app.client_id,
            granted_at=clock.now() if granted else None,
        )
        action = AuditAction.CREATE if granted else AuditAction.DELETE
        after = {"userId": user_id, "granted": granted}
        change = Change(action, "OAuthConsent", app.client_id, None, after)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)


def redeem_pairing_code(
    session: Session, *, app: OAuthApp, username: str, code: str, origin: Origin, clock: Clock
) -> uuid.UUID | None:
    """The user of a valid, unused pairing code for this app and username; the code is used
    up. A user's real password never matches (it is not a pairing code). Every attempt
    counts toward the lockout of the user name and the client address, as a password on the
    login page does; while a lockout runs the code is not looked at (ValidationFailed
    naming its end). Runs in the caller's transaction."""
    tenant_id = app.tenant_id
    name = user_subject(username)
    subjects = {SubjectKind.USER: name, SubjectKind.ADDRESS: origin.ip_address or "unknown"}
    policy = security_repo.security_policy(session, tenant_id)
    attempt = security.count_attempt(
        session, tenant_id=tenant_id, subjects=subjects, policy=policy, origin=origin, clock=clock
    )
    if attempt.locked_until is not None:
        until = attempt.locked_until.isoformat(timespec="seconds")
        raise ValidationFailed("identity.sign_in_locked", field="password", until=until)
    user_id = _paired_user(session, app=app, username=name, code=code, clock=clock)
    if user_id is not None:
        security.take_back_attempt(session, attempt=attempt, origin=origin, clock=clock)
    return user_id


def _paired_user(
    session: Session, *, app: OAuthApp, username: str, code: str, clock: Clock
) -> uuid.UUID | None:
    tenant_id = app.tenant_id
    pairing = repo.locked_pairing(session, tenant_id, secret_digest(code.strip().upper()))
    if pairing is None or pairing.client_id != app.client_id:
        return None
    if pairing.used_at is not None or pairing.expires_at <= clock.now():
        return None
    user_id = user_repo.user_id_named(session, tenant_id, username)
    if user_id is None or user_id != pairing.user_id:
        return None
    repo.use_pairing(session, tenant_id, pairing.code_hash, at=clock.now())
    return user_id
