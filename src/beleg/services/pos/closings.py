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
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import cash_daily_closings
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.pos.registers import (
    ClosingState,
    ReceiptType,
    check_period_closing,
    plan_for_receipt,
)
from beleg.services.pos.chain import (
    Register,
    as_last,
    last_closing,
    lock_register,
    open_closing,
    system_receipt,
)

ENTITY = "DailyClosing"


def prepare_day(session: Session, reg: Register, at: datetime, clock: Clock) -> None:
    """Make the closing of ``at``'s day ready for a receipt: close the previous month or
    year when it is over, open the day's closing when there is none."""
    closing = last_closing(session, reg)
    plan = plan_for_receipt(as_last(closing), at.date())
    if closing is not None and (plan.close_year or plan.close_month):
        _period_receipt(session, reg, closing, yearly=plan.close_year, at=at, clock=clock)
    if plan.open_new:
        open_closing(session, reg, at.date(), clock)


def _period_receipt(
    session: Session,
    reg: Register,
    closing: dict[str, Any],
    *,
    yearly: bool,
    at: datetime,
    clock: Clock,
) -> None:
    """The MONTHLY or YEARLY null receipt on ``closing`` (a year end also ends its month)."""
    receipt_type = ReceiptType.YEARLY if yearly else ReceiptType.MONTHLY
    system_receipt(session, reg, receipt_type, closing_day=closing["day"], at=at, clock=clock)
    flags = {"monthly": True, "yearly": True} if yearly else {"monthly": True}
    _update(session, reg, closing["day"], flags)


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
            raise ValidationFailed(f"{name} is required", de=f"{name} ist erforderlich", field=name)
    with db.transaction() as session:
        reg = lock_register(session, tenant_id, register_no, clock)
        closing = _last(session, reg)
        if closing["state"] != ClosingState.OPEN:
            raise Conflict(
                f"the last daily closing ({closing['day']}) is already {closing['state']}",
                de="Der letzte Tagesabschluss ist bereits abgeschlossen",
                field="daily_closing",
            )
        counted = closing["income_count"] + closing["rebook_count"] + closing["other_count"]
        for name, want, got in (
            ("closingBalance", closing["closing_balance"], closing_balance),
            ("totalCount", counted, total_count),
        ):
            if want != got:
                raise ValidationFailed(
                    f"{name} is {got} but the register counts {want}",
                    de=f"{name} ist {got}, die Kassa zählt {want}",
                    field=name,
                )
        _update(session, reg, closing["day"], {"state": ClosingState.FINALIZED.value})
        _audit(session, actor, reg, closing["day"], what="FINALIZED", clock=clock)
        return closing["day"]


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
        reg = lock_register(session, tenant_id, register_no, clock)
        closing = _last(session, reg)
        check_period_closing(as_last(closing), yearly=yearly)
        at = max(reg.now, reg.row["last_receipt_at"] or reg.now)
        _period_receipt(session, reg, closing, yearly=yearly, at=at, clock=clock)
        _audit(
            session, actor, reg, closing["day"], what="YEARLY" if yearly else "MONTHLY", clock=clock
        )
        return closing["day"]


def _last(session: Session, reg: Register) -> dict[str, Any]:
    closing = last_closing(session, reg)
    if closing is None:
        raise NotFound(
            f"cash register {reg.number} has no daily closing yet",
            de="Tagesabschluss nicht gefunden.",
            field="daily_closing",
        )
    return closing


def _update(session: Session, reg: Register, day: date, values: dict[str, Any]) -> None:
    table = cash_daily_closings
    session.execute(
        update(table)
        .where(
            table.c.tenant_id == reg.tenant_id,
            table.c.register_no == reg.number,
            table.c.day == day,
        )
        .values(**values)
    )


def _audit(
    session: Session, actor: Actor, reg: Register, day: date, *, what: str, clock: Clock
) -> None:
    record_change(
        session,
        actor=actor,
        tenant_id=reg.tenant_id,
        action=AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=f"{reg.number}/{day.isoformat()}",
        before=None,
        after={"closed": what},
        clock=clock,
    )
