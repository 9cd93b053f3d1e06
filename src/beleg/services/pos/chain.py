"""A register's receipt chain: lock the register, number, sign and store a receipt, and keep
the register's balance, turnover counter and the daily closing's counts in step.

Everything runs in the caller's transaction. The register row is locked first (FOR UPDATE;
SQLite's single writer does the same), so receipts of one register are strictly sequential:
each signature chains to the previous one (RKSV Anlage, Sig-Voriger-Beleg).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db import sequences
from beleg.db.tables import (
    cash_daily_closings,
    cash_receipts,
    cash_register_keys,
    cash_registers,
    tenants,
)
from beleg.db.tenancy import business_clock
from beleg.domain.errors import NotFound
from beleg.domain.pos.registers import (
    ClosingState,
    LastClosing,
    ReceiptType,
    RegisterState,
    new_balance,
    receipt_number,
)
from beleg.formats import rksv

ZERO = Decimal("0.00")
NO_TURNOVER = (ZERO, ZERO, ZERO, ZERO, ZERO)


@dataclass(slots=True)
class Register:
    """A locked register row (as a dict, kept current) and the tenant's local time."""

    row: dict[str, Any]
    now: datetime  # local wall time of the tenant's business clock, no zone

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.row["tenant_id"]

    @property
    def number(self) -> int:
        return self.row["number"]

    @property
    def state(self) -> RegisterState:
        return RegisterState(self.row["state"])


def lock_register(
    session: Session,
    tenant_id: uuid.UUID,
    number: int,
    clock: Clock,
    *,
    field: str = "cash_register",
) -> Register:
    row = session.execute(
        select(cash_registers)
        .where(cash_registers.c.tenant_id == tenant_id, cash_registers.c.number == number)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(
            f"cash register {number} does not exist",
            de=f"Kassa {number} nicht gefunden.",
            field=field,
        )
    zone = session.execute(select(tenants.c.timezone).where(tenants.c.id == tenant_id)).scalar_one()
    now = business_clock(session, tenant_id=tenant_id, system=clock).now()
    local = now.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
    return Register(dict(row._mapping), local)


def last_closing(session: Session, reg: Register) -> dict[str, Any] | None:
    row = session.execute(
        select(cash_daily_closings)
        .where(
            cash_daily_closings.c.tenant_id == reg.tenant_id,
            cash_daily_closings.c.register_no == reg.number,
        )
        .order_by(cash_daily_closings.c.day.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else dict(row._mapping)


def as_last(closing: dict[str, Any] | None) -> LastClosing | None:
    if closing is None:
        return None
    return LastClosing(
        closing["day"], ClosingState(closing["state"]), closing["monthly"], closing["yearly"]
    )


def open_closing(session: Session, reg: Register, day: date, clock: Clock) -> None:
    balance = reg.row["balance"]
    session.execute(
        insert(cash_daily_closings).values(
            tenant_id=reg.tenant_id,
            register_no=reg.number,
            day=day,
            state=ClosingState.OPEN.value,
            opening_balance=balance,
            closing_balance=balance,
            income_count=0,
            rebook_count=0,
            other_count=0,
            monthly=False,
            yearly=False,
            created_at=clock.now(),
        )
    )


def next_number(
    session: Session, reg: Register, receipt_type: ReceiptType, year: int
) -> tuple[str, int]:
    """The receipt's number and sequence: per register, number series and calendar year."""
    sequence = sequences.allocate(
        session,
        tenant_id=reg.tenant_id,
        series=sequences.receipt_series(reg.number, receipt_type.series),
        period=f"{year:04d}",
    )
    return receipt_number(receipt_type, year, sequence), sequence


@dataclass(frozen=True, slots=True)
class NewReceipt:
    """What a receipt records; ``cash`` is how it changes the register's balance."""

    receipt_type: ReceiptType
    date_time: datetime
    closing_day: date | None
    total: Decimal
    cash: Decimal
    buckets: tuple[Decimal, Decimal, Decimal, Decimal, Decimal] = NO_TURNOVER
    lines: tuple[dict[str, Any], ...] = ()
    party: dict[str, Any] | None = None
    from_account: str | None = None
    to_account: str | None = None
    description: str | None = None
    cancels: str | None = None
    journal_id: uuid.UUID | None = None
    document_id: uuid.UUID | None = None


def append_receipt(
    session: Session,
    reg: Register,
    receipt: NewReceipt,
    *,
    number: str,
    sequence: int,
    clock: Clock,
) -> dict[str, Any]:
    """Sign (when the type is signed) and store ``receipt`` as ``number``; update the
    register and the receipt's daily closing. Returns the stored row."""
    balance = new_balance(reg.row["balance"], receipt.cash)
    jws, qr = (
        _signed(session, reg, receipt, number) if receipt.receipt_type.signed else (None, None)
    )
    position = sequences.allocate(
        session, tenant_id=reg.tenant_id, series=sequences.receipt_position_series(reg.number)
    )
    row = {
        "tenant_id": reg.tenant_id,
        "register_no": reg.number,
        "number": number,
        "position": position,
        "receipt_type": receipt.receipt_type.value,
        "series": receipt.receipt_type.series,
        "year": receipt.date_time.year,
        "sequence": sequence,
        "date_time": receipt.date_time,
        "closing_day": receipt.closing_day,
        "created_at": clock.now(),
        "total": receipt.total,
        "lines": list(receipt.lines),
        "party": receipt.party or {},
        "from_account": receipt.from_account,
        "to_account": receipt.to_account,
        "description": receipt.description,
        "cancels": receipt.cancels,
        "cancelled_by": None,
        "jws": jws,
        "qr_code": qr,
        "journal_id": receipt.journal_id,
        "document_id": receipt.document_id,
    }
    session.execute(insert(cash_receipts).values(**row))
    reg.row.update(balance=balance, last_receipt_at=receipt.date_time, updated_at=clock.now())
    session.execute(
        update(cash_registers)
        .where(cash_registers.c.tenant_id == reg.tenant_id, cash_registers.c.number == reg.number)
        .values(
            balance=balance,
            turnover_cents=reg.row["turnover_cents"],
            last_jws=reg.row["last_jws"],
            last_receipt_at=receipt.date_time,
            updated_at=clock.now(),
        )
    )
    if receipt.closing_day is not None:
        _count(session, reg, receipt.receipt_type, receipt.closing_day, balance)
    return row


def system_receipt(
    session: Session,
    reg: Register,
    receipt_type: ReceiptType,
    *,
    closing_day: date | None,
    at: datetime,
    clock: Clock,
) -> None:
    """A null receipt of the chain: INITIAL, MONTHLY, YEARLY or FINAL (RKSV §§ 6, 8)."""
    number, sequence = next_number(session, reg, receipt_type, at.year)
    append_receipt(
        session,
        reg,
        NewReceipt(receipt_type, at, closing_day, ZERO, ZERO),
        number=number,
        sequence=sequence,
        clock=clock,
    )


def _signed(session: Session, reg: Register, receipt: NewReceipt, number: str) -> tuple[str, str]:
    """RKSV: the turnover counter moves by every signed receipt's total (a cancellation's
    negative total included, shown as STO); training receipts (test register) show TRA and
    leave it alone."""
    keys = session.execute(
        select(cash_register_keys).where(
            cash_register_keys.c.tenant_id == reg.tenant_id,
            cash_register_keys.c.register_no == reg.number,
        )
    ).one()
    register_id = str(reg.number)
    if reg.state is RegisterState.TEST:
        turnover = rksv.TRAINING
    else:
        reg.row["turnover_cents"] += int(sum(receipt.buckets, ZERO) * 100)
        turnover = (
            rksv.STORNO
            if receipt.cancels
            else rksv.encrypt_turnover(reg.row["turnover_cents"], keys.aes_key, register_id, number)
        )
    signed = rksv.sign_receipt(
        rksv.ReceiptData(register_id, number, receipt.date_time, receipt.buckets),
        turnover=turnover,
        device=rksv.SoftwareDevice(keys.private_pem, reg.row["key_id"]),
        previous_jws=reg.row["last_jws"],
    )
    reg.row["last_jws"] = signed.jws
    return signed.jws, signed.qr_code


COUNT_COLUMN = {ReceiptType.INCOME: "income_count", ReceiptType.REBOOK: "rebook_count"}


def _count(
    session: Session, reg: Register, receipt_type: ReceiptType, day: date, balance: Decimal
) -> None:
    column = COUNT_COLUMN.get(receipt_type, "other_count")
    table = cash_daily_closings
    session.execute(
        update(table)
        .where(
            table.c.tenant_id == reg.tenant_id,
            table.c.register_no == reg.number,
            table.c.day == day,
        )
        .values({column: table.c[column] + 1, "closing_balance": balance})
    )
