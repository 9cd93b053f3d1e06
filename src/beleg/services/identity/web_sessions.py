"""Browser logins: the OAuth login page (and later the portal).

A session is a random token in an HttpOnly cookie, stored hashed, valid for a working day;
every form of the session carries its CSRF token. Signing in may leave a step ``pending``:
a new password (the tenant's maximum age passed), enrolling TOTP (the tenant requires 2FA),
or entering the TOTP code. Only a session with nothing pending counts.

Brute-force protection (``services/security``) counts failures per user name and address.
Logins, failed logins and lockouts are audited with the client address.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import users, web_sessions
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.api_keys import secret_digest
from beleg.domain.identity.hashing import hash_password, verify_password
from beleg.domain.identity.passwords import check_password
from beleg.domain.identity.principal import Actor, ActorType, Origin, Principal
from beleg.services.identity import security, totp

SESSION_TTL = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class WebSession:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    csrf: str
    pending: str | None = None


@dataclass(frozen=True, slots=True)
class LoginResult:
    """``token`` and ``session`` when the password was right; ``locked_until`` when a
    lockout runs; neither for a wrong user name or password."""

    token: str | None = None
    session: WebSession | None = None
    locked_until: datetime | None = None


def _actor(tenant_id: uuid.UUID, user_id: uuid.UUID | None, name: str, origin: Origin) -> Actor:
    principal = Principal(
        tenant_id=tenant_id,
        actor_type=ActorType.USER,
        actor_id=str(user_id) if user_id else None,
        name=name[:64],
        scopes=frozenset(),
        user_id=user_id,
    )
    return Actor(principal=principal, origin=origin)


def login(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    username: str,
    password: str,
    origin: Origin,
    clock: Clock,
) -> LoginResult:
    name = username.strip().lower()[:64]
    subjects = {"user": name, "address": origin.ip_address or "unknown"}
    with db.transaction() as session:
        policy = security.policy_of(session, tenant_id)
        now = clock.now()
        locked = security.locked_until(session, tenant_id, subjects, now)
        user = session.execute(
            select(users.c.id, users.c.password_hash, users.c.password_changed_at).where(
                users.c.tenant_id == tenant_id, users.c.username == name
            )
        ).one_or_none()
        ok = locked is None and user is not None and verify_password(user.password_hash, password)
        record_change(
            session,
            actor=_actor(tenant_id, user.id if user else None, name, origin),
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type="Login" if ok else "FailedLogin",
            entity_id=name,
            before=None,
            after={"username": name, "success": ok, "locked": locked is not None},
            clock=clock,
        )
        if locked is not None:
            return LoginResult(locked_until=locked)
        if not ok or user is None:
            security.record_failure(
                session,
                tenant_id=tenant_id,
                subjects=subjects,
                policy=policy,
                origin=origin,
                clock=clock,
            )
            return LoginResult()
        security.clear_failures(session, tenant_id, "user", name)
        pending = _pending(session, tenant_id, user, policy, now)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        session.execute(
            insert(web_sessions).values(
                token_hash=secret_digest(token),
                tenant_id=tenant_id,
                user_id=user.id,
                csrf=csrf,
                pending=pending,
                created_at=now,
                expires_at=now + SESSION_TTL,
            )
        )
        return LoginResult(token, WebSession(tenant_id, user.id, csrf, pending))


def _pending(
    session: Session,
    tenant_id: uuid.UUID,
    user: object,
    policy: security.SecurityPolicy,
    now: datetime,
) -> str | None:
    if policy.password_expired(user.password_changed_at, now):  # type: ignore[attr-defined]
        return "password"
    second = totp.state(session, tenant_id, user.id)  # type: ignore[attr-defined]
    if second == "active":
        return "totp"
    if policy.require_2fa:
        return "enrol"
    return None


def current_session(*, db: Database, token: str | None, clock: Clock) -> WebSession | None:
    if not token:
        return None
    with db.reader() as session:
        row = session.execute(
            select(web_sessions).where(web_sessions.c.token_hash == secret_digest(token))
        ).one_or_none()
    if row is None or row.expires_at <= clock.now():
        return None
    return WebSession(row.tenant_id, row.user_id, row.csrf, row.pending)


def _next_step(session: Session, web: WebSession) -> str | None:
    policy = security.policy_of(session, web.tenant_id)
    state = totp.state(session, web.tenant_id, web.user_id)
    if state == "active":
        return None
    return "enrol" if policy.require_2fa else None


def complete_step(
    *,
    db: Database,
    token: str,
    code: str | None,
    new_password: str | None,
    origin: Origin,
    clock: Clock,
) -> WebSession:
    """Do the pending step of a session: set a new password, or give a TOTP code (which also
    confirms an enrolment). Returns the session with what is pending next."""
    with db.transaction() as session:
        row = session.execute(
            select(web_sessions)
            .where(web_sessions.c.token_hash == secret_digest(token))
            .with_for_update()
        ).one_or_none()
        if row is None or row.expires_at <= clock.now() or row.pending is None:
            raise ValidationFailed("no sign-in step is pending", field="session")
        web = WebSession(row.tenant_id, row.user_id, row.csrf, row.pending)
        actor = _actor(web.tenant_id, web.user_id, "user", origin)
        if web.pending == "password":
            _set_password(session, web, new_password or "", actor, clock)
            nxt = (
                "totp"
                if totp.state(session, web.tenant_id, web.user_id) == "active"
                else _next_step(session, web)
            )
        elif not totp.verify(
            session,
            tenant_id=web.tenant_id,
            user_id=web.user_id,
            code=code or "",
            actor=actor,
            clock=clock,
        ):
            raise ValidationFailed("the code is not valid", field="code")
        else:
            nxt = None
        session.execute(
            update(web_sessions)
            .where(web_sessions.c.token_hash == secret_digest(token))
            .values(pending=nxt)
        )
        return WebSession(web.tenant_id, web.user_id, web.csrf, nxt)


def _set_password(
    session: Session, web: WebSession, password: str, actor: Actor, clock: Clock
) -> None:
    policy = security.policy_of(session, web.tenant_id)
    check_password(password, min_length=policy.password_min_length)
    old = session.execute(
        select(users.c.password_hash).where(
            users.c.tenant_id == web.tenant_id, users.c.id == web.user_id
        )
    ).scalar_one()
    if verify_password(old, password):
        raise ValidationFailed("the new password must differ from the old one", field="password")
    session.execute(
        update(users)
        .where(users.c.tenant_id == web.tenant_id, users.c.id == web.user_id)
        .values(
            password_hash=hash_password(password),
            password_changed_at=clock.now(),
            updated_at=clock.now(),
        )
    )
    record_change(
        session,
        actor=actor,
        tenant_id=web.tenant_id,
        action=AuditAction.UPDATE,
        entity_type="User",
        entity_id=web.user_id,
        before=None,
        after={"passwordChanged": True},
        clock=clock,
    )


def begin_enrolment(*, db: Database, token: str, clock: Clock) -> tuple[str, str, list[str]]:
    """Secret, QR code and recovery codes for a session that must enrol TOTP."""
    with db.transaction() as session:
        row = session.execute(
            select(web_sessions).where(web_sessions.c.token_hash == secret_digest(token))
        ).one_or_none()
        if row is None or row.expires_at <= clock.now() or row.pending != "enrol":
            raise ValidationFailed("no enrolment is pending", field="session")
        return totp.start_enrolment(session, tenant_id=row.tenant_id, user_id=row.user_id)
