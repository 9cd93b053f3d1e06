"""Cash registers, receipts and daily closings as seed 003 CashRegisterDto, ReceiptDto,
DailyClosingDto and CashRegisterLayoutDto; the RKSV export (DEP7) and registration data.

Receipt times are the tenant's local wall time, as signed (RKSV ``Beleg-Datum-Uhrzeit``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.database import Database
from beleg.db.tables import (
    cash_daily_closings,
    cash_receipts,
    cash_register_keys,
    cash_registers,
    tenants,
)
from beleg.domain.errors import NotFound
from beleg.formats import rksv
from beleg.formats.receipt_print import receipt_dto

LISTED_STATES = ("ACTIVE", "TEST")


def register_dto(row: Any) -> dict[str, Any]:
    out = {
        "id": row.number,
        "name": row.name,
        "group": row.register_group,
        "state": row.state,
        "currentBalance": row.balance,
        "allowPastIncome": row.allow_past_income,
        "enableDrawback": row.enable_drawback,
        "defaultRegister": row.default_register,
        "bankAccountId": str(row.bank_account_id) if row.bank_account_id else None,
    }
    return {k: v for k, v in out.items() if v is not None}


def list_registers(
    *, db: Database, tenant_id: uuid.UUID, all_states: bool = False
) -> list[dict[str, Any]]:
    """Seed §4.19.2 lists the registers that take receipts; ``all_states`` lists every one."""
    query = select(cash_registers).where(cash_registers.c.tenant_id == tenant_id)
    if not all_states:
        query = query.where(cash_registers.c.state.in_(LISTED_STATES))
    with db.reader() as session:
        rows = session.execute(query.order_by(cash_registers.c.number)).all()
    return [register_dto(r) for r in rows]


def register_row(session: Session, tenant_id: uuid.UUID, number: int) -> Any:
    row = session.execute(
        select(cash_registers).where(
            cash_registers.c.tenant_id == tenant_id, cash_registers.c.number == number
        )
    ).one_or_none()
    if row is None:
        raise NotFound("pos.register_not_found", field="cash_register", number=number)
    return row


def get_register(*, db: Database, tenant_id: uuid.UUID, number: int) -> dict[str, Any]:
    with db.reader() as session:
        return register_dto(register_row(session, tenant_id, number))


def get_layout(*, db: Database, tenant_id: uuid.UUID, number: int) -> dict[str, Any]:
    with db.reader() as session:
        return dict(register_row(session, tenant_id, number).layout)


def tenant_zone(session: Session, tenant_id: uuid.UUID) -> ZoneInfo:
    return ZoneInfo(
        session.execute(select(tenants.c.timezone).where(tenants.c.id == tenant_id)).scalar_one()
    )


def list_receipts(
    *, db: Database, tenant_id: uuid.UUID, number: int, since: date | None, until: date | None
) -> list[dict[str, Any]]:
    """Seed §4.19.1: receipts of a register by date (inclusive), in the order written."""
    with db.reader() as session:
        register_row(session, tenant_id, number)
        query = select(cash_receipts).where(
            cash_receipts.c.tenant_id == tenant_id, cash_receipts.c.register_no == number
        )
        if since is not None:
            query = query.where(cash_receipts.c.date_time >= datetime.combine(since, time()))
        if until is not None:
            query = query.where(
                cash_receipts.c.date_time < datetime.combine(until + timedelta(days=1), time())
            )
        rows = session.execute(query.order_by(cash_receipts.c.position)).all()
        zone = tenant_zone(session, tenant_id)
    return [receipt_dto(r, zone) for r in rows]


def get_receipt(*, db: Database, tenant_id: uuid.UUID, number: int, receipt: str) -> dict[str, Any]:
    with db.reader() as session:
        register_row(session, tenant_id, number)
        row = session.execute(
            select(cash_receipts).where(
                cash_receipts.c.tenant_id == tenant_id,
                cash_receipts.c.register_no == number,
                cash_receipts.c.number == receipt,
            )
        ).one_or_none()
        if row is None:
            raise NotFound(
                "pos.receipt_not_found", field="receipt", receipt=receipt, register=number
            )
        return receipt_dto(row, tenant_zone(session, tenant_id))


def closing_dto(row: Any) -> dict[str, Any]:
    return {
        "id": row.day,
        "creationDate": row.created_at,
        "state": row.state,
        "openingBalance": row.opening_balance,
        "closingBalance": row.closing_balance,
        "incomeCount": row.income_count,
        "rebookCount": row.rebook_count,
        "otherCount": row.other_count,
        "totalCount": row.income_count + row.rebook_count + row.other_count,
        "monthlyClosing": row.monthly,
        "yearlyClosing": row.yearly,
    }


def list_closings(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    number: int,
    since: date | None,
    until: date | None,
    limit: int | None,
) -> list[dict[str, Any]]:
    """Seed §4.19.3: newest first."""
    table = cash_daily_closings
    query = select(table).where(table.c.tenant_id == tenant_id, table.c.register_no == number)
    if since is not None:
        query = query.where(table.c.day >= since)
    if until is not None:
        query = query.where(table.c.day <= until)
    query = query.order_by(table.c.day.desc())
    if limit is not None:
        query = query.limit(limit)
    with db.reader() as session:
        register_row(session, tenant_id, number)
        return [closing_dto(r) for r in session.execute(query).all()]


def get_closing(
    *, db: Database, tenant_id: uuid.UUID, number: int, day: date | None
) -> dict[str, Any]:
    """A closing by date, or the last one (``day`` None)."""
    table = cash_daily_closings
    query = select(table).where(table.c.tenant_id == tenant_id, table.c.register_no == number)
    query = (
        query.where(table.c.day == day)
        if day is not None
        else query.order_by(table.c.day.desc()).limit(1)
    )
    with db.reader() as session:
        register_row(session, tenant_id, number)
        row = session.execute(query).one_or_none()
    if row is None:
        raise NotFound("pos.closing_not_found", field="daily_closing")
    return closing_dto(row)


def dep_export(*, db: Database, tenant_id: uuid.UUID, number: int) -> dict[str, object]:
    """RKSV § 7 export (DEP7): every signed receipt of the register, in chain order."""
    with db.reader() as session:
        register_row(session, tenant_id, number)
        receipts = session.execute(
            select(cash_receipts.c.jws)
            .where(
                cash_receipts.c.tenant_id == tenant_id,
                cash_receipts.c.register_no == number,
                cash_receipts.c.jws.is_not(None),
            )
            .order_by(cash_receipts.c.position)
        ).scalars()
        return rksv.dep7(list(receipts))


def registration(*, db: Database, tenant_id: uuid.UUID, number: int) -> dict[str, Any]:
    """What FinanzOnline registration needs (RKSV § 16): key id, public key, AES key."""
    with db.reader() as session:
        row = register_row(session, tenant_id, number)
        keys = session.execute(
            select(cash_register_keys).where(
                cash_register_keys.c.tenant_id == tenant_id,
                cash_register_keys.c.register_no == number,
            )
        ).one_or_none()
    if keys is None:
        raise NotFound("pos.not_commissioned", field="cash_register", number=number)
    return {
        "registerId": str(number),
        "signatureSuite": f"{rksv.SUITE}-AT0",
        "keyId": row.key_id,
        "publicKey": keys.public_pem,
        "aesKey": keys.aes_key,
        "turnoverCounterBytes": rksv.COUNTER_BYTES,
    }
