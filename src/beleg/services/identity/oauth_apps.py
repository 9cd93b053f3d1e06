"""OAuth2 client applications, registered by a tenant's admin, and pairing codes."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import oauth_apps, oauth_consents, oauth_pairings
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Forbidden, NotFound, ValidationFailed
from beleg.domain.identity.api_keys import secret_digest
from beleg.domain.identity.oauth import (
    PAIRING_ALPHABET,
    PAIRING_CODE_LENGTH,
    PAIRING_CODE_TTL,
    GrantType,
    check_grant_types,
    check_redirect_uris,
)
from beleg.domain.identity.principal import Actor
from beleg.domain.identity.scopes import validate_scopes

ENTITY = "OAuthApp"
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class NewApp:
    row: dict[str, Any]
    client_secret: str | None  # shown once


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "secret_hash"} | {
        "confidential": row["secret_hash"] is not None,
        "issuer_jwks": row.get("issuer_jwks"),
    }


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
    if not 1 <= len(name.strip()) <= MAX_NAME:
        raise ValidationFailed(f"name must have 1 to {MAX_NAME} characters", field="name")
    uris = check_redirect_uris(redirect_uris)
    grants = check_grant_types(grant_types, confidential=confidential, redirect_uris=uris)
    granted = validate_scopes(scopes)
    missing = sorted(granted - actor.principal.scopes)
    if missing:
        raise ValidationFailed(
            f"cannot grant scope(s) {', '.join(missing)} that the registering credential lacks",
            field="scopes",
        )
    secret = secrets.token_urlsafe(32) if confidential else None
    row = {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "client_id": f"app_{secrets.token_urlsafe(12)}",
        "name": name.strip(),
        "secret_hash": secret_digest(secret) if secret else None,
        "redirect_uris": uris,
        "grant_types": grants,
        "scopes": sorted(granted),
        "created_at": clock.now(),
        "created_by_name": actor.principal.name,
    }
    with db.transaction() as session:
        session.execute(insert(oauth_apps).values(**row))
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type=ENTITY,
            entity_id=row["id"],
            before=None,
            after=public_view(row),
            clock=clock,
        )
    return NewApp(row, secret)


def _load(session: Session, tenant_id: uuid.UUID, app_id: uuid.UUID) -> dict[str, Any]:
    row = session.execute(
        select(oauth_apps).where(oauth_apps.c.tenant_id == tenant_id, oauth_apps.c.id == app_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"OAuth app {app_id} does not exist", field="id")
    return dict(row._mapping)


def list_apps(*, db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    with db.reader() as session:
        rows = session.execute(
            select(oauth_apps)
            .where(oauth_apps.c.tenant_id == tenant_id)
            .order_by(oauth_apps.c.created_at)
        ).all()
    return [public_view(dict(r._mapping)) for r in rows]


def get_app(*, db: Database, tenant_id: uuid.UUID, app_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        return public_view(_load(session, tenant_id, app_id))


def delete_app(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, app_id: uuid.UUID, clock: Clock
) -> None:
    """Remove an app; its refresh tokens stop working (they name the client)."""
    with db.transaction() as session:
        row = _load(session, tenant_id, app_id)
        session.execute(
            delete(oauth_apps).where(oauth_apps.c.tenant_id == tenant_id, oauth_apps.c.id == app_id)
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=ENTITY,
            entity_id=app_id,
            before=public_view(row),
            after=None,
            clock=clock,
        )


def start_pairing(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, app_id: uuid.UUID, clock: Clock
) -> tuple[str, Any]:
    """Seed 003 §2.1.2: a short code, valid 5 minutes, with which the app obtains tokens
    for the acting user (``grant_type=password``). Returns the code and its expiry."""
    with db.transaction() as session:
        app = _load(session, tenant_id, app_id)
        if GrantType.PAIRING.value not in app["grant_types"]:
            raise ValidationFailed(
                "the app is not registered for the pairing grant", field="grantTypes"
            )
        user_id = _acting_user(actor)
        code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
        expires = clock.now() + PAIRING_CODE_TTL
        session.execute(
            insert(oauth_pairings).values(
                code_hash=secret_digest(code),
                tenant_id=tenant_id,
                client_id=app["client_id"],
                user_id=user_id,
                expires_at=expires,
                used_at=None,
            )
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type="OAuthPairing",
            entity_id=app["client_id"],
            before=None,
            after={"userId": user_id, "expiresAt": expires},
            clock=clock,
        )
        return code, expires


def _acting_user(actor: Actor) -> uuid.UUID:
    """The user a pairing is for: the token's user, or the user an API key acts for."""
    if actor.principal.user_id is None:
        raise Forbidden("pairing is started by a user (or an API key acting for one)", field="user")
    return actor.principal.user_id


def set_issuer_keys(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    app_id: uuid.UUID,
    jwks: dict[str, Any],
    clock: Clock,
) -> dict[str, Any]:
    """Register the public keys a trusted app signs JWT bearer assertions with (RFC 7523)."""
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        raise ValidationFailed("a JWKS with at least one key is required", field="keys")
    if any(isinstance(k, dict) and "d" in k for k in keys):
        raise ValidationFailed(
            "send public keys only (a key has a private member 'd')", field="keys"
        )
    try:
        KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ValidationFailed(f"not a valid JWKS: {exc}", field="keys") from None
    with db.transaction() as session:
        row = _load(session, tenant_id, app_id)
        if GrantType.JWT_BEARER.value not in row["grant_types"]:
            raise ValidationFailed(
                "the app is not registered for the JWT bearer grant", field="grantTypes"
            )
        session.execute(
            update(oauth_apps)
            .where(oauth_apps.c.tenant_id == tenant_id, oauth_apps.c.id == app_id)
            .values(issuer_jwks={"keys": keys})
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=app_id,
            before={"issuerJwks": row["issuer_jwks"]},
            after={"issuerJwks": {"keys": keys}},
            clock=clock,
        )
        return public_view({**row, "issuer_jwks": {"keys": keys}})


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
        app = _load(session, tenant_id, app_id)
        user_id = _acting_user(actor)
        where = (
            (oauth_consents.c.tenant_id == tenant_id)
            & (oauth_consents.c.user_id == user_id)
            & (oauth_consents.c.client_id == app["client_id"])
        )
        session.execute(delete(oauth_consents).where(where))
        if granted:
            session.execute(
                insert(oauth_consents).values(
                    tenant_id=tenant_id,
                    user_id=user_id,
                    client_id=app["client_id"],
                    granted_at=clock.now(),
                )
            )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE if granted else AuditAction.DELETE,
            entity_type="OAuthConsent",
            entity_id=app["client_id"],
            before=None,
            after={"userId": user_id, "granted": granted},
            clock=clock,
        )
