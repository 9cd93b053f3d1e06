"""Per-tenant test clocks: a test-mode tenant can freeze its business time and move it forwards.

Only test-mode tenants may have one (a production tenant's documents must carry real dates).
The clock never moves backwards: billing and numbering rely on time only increasing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock, FixedClock, today_in
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import tenant_clocks, tenants
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor

ENTITY = "TestClock"


def business_clock(session: Session, *, tenant_id: uuid.UUID, system: Clock) -> Clock:
    """The clock business rules of ``tenant_id`` run on: its TestClock, else ``system``."""
    frozen = session.execute(
        select(tenant_clocks.c.frozen_at).where(tenant_clocks.c.tenant_id == tenant_id)
    ).scalar_one_or_none()
    return FixedClock(frozen) if frozen is not None else system


def read_test_clock(*, db: Database, tenant_id: uuid.UUID) -> datetime | None:
    """The frozen instant, or None when the tenant runs on system time."""
    with db.reader() as session:
        return session.execute(
            select(tenant_clocks.c.frozen_at).where(tenant_clocks.c.tenant_id == tenant_id)
        ).scalar_one_or_none()


def _current(session: Session, tenant_id: uuid.UUID) -> datetime | None:
    test_mode = session.execute(
        select(tenants.c.test_mode).where(tenants.c.id == tenant_id)
    ).scalar_one()
    if not test_mode:
        raise Conflict("only test-mode tenants can run on a test clock", field="testMode")
    return session.execute(
        select(tenant_clocks.c.frozen_at)
        .where(tenant_clocks.c.tenant_id == tenant_id)
        .with_for_update()
    ).scalar_one_or_none()


def set_test_clock(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, frozen_at: datetime, clock: Clock
) -> datetime:
    """Freeze the tenant's business time at ``frozen_at`` (not before its current time)."""
    if frozen_at.tzinfo is None:
        raise ValidationFailed("frozenAt must carry a time zone offset", field="frozenAt")
    with db.transaction() as session:
        current = _current(session, tenant_id)
        return _move(
            session, actor, tenant_id=tenant_id, current=current, target=frozen_at, clock=clock
        )


def advance_test_clock(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, by: timedelta, clock: Clock
) -> datetime:
    """Move the tenant's frozen time forwards by ``by`` (from system time if not yet frozen)."""
    if by <= timedelta(0):
        raise ValidationFailed(
            "the clock can only be advanced by a positive duration", field="seconds"
        )
    with db.transaction() as session:
        current = _current(session, tenant_id)
        start = current if current is not None else clock.now()
        try:
            target = start + by
        except OverflowError:
            raise ValidationFailed(
                "advancing by this much passes the year 9999", field="seconds"
            ) from None
        return _move(
            session, actor, tenant_id=tenant_id, current=current, target=target, clock=clock
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
            f"the test clock cannot go back from {current.isoformat()}", field="frozenAt"
        )
    values: dict[str, Any] = {"frozen_at": target, "updated_at": clock.now()}
    if current is None:
        session.execute(insert(tenant_clocks).values(tenant_id=tenant_id, **values))
    else:
        session.execute(
            update(tenant_clocks).where(tenant_clocks.c.tenant_id == tenant_id).values(**values)
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
    run backwards)."""
    with db.transaction() as session:
        current = _current(session, tenant_id)
        if current is None:
            return
        if current > clock.now():
            raise Conflict(
                "the test clock is ahead of system time; releasing it would move time backwards",
                field="frozenAt",
            )
        session.execute(delete(tenant_clocks).where(tenant_clocks.c.tenant_id == tenant_id))
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
        timezone = session.execute(
            select(tenants.c.timezone).where(tenants.c.id == tenant_id)
        ).scalar_one()
        return today_in(business_clock(session, tenant_id=tenant_id, system=system), timezone)
