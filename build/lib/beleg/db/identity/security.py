"""A tenant's security policy, its failed-login counts and its users' second factors."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import login_failures, security_settings, tenants, user_totp, users
from beleg.domain.identity.security import (
    POLICY_FIELDS,
    FailedLogins,
    SecurityPolicy,
    SubjectKind,
)
from beleg.domain.identity.two_factor import TotpFactor


def security_policy(session: Session, tenant_id: uuid.UUID) -> SecurityPolicy:
    """The tenant's policy; the defaults while it has never changed them."""
    row = session.execute(
        select(security_settings).where(security_settings.c.tenant_id == tenant_id)
    ).one_or_none()
    if row is None:
        return SecurityPolicy()
    return SecurityPolicy(**{f: getattr(row, f) for f in POLICY_FIELDS})


def save_security_policy(
    session: Session, tenant_id: uuid.UUID, policy: SecurityPolicy, *, at: datetime
) -> None:
    values = {**asdict(policy), "updated_at": at}
    s = security_settings.c
    exists = session.execute(select(s.tenant_id).where(s.tenant_id == tenant_id)).first()
    if exists:
        session.execute(update(security_settings).where(s.tenant_id == tenant_id).values(**values))
    else:
        session.execute(insert(security_settings).values(tenant_id=tenant_id, **values))


def _counts(row: Row[Any]) -> FailedLogins:
    return FailedLogins(
        SubjectKind(row.kind), row.subject, row.failures, row.last_failure_at, row.locked_until
    )


def locked_failed_logins(
    session: Session, tenant_id: uuid.UUID, kind: SubjectKind, subject: str, *, now: datetime
) -> FailedLogins:
    """The count of one subject, row-locked until the transaction ends, so that concurrent
    sign-in attempts queue here and each sees the others' counts. A subject without a count
    gets a row with none (inserted in a savepoint: a concurrent first attempt that wins the
    insert makes this one wait for its lock and read its row)."""
    f = login_failures.c
    statement = (
        select(login_failures)
        .where(f.tenant_id == tenant_id, f.kind == kind.value, f.subject == subject)
        .with_for_update()
    )
    row = session.execute(statement).one_or_none()
    if row is not None:
        return _counts(row)
    empty = FailedLogins(kind, subject, 0, now, None)
    try:
        with session.begin_nested():
            session.execute(
                insert(login_failures).values(
                    tenant_id=tenant_id,
                    kind=kind.value,
                    subject=subject,
                    failures=0,
                    last_failure_at=now,
                    locked_until=None,
                )
            )
    except IntegrityError:
        return _counts(session.execute(statement).one())
    return empty


def save_failed_logins(session: Session, tenant_id: uuid.UUID, counts: FailedLogins) -> None:
    """Store the count of a locked subject; a count of nothing (no failures, no lockout) is
    removed."""
    f = login_failures.c
    where = (f.tenant_id == tenant_id, f.kind == counts.kind.value, f.subject == counts.subject)
    if counts.failures == 0 and counts.locked_until is None:
        session.execute(delete(login_failures).where(*where))
        return
    session.execute(
        update(login_failures)
        .where(*where)
        .values(
            failures=counts.failures,
            last_failure_at=counts.last_failure_at,
            locked_until=counts.locked_until,
        )
    )


def totp_factor(
    session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID, *, lock: bool = False
) -> TotpFactor | None:
    """The user's TOTP enrolment, if any; ``lock``: until the transaction ends."""
    t = user_totp.c
    statement = select(user_totp).where(t.tenant_id == tenant_id, t.user_id == user_id)
    row = session.execute(statement.with_for_update() if lock else statement).one_or_none()
    if row is None:
        return None
    return TotpFactor(row.secret, row.confirmed_at, tuple(row.recovery_hashes), row.last_counter)


def replace_pending_factor(
    session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID, factor: TotpFactor
) -> None:
    """Store a new, unconfirmed enrolment in place of an unconfirmed one."""
    t = user_totp.c
    session.execute(
        delete(user_totp).where(
            t.tenant_id == tenant_id, t.user_id == user_id, t.confirmed_at.is_(None)
        )
    )
    session.execute(
        insert(user_totp).values(
            tenant_id=tenant_id,
            user_id=user_id,
            secret=factor.secret,
            confirmed_at=factor.confirmed_at,
            recovery_hashes=list(factor.recovery_hashes),
            last_counter=factor.last_counter,
        )
    )


def save_factor(
    session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID, factor: TotpFactor
) -> None:
    """Write what a verification changes: the confirmation, recovery codes, last step."""
    t = user_totp.c
    session.execute(
        update(user_totp)
        .where(t.tenant_id == tenant_id, t.user_id == user_id)
        .values(
            confirmed_at=factor.confirmed_at,
            recovery_hashes=list(factor.recovery_hashes),
            last_counter=factor.last_counter,
        )
    )


def delete_factor(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Remove the user's second factor; whether they had one."""
    if totp_factor(session, tenant_id, user_id, lock=True) is None:
        return False
    t = user_totp.c
    session.execute(delete(user_totp).where(t.tenant_id == tenant_id, t.user_id == user_id))
    return True


def totp_label(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> tuple[str, int]:
    """The user name and the tenant's number: what an authenticator app shows."""
    row = session.execute(
        select(users.c.username, tenants.c.number)
        .join(tenants, tenants.c.id == users.c.tenant_id)
        .where(users.c.tenant_id == tenant_id, users.c.id == user_id)
    ).one()
    return row.username, row.number
