"""A tenant's security settings and brute-force protection (issue 4, seeds 000-002).

Failed logins are counted per user name and per client address. When either reaches the
tenant's threshold it is locked for the lockout duration (audited as ``Lockout``); a correct
login during a lockout is refused too. A successful login clears the user name's count.
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
    SecurityPolicy,
    SubjectKind,
    changed_policy,
    count_failure,
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


def record_failure(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    subjects: Mapping[SubjectKind, str],
    policy: SecurityPolicy,
    origin: Origin,
    clock: Clock,
) -> None:
    """Count a failed login for each subject; lock (and audit) those that reach the
    threshold. Runs in the caller's transaction, the sign-in's."""
    now = clock.now()
    for kind, subject in subjects.items():
        previous = repo.locked_failed_logins(session, tenant_id, kind, subject)
        counts = count_failure(previous, kind=kind, subject=subject, policy=policy, now=now)
        repo.save_failed_logins(session, tenant_id, counts, new=previous is None)
        if counts.locked_until is None:
            continue
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
            after={"kind": kind, "subject": subject, "lockedUntil": counts.locked_until},
            clock=clock,
        )
