"""A tenant's security settings and brute-force protection (issue 4, seeds 000-002).

Failed logins are counted per user name and per client address. When either reaches the
tenant's threshold it is locked for the lockout duration (audited as ``Lockout``); a correct
login during a lockout is refused too. A successful login clears the user name's count.

Counting, locking and checking are one atomic step: ``count_attempt`` takes the subjects'
rows under a row lock, refuses while a lockout runs and otherwise counts the attempt as a
failure before the password or pairing code is checked; ``take_back_attempt`` undoes the
count of an attempt that succeeded. Logins and pairing codes count toward the same lockout.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.identity import security as repo
from beleg.domain.audit.chain import AuditAction
from beleg.domain.identity.principal import Actor, ActorType, Origin, Principal
from beleg.domain.identity.security import (
    FailedLogins,
    SecurityPolicy,
    SignInAttempt,
    SubjectKind,
    changed_policy,
    count_failure,
    count_success,
    lockout_end,
)


def read_policy(*, db: Database, tenant_id: uuid.UUID) -> SecurityPolicy:
    with db.reader() as session:
        return repo.security_policy(session, tenant_id)


def update_policy(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, changes: dict[str, Any], clock: Clock
) -> SecurityPolicy:
    """Change the policy (Admin/SuperUser: scope security-settings:write); audited."""
    with db.transaction() as session:
        before = repo.security_policy(session, tenant_id)
        after = changed_policy(before, changes)
        repo.save_security_policy(session, tenant_id, after, at=clock.now())
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


def count_attempt(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    subjects: Mapping[SubjectKind, str],
    policy: SecurityPolicy,
    origin: Origin,
    clock: Clock,
) -> SignInAttempt:
    """Count a sign-in attempt as a failure of each subject *before* its secret is checked;
    refused, and nothing counted, while a lockout of any subject runs. Subjects that reach
    the threshold are locked (and audited) at once, so that parallel attempts cannot get
    past the lockout. The rows are taken in one order (address, then user name) and stay
    locked until the caller's transaction ends; every sign-in takes them before the audit
    head (which ``record_change`` locks), so two sign-ins never wait for each other in
    opposite order."""
    now = clock.now()
    previous = [
        repo.locked_failed_logins(session, tenant_id, kind, subject, now=now)
        for kind, subject in sorted(subjects.items())
    ]
    locked = lockout_end(previous, subjects, now)
    if locked is not None:
        return SignInAttempt(tenant_id, (), locked)
    counted = tuple(
        count_failure(p, kind=p.kind, subject=p.subject, policy=policy, now=now) for p in previous
    )
    for counts in counted:
        repo.save_failed_logins(session, tenant_id, counts)
        if counts.locked_until is not None:
            _audit_lockout(session, tenant_id, counts, origin, clock)
    return SignInAttempt(tenant_id, counted)


def take_back_attempt(
    session: Session, *, attempt: SignInAttempt, origin: Origin, clock: Clock
) -> None:
    """The attempt succeeded: take back its count (a successful login clears the user
    name's count) and lift a lockout it started; runs in the caller's transaction."""
    for counted in attempt.counted:
        current = repo.locked_failed_logins(
            session, attempt.tenant_id, counted.kind, counted.subject, now=clock.now()
        )
        after = count_success(current, counted=counted, clear=counted.kind is SubjectKind.USER)
        repo.save_failed_logins(session, attempt.tenant_id, after)
        if current.locked_until is not None and after.locked_until is None:
            _audit_lockout(session, attempt.tenant_id, after, origin, clock)


def _audit_lockout(
    session: Session, tenant_id: uuid.UUID, counts: FailedLogins, origin: Origin, clock: Clock
) -> None:
    """A lockout started (``lockedUntil``) or lifted (null), as the platform's doing."""
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
        entity_id=f"{counts.kind}:{counts.subject}"[:64],
        before=None,
        after={"kind": counts.kind, "subject": counts.subject, "lockedUntil": counts.locked_until},
        clock=clock,
    )
