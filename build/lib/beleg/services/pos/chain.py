"""A register's receipt chain, steps that the register, receipt, closing and payment use cases
compose: lock the register, number, sign and store a receipt, and keep the register's
balance, turnover counter and the daily closing's counts in step.

Everything runs in the caller's transaction. The register row is locked first (FOR UPDATE;
SQLite's single writer does the same), so receipts of one register are strictly sequential:
each signature chains to the previous one (RKSV Anlage, Sig-Voriger-Beleg).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from beleg.clock import Clock
from beleg.db import Session, sequences
from beleg.db.pos import closings as closings_db
from beleg.db.pos import receipts as receipts_db
from beleg.db.pos import registers as registers_db
from beleg.db.tenancy import business_clock
from beleg.domain.pos.closings import DailyClosing
from beleg.domain.pos.receipts import ZERO, NewReceipt, Receipt
from beleg.domain.pos.registers import (
    ClosingState,
    ReceiptType,
    Register,
    RegisterState,
    check_receipt_time,
    new_balance,
    receipt_number,
)
from beleg.formats import rksv


@dataclass(slots=True)
class LockedRegister:
    """A register locked for one operation, and the tenant's local wall time (no zone).

    A working object, mutable by design: ``register`` is the stored record as this operation
    has changed it so far; every step that writes the register row replaces it with the new
    record (``dataclasses.replace``), so later steps of the same operation see the balance,
    turnover counter and last signature that the earlier ones left."""

    register: Register
    now: datetime

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.register.tenant_id

    @property
    def number(self) -> int:
        return self.register.number

    @property
    def state(self) -> RegisterState:
        return self.register.state

    @property
    def next_time(self) -> datetime:
        """When a system or cancellation receipt is dated: now, or the last receipt's time if
        that is later (a register's receipts never go back in time)."""
        last = self.register.last_receipt_at
        return self.now if last is None else max(self.now, last)

    def receipt_time(self, requested: datetime | None) -> datetime:
        """When a receipt that asks for ``requested`` (None: now) is dated, by the register's
        rules (``check_receipt_time``)."""
        return check_receipt_time(
            requested,
            now=self.now,
            last_receipt=self.register.last_receipt_at,
            allow_past=self.register.settings.allow_past_income,
        )


def lock_register(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    number: int,
    clock: Clock,
    field: str = "cash_register",
) -> LockedRegister:
    """Lock register ``number`` for the caller's transaction (NotFound naming ``field``)."""
    register = registers_db.lock_register(session, tenant_id=tenant_id, number=number, field=field)
    zone = registers_db.tenant_timezone(session, tenant_id=tenant_id)
    now = business_clock(session, tenant_id=tenant_id, system=clock).now()
    local = now.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
    return LockedRegister(register, local)


def save_register(
    session: Session, *, register: LockedRegister, changed: Register, clock: Clock
) -> None:
    """Write ``changed`` (a new record of ``register``) in the caller's transaction; it is the
    locked register's record from now on."""
    registers_db.save_register(session, register=changed, updated_at=clock.now())
    register.register = changed


def open_closing(session: Session, *, register: LockedRegister, day: date, clock: Clock) -> None:
    """Open the daily closing of ``day`` with the register's balance, in the caller's
    transaction."""
    balance = register.register.balance
    closings_db.insert_closing(
        session,
        tenant_id=register.tenant_id,
        closing=DailyClosing(
            register.number, day, ClosingState.OPEN, balance, balance, created_at=clock.now()
        ),
    )


def next_number(
    session: Session, *, register: LockedRegister, receipt_type: ReceiptType, year: int
) -> tuple[str, int]:
    """The receipt's number and sequence, per register, number series and calendar year, from
    the one allocator in the caller's transaction."""
    sequence = sequences.allocate(
        session,
        tenant_id=register.tenant_id,
        series=sequences.receipt_series(register.number, receipt_type.series),
        period=f"{year:04d}",
    )
    return receipt_number(receipt_type, year, sequence), sequence


def append_receipt(
    session: Session,
    *,
    register: LockedRegister,
    receipt: NewReceipt,
    number: str,
    sequence: int,
    clock: Clock,
) -> Receipt:
    """Sign (when the type is signed) and store ``receipt`` as ``number``; update the
    register and the receipt's daily closing, in the caller's transaction. Returns the
    stored receipt."""
    current = register.register
    changed = replace(
        current,
        balance=new_balance(current.balance, receipt.cash),
        last_receipt_at=receipt.date_time,
    )
    signed = None
    if receipt.receipt_type.signed:
        changed, signed = _signed(session, changed, receipt, number)
    position = sequences.allocate(
        session,
        tenant_id=register.tenant_id,
        series=sequences.receipt_position_series(register.number),
    )
    stored = receipt.stored(
        register_no=register.number,
        number=number,
        position=position,
        sequence=sequence,
        created_at=clock.now(),
        jws=signed.jws if signed else None,
        qr_code=signed.qr_code if signed else None,
    )
    receipts_db.insert_receipt(session, tenant_id=register.tenant_id, receipt=stored)
    save_register(session, register=register, changed=changed, clock=clock)
    _count(session, register, stored)
    return stored


def _count(session: Session, register: LockedRegister, receipt: Receipt) -> None:
    """Count ``receipt`` in its daily closing, which now ends with the register's balance."""
    if receipt.closing_day is not None:
        closings_db.count_receipt(
            session,
            tenant_id=register.tenant_id,
            register_no=register.number,
            day=receipt.closing_day,
            receipt_type=receipt.receipt_type,
            balance=register.register.balance,
        )


def append_system_receipt(
    session: Session,
    *,
    register: LockedRegister,
    receipt_type: ReceiptType,
    closing_day: date | None,
    at: datetime,
    clock: Clock,
) -> Receipt:
    """A null receipt of the chain: INITIAL, MONTHLY, YEARLY or FINAL (RKSV §§ 6, 8), in the
    caller's transaction."""
    number, sequence = next_number(
        session, register=register, receipt_type=receipt_type, year=at.year
    )
    return append_receipt(
        session,
        register=register,
        receipt=NewReceipt(receipt_type, at, closing_day, ZERO),
        number=number,
        sequence=sequence,
        clock=clock,
    )


def _signed(
    session: Session, register: Register, receipt: NewReceipt, number: str
) -> tuple[Register, rksv.SignedReceipt]:
    """RKSV: the turnover counter moves by every signed receipt's total (a cancellation's
    negative total included, shown as STO); training receipts (test register) show TRA and
    leave it alone. Returns the register with its new counter and last signature."""
    keys = registers_db.signing_keys(
        session, tenant_id=register.tenant_id, register_no=register.number
    )
    register_id = str(register.number)
    if register.state is RegisterState.TEST:
        turnover = rksv.TRAINING
    else:
        register = replace(
            register,
            turnover_cents=register.turnover_cents + int(sum(receipt.buckets, ZERO) * 100),
        )
        turnover = (
            rksv.STORNO
            if receipt.cancels
            else rksv.encrypt_turnover(register.turnover_cents, keys.aes_key, register_id, number)
        )
    if register.key_id is None:
        raise ValueError(f"cash register {register.number} signs without a key id")
    signed = rksv.sign_receipt(
        rksv.ReceiptData(register_id, number, receipt.date_time, receipt.buckets),
        turnover=turnover,
        device=rksv.SoftwareDevice(keys.private_pem, register.key_id),
        previous_jws=register.last_jws,
    )
    return replace(register, last_jws=signed.jws), signed
