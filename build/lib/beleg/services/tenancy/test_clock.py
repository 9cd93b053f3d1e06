"""Per-tenant test clocks: a test-mode tenant can freeze its business time and move it forwards.

Only test-mode tenants may have one (a production tenant's documents must carry real dates).
The clock never moves backwards: billing and numbering rely on time only increasing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from beleg.clock import Clock, today_in
from beleg.db import Session
from beleg.db import tenancy as repo
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.domain import dates
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor

ENTITY = "TestClock"


def read_test_clock(*, db: Database, tenant_id: uuid.UUID) -> datetime | None:
    """The frozen instant, or None when the tenant runs on system time."""
    with db.reader() as session:
        return repo.frozen_at(session, tenant_id)


def _current(session: Session, tenant_id: uuid.UUID) -> datetime | None:
    """The frozen instant, locked; only test-mode tenants have a test clock."""
    if not repo.tenant_by_id(session, tenant_id).test_mode:
        raise Conflict("tenancy.test_clock_needs_test_mode", field="testMode")
    return repo.frozen_at(session, tenant_id, lock=True)


def set_test_clock(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, frozen_at: datetime, clock: Clock
) -> datetime:
    """Freeze the tenant's business time at ``frozen_at`` (not before its current time)."""
    if frozen_at.tzinfo is None:
        raise ValidationFailed("tenancy.test_clock_needs_offset", field="frozenAt")
    with db.transaction() as session:
        current = _current(session, tenant_id)
        return _move(
            session,
            actor,
            tenant_id=tenant_id,
            current=current,
            target=dates.check_date(frozen_at, "frozenAt"),
            clock=clock,
        )


def advance_test_clock(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, by: timedelta, clock: Clock
) -> datetime:
    """Move the tenant's frozen time forwards by ``by`` (from system time if not yet frozen)."""
    if by <= timedelta(0):
        raise ValidationFailed("tenancy.test_clock_forwards_only", field="seconds")
    with db.transaction() as session:
        current = _current(session, tenant_id)
        start = current if current is not None else clock.now()
        try:
            target = start + by
        except OverflowError:
            raise ValidationFailed("tenancy.test_clock_overflow", field="seconds") from None
        return _move(
            session,
            actor,
            tenant_id=tenant_id,
            current=current,
            # issue 12, finding 6: never past 2199; named by the part of the step that moves
            target=dates.check_date(target, "days" if by.days else "seconds"),
            clock=clock,
        )


def _move(
    session: Session,
    actor: Actor,
    *,
    tenant_id: uuid.UUID,
    current: datetime | None,
    target: datetime,
    clock: Clock,
) -> datetime:
    if current is not None and target < current:
        raise Conflict(
            "tenancy.test_clock_backwards", field="frozenAt", current=current.isoformat()
        )
    repo.set_frozen_at(
        session, tenant_id, target=target, exists=current is not None, now=clock.now()
    )
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE if current is None else AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=tenant_id,
        before=None if current is None else {"frozenAt": current},
        after={"frozenAt": target},
        clock=clock,
    )
    return target


def release_test_clock(*, db: Database, actor: Actor, tenant_id: uuid.UUID, clock: Clock) -> None:
    """Return to system time; refused while the frozen time is ahead of it (time would
    run backwards), unless it lies outside the business date range: a clock frozen at 9999
    before that range held must not keep its tenant stuck (issue 12, finding 6)."""
    with db.transaction() as session:
        current = _current(session, tenant_id)
        if current is None:
            return
        if current > clock.now() and dates.in_range(current):
            raise Conflict("tenancy.test_clock_ahead", field="frozenAt")
        repo.release_clock(session, tenant_id)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type=ENTITY,
            entity_id=tenant_id,
            before={"frozenAt": current},
            after=None,
            clock=clock,
        )


def business_today(*, db: Database, tenant_id: uuid.UUID, system: Clock) -> date:
    """Today in the tenant's time zone, on its TestClock if it runs on one."""
    with db.reader() as session:
        timezone = repo.tenant_timezone(session, tenant_id)
        return today_in(repo.business_clock(session, tenant_id=tenant_id, system=system), timezone)
