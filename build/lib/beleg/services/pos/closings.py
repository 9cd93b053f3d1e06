"""Daily closings of a cash register (seed 003 §3.6, §4.19.11-13; §7 item 25).

A receipt opens the closing of its day. Finalizing confirms the closing balance and receipt
count the user saw; they must equal the register's. Closing the month (year) appends a
MONTHLY (YEARLY) null receipt to the last, finalized closing; the first receipt of a new month
or year does so by itself (RKSV § 8: Monats- and Jahresbeleg).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.pos import closings as closings_db
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.pos.closings import DailyClosing
from beleg.domain.pos.registers import (
    ClosingState,
    ReceiptType,
    check_period_closing,
    plan_for_receipt,
)
from beleg.services.pos.chain import (
    LockedRegister,
    append_system_receipt,
    lock_register,
    open_closing,
)

ENTITY = "DailyClosing"


def prepare_day(session: Session, *, register: LockedRegister, at: datetime, clock: Clock) -> None:
    """Make the closing of ``at``'s day ready for a receipt, in the caller's transaction:
    close the previous month or year when it is over, open the day's closing when there is
    none."""
    closing = _last_closing(session, register)
    plan = plan_for_receipt(closing.as_last() if closing else None, at.date())
    if closing is not None and (plan.close_year or plan.close_month):
        _period_receipt(session, register, closing, yearly=plan.close_year, at=at, clock=clock)
    if plan.open_new:
        open_closing(session, register=register, day=at.date(), clock=clock)


def _period_receipt(
    session: Session,
    register: LockedRegister,
    closing: DailyClosing,
    *,
    yearly: bool,
    at: datetime,
    clock: Clock,
) -> None:
    """The MONTHLY or YEARLY null receipt on ``closing`` (a year end also ends its month)."""
    receipt_type = ReceiptType.YEARLY if yearly else ReceiptType.MONTHLY
    append_system_receipt(
        session,
        register=register,
        receipt_type=receipt_type,
        closing_day=closing.day,
        at=at,
        clock=clock,
    )
    closings_db.mark_period_closed(
        session,
        tenant_id=register.tenant_id,
        register_no=register.number,
        day=closing.day,
        yearly=yearly,
    )


def finalize(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    register_no: int,
    closing_balance: Decimal | None,
    total_count: int | None,
    clock: Clock,
) -> date:
    """Seed §4.19.13: the last closing is OPEN and both values equal the register's."""
    for name, value in (("closingBalance", closing_balance), ("totalCount", total_count)):
        if value is None:
            raise ValidationFailed("pos.required", field=name, name=name)
    with db.transaction() as session:
        register = lock_register(session, tenant_id=tenant_id, number=register_no, clock=clock)
        closing = _last(session, register)
        if closing.state is not ClosingState.OPEN:
            raise Conflict(
                "pos.closing_already_closed",
                field="daily_closing",
                day=closing.day,
                state=closing.state.value,
            )
        _check_counted(closing, closing_balance=closing_balance, total_count=total_count)
        closings_db.set_closing_state(
            session,
            tenant_id=tenant_id,
            register_no=register_no,
            day=closing.day,
            state=ClosingState.FINALIZED,
        )
        _audit(session, actor, register, closing.day, what="FINALIZED", clock=clock)
        return closing.day


def _check_counted(
    closing: DailyClosing, *, closing_balance: Decimal | None, total_count: int | None
) -> None:
    """What the user counted must equal what the register counts."""
    for name, want, got in (
        ("closingBalance", closing.closing_balance, closing_balance),
        ("totalCount", closing.total_count, total_count),
    ):
        if want != got:
            raise ValidationFailed(
                "pos.closing_count_mismatch", field=name, name=name, got=got, want=want
            )


def close_period(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    register_no: int,
    yearly: bool,
    clock: Clock,
) -> date:
    """Seed §4.19.11/12: a MONTHLY or YEARLY receipt on the last, finalized closing."""
    with db.transaction() as session:
        register = lock_register(session, tenant_id=tenant_id, number=register_no, clock=clock)
        closing = _last(session, register)
        check_period_closing(closing.as_last(), yearly=yearly)
        at = register.next_time
        _period_receipt(session, register, closing, yearly=yearly, at=at, clock=clock)
        what = "YEARLY" if yearly else "MONTHLY"
        _audit(session, actor, register, closing.day, what=what, clock=clock)
        return closing.day


def _last_closing(session: Session, register: LockedRegister) -> DailyClosing | None:
    return closings_db.last_closing(
        session, tenant_id=register.tenant_id, register_no=register.number
    )


def _last(session: Session, register: LockedRegister) -> DailyClosing:
    closing = _last_closing(session, register)
    if closing is None:
        raise NotFound("pos.no_closing_yet", field="daily_closing", number=register.number)
    return closing


def _audit(
    session: Session, actor: Actor, register: LockedRegister, day: date, *, what: str, clock: Clock
) -> None:
    record_change(
        session,
        actor=actor,
        tenant_id=register.tenant_id,
        action=AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=f"{register.number}/{day.isoformat()}",
        before=None,
        after={"closed": what},
        clock=clock,
    )
