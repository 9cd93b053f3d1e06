"""Browser logins: the OAuth login page (and later the portal).

A session is a random token in an HttpOnly cookie, stored hashed, valid for a working day;
every form of the session carries its CSRF token. Signing in may leave a step ``pending``:
a new password (the tenant's maximum age passed), enrolling TOTP (the tenant requires 2FA),
or entering the TOTP code. Only a session with nothing pending counts.

Brute-force protection (``services/identity/security``) counts failures per user name and
address, each attempt before its password is checked. Logins, failed logins and lockouts are
audited with the client address.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_change, record_changes
from beleg.db.database import Database
from beleg.db.identity import security as security_repo
from beleg.db.identity import sessions as repo
from beleg.db.identity import users as user_repo
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.api_keys import secret_digest
from beleg.domain.identity.hashing import hash_password, verify_password
from beleg.domain.identity.passwords import check_password
from beleg.domain.identity.principal import Actor, ActorType, Origin, Principal
from beleg.domain.identity.security import SecurityPolicy, SubjectKind, user_subject
from beleg.domain.identity.sessions import LoginResult, SignInStep, StoredSession, WebSession
from beleg.domain.identity.two_factor import Enrolment, FactorState
from beleg.domain.identity.users import User
from beleg.services.identity import security, totp

SESSION_TTL = timedelta(hours=8)


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
    """Check a user name and password (refused while a lockout runs) and open a session,
    perhaps with a step pending; every attempt is counted and audited.

    Three steps rather than one transaction: the attempt is counted first (a short
    transaction under the lockout rows' lock, ``security.count_attempt``), the password is
    checked outside any transaction (argon2 takes a tenth of a second and holds no lock or
    connection meanwhile; an unknown user name is checked against a dummy hash, so the
    answer time does not tell known from unknown names), and the outcome is written in a
    second transaction. A process that dies in between leaves the attempt counted as a
    failure."""
    name = user_subject(username)
    subjects = {SubjectKind.USER: name, SubjectKind.ADDRESS: origin.ip_address or "unknown"}
    with db.transaction() as session:
        policy = security_repo.security_policy(session, tenant_id)
        attempt = security.count_attempt(
            session,
            tenant_id=tenant_id,
            subjects=subjects,
            policy=policy,
            origin=origin,
            clock=clock,
        )
        found = user_repo.credential_named(session, tenant_id, name)
        actor = _actor(tenant_id, found.user.id if found else None, name, origin)
        if attempt.locked_until is not None:
            _audit_login(session, actor, name, clock, ok=False, locked=True)
            return LoginResult(locked_until=attempt.locked_until)
    ok = verify_password(found.password_hash if found else None, password)
    with db.transaction() as session:
        if ok and found is not None:  # the lockout rows before the audit head, as above
            security.take_back_attempt(session, attempt=attempt, origin=origin, clock=clock)
        _audit_login(session, actor, name, clock, ok=ok, locked=False)
        if not ok or found is None:
            return LoginResult()
        pending = _pending(session, found.user, policy, clock.now())
        return _open_session(session, found.user, pending, clock.now())


def _audit_login(
    session: Session, actor: Actor, name: str, clock: Clock, *, ok: bool, locked: bool
) -> None:
    after = {"username": name, "success": ok, "locked": locked}
    change = Change(AuditAction.CREATE, "Login" if ok else "FailedLogin", name, None, after)
    tenant_id = actor.principal.tenant_id
    record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)


def _open_session(
    session: Session, user: User, pending: SignInStep | None, now: datetime
) -> LoginResult:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    web = WebSession(user.tenant_id, user.id, csrf, pending)
    repo.insert_session(session, StoredSession(secret_digest(token), web, now, now + SESSION_TTL))
    return LoginResult(token, web)


def _factor_state(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> FactorState:
    factor = security_repo.totp_factor(session, tenant_id, user_id)
    return FactorState.NONE if factor is None else factor.state


def _pending(
    session: Session, user: User, policy: SecurityPolicy, now: datetime
) -> SignInStep | None:
    if policy.password_expired(user.password_changed_at, now):
        return SignInStep.PASSWORD
    if _factor_state(session, user.tenant_id, user.id) is FactorState.ACTIVE:
        return SignInStep.TOTP
    if policy.require_2fa:
        return SignInStep.ENROL
    return None


def read_session(*, db: Database, token: str | None, clock: Clock) -> WebSession | None:
    """The unexpired session of a presented cookie token, if there is one."""
    if not token:
        return None
    with db.reader() as session:
        stored = repo.session_by_hash(session, secret_digest(token))
    if stored is None or stored.expires_at <= clock.now():
        return None
    return stored.session


def _next_step(session: Session, web: WebSession) -> SignInStep | None:
    if _factor_state(session, web.tenant_id, web.user_id) is FactorState.ACTIVE:
        return None
    policy = security_repo.security_policy(session, web.tenant_id)
    return SignInStep.ENROL if policy.require_2fa else None


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
        stored = repo.session_by_hash(session, secret_digest(token), lock=True)
        if stored is None or stored.expires_at <= clock.now() or stored.session.pending is None:
            raise ValidationFailed("identity.no_step_pending", field="session")
        web = stored.session
        actor = _actor(web.tenant_id, web.user_id, "user", origin)
        if web.pending is SignInStep.PASSWORD:
            _set_password(session, web, new_password or "", actor, clock)
            active = _factor_state(session, web.tenant_id, web.user_id) is FactorState.ACTIVE
            nxt = SignInStep.TOTP if active else _next_step(session, web)
        elif not totp.verify(
            session,
            tenant_id=web.tenant_id,
            user_id=web.user_id,
            code=code or "",
            actor=actor,
            clock=clock,
        ):
            raise ValidationFailed("identity.code_invalid", field="code")
        else:
            nxt = None
        repo.set_pending(session, web.tenant_id, stored.token_hash, nxt)
        return WebSession(web.tenant_id, web.user_id, web.csrf, nxt)


def _set_password(
    session: Session, web: WebSession, password: str, actor: Actor, clock: Clock
) -> None:
    policy = security_repo.security_policy(session, web.tenant_id)
    check_password(password, min_length=policy.password_min_length)
    if verify_password(user_repo.password_hash(session, web.tenant_id, web.user_id), password):
        raise ValidationFailed("identity.password_unchanged", field="password")
    user_repo.set_password(
        session, web.tenant_id, web.user_id, hashed=hash_password(password), at=clock.now()
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


def begin_enrolment(*, db: Database, token: str, clock: Clock) -> Enrolment:
    """Secret, QR code and recovery codes for a session that must enrol TOTP."""
    with db.transaction() as session:
        stored = repo.session_by_hash(session, secret_digest(token))
        if (
            stored is None
            or stored.expires_at <= clock.now()
            or stored.session.pending is not SignInStep.ENROL
        ):
            raise ValidationFailed("identity.no_enrolment_pending", field="session")
        web = stored.session
        return totp.start_enrolment(session, tenant_id=web.tenant_id, user_id=web.user_id)
