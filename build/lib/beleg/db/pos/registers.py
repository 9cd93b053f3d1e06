"""Cash registers and their signing keys, and what a register needs to know of its tenant
(country, time zone) and of the bank account it books cash to. The register's layout is
stored as given (CashRegisterLayoutDto, JSON)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import bank_accounts, cash_register_keys, cash_registers, tenants
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.pos.registers import Register, RegisterSettings, RegisterState, SigningKeys


def tenant_country(session: Session, *, tenant_id: uuid.UUID) -> str:
    country: str = session.execute(
        select(tenants.c.country).where(tenants.c.id == tenant_id)
    ).scalar_one()
    return country


def tenant_timezone(session: Session, *, tenant_id: uuid.UUID) -> str:
    """The IANA zone of the tenant's local time (receipts are signed in it)."""
    zone: str = session.execute(
        select(tenants.c.timezone).where(tenants.c.id == tenant_id)
    ).scalar_one()
    return zone


def bank_account_code(
    session: Session, *, tenant_id: uuid.UUID, bank_account_id: uuid.UUID
) -> str | None:
    """The U account of a means of payment, or None if the tenant has no such bank account."""
    code: str | None = session.execute(
        select(bank_accounts.c.account_code).where(
            bank_accounts.c.tenant_id == tenant_id, bank_accounts.c.id == bank_account_id
        )
    ).scalar_one_or_none()
    return code


def register_holding(
    session: Session, *, tenant_id: uuid.UUID, cash_account: str, other_than: int
) -> int | None:
    """The register, other than ``other_than`` and not LOCKED, that books to ``cash_account``."""
    r = cash_registers.c
    number: int | None = session.execute(
        select(r.number).where(
            r.tenant_id == tenant_id,
            r.cash_account == cash_account,
            r.number != other_than,
            r.state != RegisterState.LOCKED.value,
        )
    ).scalar_one_or_none()
    return number


def register_exists(session: Session, *, tenant_id: uuid.UUID, number: int) -> bool:
    r = cash_registers.c
    return bool(
        session.execute(
            select(exists().where(r.tenant_id == tenant_id, r.number == number))
        ).scalar()
    )


def insert_register(session: Session, *, register: Register, created_at: datetime) -> None:
    """Store a new register; Conflict (naming ``id``) if its number is taken."""
    try:
        with session.begin_nested():
            session.execute(
                insert(cash_registers).values(
                    tenant_id=register.tenant_id,
                    number=register.number,
                    created_at=created_at,
                    **_register_values(register, created_at),
                )
            )
    except IntegrityError:
        raise Conflict("pos.register_exists", field="id", number=register.number) from None


def lock_register(session: Session, *, tenant_id: uuid.UUID, number: int, field: str) -> Register:
    """The register ``number``, its row locked until the transaction ends (FOR UPDATE; SQLite's
    single writer does the same); NotFound naming ``field`` otherwise."""
    r = cash_registers.c
    row = session.execute(
        select(cash_registers).where(r.tenant_id == tenant_id, r.number == number).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound("pos.register_not_found", field=field, number=number)
    return _register(row)


def save_register(session: Session, *, register: Register, updated_at: datetime) -> None:
    """Write ``register`` back: its state, settings and chain state."""
    r = cash_registers.c
    session.execute(
        update(cash_registers)
        .where(r.tenant_id == register.tenant_id, r.number == register.number)
        .values(**_register_values(register, updated_at))
    )


def clear_other_defaults(session: Session, *, tenant_id: uuid.UUID, number: int) -> None:
    """Only one register is the default: every other one stops being it."""
    r = cash_registers.c
    session.execute(
        update(cash_registers)
        .where(r.tenant_id == tenant_id, r.number != number)
        .values(default_register=False)
    )


def _register_values(register: Register, updated_at: datetime) -> dict[str, Any]:
    settings = register.settings
    return {
        "name": settings.name,
        "register_group": settings.group,
        "state": register.state.value,
        "allow_past_income": settings.allow_past_income,
        "enable_drawback": settings.enable_drawback,
        "default_register": settings.default_register,
        "bank_account_id": settings.bank_account_id,
        "cash_account": settings.cash_account,
        "layout": dict(settings.layout),
        "balance": register.balance,
        "turnover_cents": register.turnover_cents,
        "last_jws": register.last_jws,
        "last_receipt_at": register.last_receipt_at,
        "key_id": register.key_id,
        "updated_at": updated_at,
    }


def _register(row: Row[Any]) -> Register:
    settings = RegisterSettings(
        name=row.name,
        group=row.register_group,
        bank_account_id=row.bank_account_id,
        cash_account=row.cash_account,
        allow_past_income=row.allow_past_income,
        enable_drawback=row.enable_drawback,
        default_register=row.default_register,
        layout=dict(row.layout),
    )
    return Register(
        tenant_id=row.tenant_id,
        number=row.number,
        state=RegisterState(row.state),
        settings=settings,
        balance=row.balance,
        turnover_cents=row.turnover_cents,
        last_jws=row.last_jws,
        last_receipt_at=row.last_receipt_at,
        key_id=row.key_id,
    )


def insert_keys(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    register_no: int,
    keys: SigningKeys,
    created_at: datetime,
) -> None:
    session.execute(
        insert(cash_register_keys).values(
            tenant_id=tenant_id,
            register_no=register_no,
            private_pem=keys.private_pem,
            public_pem=keys.public_pem,
            aes_key=keys.aes_key,
            created_at=created_at,
        )
    )


def signing_keys(session: Session, *, tenant_id: uuid.UUID, register_no: int) -> SigningKeys:
    """The keys of a commissioned register."""
    k = cash_register_keys.c
    row = session.execute(
        select(k.private_pem, k.public_pem, k.aes_key).where(
            k.tenant_id == tenant_id, k.register_no == register_no
        )
    ).one()
    return SigningKeys(row.private_pem, row.public_pem, row.aes_key)
