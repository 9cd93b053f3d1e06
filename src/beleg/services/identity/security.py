"""A tenant's security settings and brute-force protection (issue 4, seeds 000-002).

Failed logins are counted per user name and per client address. When either reaches the
tenant's threshold it is locked for the lockout duration (audited as ``Lockout``); a correct
login during a lockout is refused too. A successful login clears the user name's count.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import login_failures, security_settings
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor, ActorType, Origin, Principal
from beleg.domain.identity.security import SecurityPolicy

FIELDS = (
    "password_min_length",
    "password_max_age_days",
    "require_2fa",
    "lockout_threshold",
    "lockout_minutes",
)


def policy_of(session: Session, tenant_id: uuid.UUID) -> SecurityPolicy:
    row = session.execute(
        select(security_settings).where(security_settings.c.tenant_id == tenant_id)
    ).one_or_none()
    if row is None:
        return SecurityPolicy()
    return SecurityPolicy(**{f: getattr(row, f) for f in FIELDS})


def read_policy(*, db: Database, tenant_id: uuid.UUID) -> SecurityPolicy:
    with db.reader() as session:
        return policy_of(session, tenant_id)


def update_policy(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, changes: dict[str, Any], clock: Clock
) -> SecurityPolicy:
    """Change the policy (Admin/SuperUser: scope security-settings:write); audited."""
    for name, value in changes.items():
        if value is None and name in FIELDS and name != "password_max_age_days":
            raise ValidationFailed(f"{_camel(name)} must not be null", field=_camel(name))
    with db.transaction() as session:
        before = policy_of(session, tenant_id)
        after = SecurityPolicy(
            **{**asdict(before), **{k: v for k, v in changes.items() if k in FIELDS}}
        )
        values = {**asdict(after), "updated_at": clock.now()}
        exists = session.execute(
            select(security_settings.c.tenant_id).where(security_settings.c.tenant_id == tenant_id)
        ).first()
        if exists:
            session.execute(
                update(security_settings)
                .where(security_settings.c.tenant_id == tenant_id)
                .values(**values)
            )
        else:
            session.execute(insert(security_settings).values(tenant_id=tenant_id, **values))
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type="SecuritySettings",
            entity_id=tenant_id,
            before=asdict(before),
            after=asdict(after),
            clock=clock,
        )
        return after


def _camel(name: str) -> str:
    return {"require_2fa": "require2fa"}.get(name) or "".join(
        part if i == 0 else part.title() for i, part in enumerate(name.split("_"))
    )


def locked_until(
    session: Session, tenant_id: uuid.UUID, subjects: dict[str, str], now: datetime
) -> datetime | None:
    """The end of a running lockout of any of ``subjects`` (kind -> subject), if one runs."""
    ends = [
        row.locked_until
        for row in session.execute(
            select(login_failures).where(
                login_failures.c.tenant_id == tenant_id,
                login_failures.c.kind.in_(list(subjects)),
                login_failures.c.subject.in_(list(subjects.values())),
            )
        ).all()
        if subjects.get(row.kind) == row.subject and row.locked_until and row.locked_until > now
    ]
    return max(ends) if ends else None


def record_failure(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    subjects: dict[str, str],
    policy: SecurityPolicy,
    origin: Origin,
    clock: Clock,
) -> None:
    """Count a failed login for each subject; lock those that reach the threshold."""
    now = clock.now()
    for kind, subject in subjects.items():
        where = (
            (login_failures.c.tenant_id == tenant_id)
            & (login_failures.c.kind == kind)
            & (login_failures.c.subject == subject)
        )
        row = session.execute(select(login_failures).where(where).with_for_update()).one_or_none()
        stale = row is not None and now - row.last_failure_at > policy.lockout
        failures = 1 if row is None or stale else row.failures + 1
        locked = now + policy.lockout if failures >= policy.lockout_threshold else None
        values = {
            "failures": 0 if locked else failures,
            "last_failure_at": now,
            "locked_until": locked,
        }
        if row is None:
            session.execute(
                insert(login_failures).values(
                    tenant_id=tenant_id, kind=kind, subject=subject, **values
                )
            )
        else:
            session.execute(update(login_failures).where(where).values(**values))
        if locked:
            system = Principal(
                tenant_id=tenant_id,
                actor_type=ActorType.SYSTEM,
                actor_id=None,
                name="brute-force protection",
                scopes=frozenset(),
            )
            record_change(
                session,
                actor=Actor(principal=system, origin=origin),
                tenant_id=tenant_id,
                action=AuditAction.UPDATE,
                entity_type="Lockout",
                entity_id=f"{kind}:{subject}"[:64],
                before=None,
                after={"kind": kind, "subject": subject, "lockedUntil": locked},
                clock=clock,
            )


def clear_failures(session: Session, tenant_id: uuid.UUID, kind: str, subject: str) -> None:
    session.execute(
        delete(login_failures).where(
            login_failures.c.tenant_id == tenant_id,
            login_failures.c.kind == kind,
            login_failures.c.subject == subject,
        )
    )
