"""Browser logins: the OAuth login page (and later the portal). A session is a random token
in an HttpOnly cookie, stored hashed, valid for a working day; every form of the session
carries its CSRF token. Logins and failed logins are audited with the client's address."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.tables import users, web_sessions
from beleg.domain.audit.chain import AuditAction
from beleg.domain.identity.principal import Actor, ActorType, Origin, Principal
from beleg.services.audit import record_change
from beleg.services.oauth_apps import digest
from beleg.services.passwords import verify_password

SESSION_TTL = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class WebSession:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    csrf: str


def login(*, db: Database, tenant_id: uuid.UUID, username: str, password: str,
          origin: Origin, clock: Clock) -> tuple[str, WebSession] | None:
    """A new session for a correct username and password of ``tenant_id``; None otherwise.
    Both outcomes are audited (the failure under the attempted user name)."""
    name = username.strip().lower()
    with db.transaction() as session:
        user = session.execute(select(users.c.id, users.c.password_hash).where(
            users.c.tenant_id == tenant_id, users.c.username == name)).one_or_none()
        ok = user is not None and verify_password(user.password_hash, password)
        system = Principal(tenant_id=tenant_id, actor_type=ActorType.USER,
                           actor_id=str(user.id) if user else None, name=name[:64],
                           scopes=frozenset(), user_id=user.id if user else None)
        record_change(session, actor=Actor(principal=system, origin=origin),
                      tenant_id=tenant_id, action=AuditAction.CREATE,
                      entity_type="Login" if ok else "FailedLogin", entity_id=name[:64],
                      before=None, after={"username": name[:64], "success": ok},
                      clock=clock)
        if not ok or user is None:
            return None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = clock.now()
        session.execute(insert(web_sessions).values(
            token_hash=digest(token), tenant_id=tenant_id, user_id=user.id, csrf=csrf,
            created_at=now, expires_at=now + SESSION_TTL))
        return token, WebSession(tenant_id, user.id, csrf)


def current_session(*, db: Database, token: str | None, clock: Clock) -> WebSession | None:
    if not token:
        return None
    with db.reader() as session:
        row = session.execute(select(web_sessions).where(
            web_sessions.c.token_hash == digest(token))).one_or_none()
    if row is None or row.expires_at <= clock.now():
        return None
    return WebSession(row.tenant_id, row.user_id, row.csrf)
