"""Daily closings of the cash registers: the last one of a register, opening one, counting
a receipt in it, finalizing it and marking its month or year closed."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import cash_daily_closings
from beleg.domain.pos.closings import DailyClosing
from beleg.domain.pos.registers import ClosingState, ReceiptType


def last_closing(
    session: Session, *, tenant_id: uuid.UUID, register_no: int
) -> DailyClosing | None:
    """The register's latest daily closing, if it has one."""
    c = cash_daily_closings.c
    row = session.execute(
        select(cash_daily_closings)
        .where(c.tenant_id == tenant_id, c.register_no == register_no)
        .order_by(c.day.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return DailyClosing(
        register_no=row.register_no,
        day=row.day,
        state=ClosingState(row.state),
        opening_balance=row.opening_balance,
        closing_balance=row.closing_balance,
        created_at=row.created_at,
        income_count=row.income_count,
        rebook_count=row.rebook_count,
        other_count=row.other_count,
        monthly=row.monthly,
        yearly=row.yearly,
    )


def insert_closing(session: Session, *, tenant_id: uuid.UUID, closing: DailyClosing) -> None:
    session.execute(
        insert(cash_daily_closings).values(
            tenant_id=tenant_id,
            register_no=closing.register_no,
            day=closing.day,
            state=closing.state.value,
            opening_balance=closing.opening_balance,
            closing_balance=closing.closing_balance,
            income_count=closing.income_count,
            rebook_count=closing.rebook_count,
            other_count=closing.other_count,
            monthly=closing.monthly,
            yearly=closing.yearly,
            created_at=closing.created_at,
        )
    )


COUNT_COLUMN = {ReceiptType.INCOME: "income_count", ReceiptType.REBOOK: "rebook_count"}


def count_receipt(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    register_no: int,
    day: date,
    receipt_type: ReceiptType,
    balance: Decimal,
) -> None:
    """Count a receipt in the closing of ``day`` (by kind), whose balance is now ``balance``."""
    column = COUNT_COLUMN.get(receipt_type, "other_count")
    table = cash_daily_closings
    session.execute(
        update(table)
        .where(
            table.c.tenant_id == tenant_id, table.c.register_no == register_no, table.c.day == day
        )
        .values({column: table.c[column] + 1, "closing_balance": balance})
    )


def set_closing_state(
    session: Session, *, tenant_id: uuid.UUID, register_no: int, day: date, state: ClosingState
) -> None:
    _update_closing(session, tenant_id, register_no, day, {"state": state.value})


def mark_period_closed(
    session: Session, *, tenant_id: uuid.UUID, register_no: int, day: date, yearly: bool
) -> None:
    """The closing of ``day`` closes its month, or its year (and so its month too)."""
    flags = {"monthly": True, "yearly": True} if yearly else {"monthly": True}
    _update_closing(session, tenant_id, register_no, day, flags)


def _update_closing(
    session: Session, tenant_id: uuid.UUID, register_no: int, day: date, values: dict[str, Any]
) -> None:
    table = cash_daily_closings
    session.execute(
        update(table)
        .where(
            table.c.tenant_id == tenant_id, table.c.register_no == register_no, table.c.day == day
        )
        .values(**values)
    )
