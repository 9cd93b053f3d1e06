"""Cash registers: create, change, commission and decommission (our extension to seed 003
§3.6, which only reads registers), and the test register every Austrian tenant starts with.

- Only Austrian tenants have cash registers: the RKSV is Austrian law.
- A register is created NEW with a means of payment (``bankAccountId``) whose U account it
  books cash to; that account is then reserved (no other payment may name it).
- Commissioning (NEW → ACTIVE, RKSV § 6 Abs. 4) creates the signing key and the turnover AES
  key and signs the Startbeleg (INITIAL). Decommissioning (ACTIVE → LOCKED, § 6 Abs. 5) signs
  the Schlussbeleg (FINAL) and needs the last daily closing finalized.
- NEW registers can change everything but their number; ACTIVE ones their name, group, flags
  and layout; LOCKED and TEST registers nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import bank_accounts, cash_register_keys, cash_registers, tenants
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.pos.registers import (
    TEST_REGISTER,
    ClosingState,
    ReceiptType,
    RegisterState,
    check_register_number,
    check_transition,
)
from beleg.formats import rksv
from beleg.services.pos.chain import (
    Register,
    last_closing,
    lock_register,
    system_receipt,
)

ENTITY = "CashRegister"
TEST_KEY_ID = "S:000000000-TEST"
DEFAULT_LAYOUT = {
    "description": "Standard",
    "layoutPrintType": "STANDARD_BON",
    "displaySubject": "Beleg",
    "cancelDisplaySubject": "Stornobeleg",
    "positionLogo": "CENTER",
    "positionHeader": "CENTER",
    "positionFooter": "CENTER",
    "fontType": "ARIAL",
    "amountType": "T",
    "printDiscount": False,
}
ACTIVE_FIELDS = (
    "name",
    "register_group",
    "allow_past_income",
    "enable_drawback",
    "default_register",
    "layout",
)


@dataclass(frozen=True, slots=True)
class RegisterInput:
    """Seed 003 CashRegisterDto's writable fields and the layout (CashRegisterLayoutDto)."""

    number: int | None
    name: str | None
    group: str | None = None
    bank_account_id: str | None = None
    allow_past_income: bool = False
    enable_drawback: bool = False
    default_register: bool = False
    layout: dict[str, Any] | None = None


def install_test_register(
    session: Session, *, tenant_id: uuid.UUID, country: str, clock: Clock
) -> None:
    """Register 0 (TEST) of a new Austrian tenant, commissioned at once."""
    if country != "AT":
        return
    now = clock.now()
    session.execute(
        insert(cash_registers).values(
            tenant_id=tenant_id,
            number=TEST_REGISTER,
            name="Testkassa",
            register_group=None,
            state=RegisterState.TEST.value,
            allow_past_income=False,
            enable_drawback=False,
            default_register=False,
            bank_account_id=None,
            cash_account=None,
            balance=Decimal("0.00"),
            turnover_cents=0,
            layout=DEFAULT_LAYOUT,
            created_at=now,
            updated_at=now,
        )
    )
    reg = lock_register(session, tenant_id, TEST_REGISTER, clock)
    _commission(session, reg, TEST_KEY_ID, clock)


def create_register(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, data: RegisterInput, clock: Clock
) -> int:
    if data.number is None:
        raise ValidationFailed("id is required", de="id ist erforderlich", field="id")
    number = check_register_number(data.number)
    with db.transaction() as session:
        country = session.execute(
            select(tenants.c.country).where(tenants.c.id == tenant_id)
        ).scalar_one()
        if country != "AT":
            raise ValidationFailed(
                "cash registers follow Austrian law (RKSV); this tenant is not Austrian",
                de="Kassen gibt es nur für österreichische Mandanten",
                field="id",
            )
        if _row(session, tenant_id, number) is not None:
            raise Conflict(
                f"cash register {number} already exists",
                de=f"Kassa {number} existiert bereits",
                field="id",
            )
        values = _values(session, tenant_id, number, data)
        now = clock.now()
        session.execute(
            insert(cash_registers).values(
                tenant_id=tenant_id,
                number=number,
                state=RegisterState.NEW.value,
                balance=Decimal("0.00"),
                turnover_cents=0,
                created_at=now,
                updated_at=now,
                **values,
            )
        )
        _single_default(session, tenant_id, number, values["default_register"])
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type=ENTITY,
            entity_id=str(number),
            before=None,
            after=_snapshot(values),
            clock=clock,
        )
        return number


def update_register(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    number: int,
    data: RegisterInput,
    clock: Clock,
) -> None:
    with db.transaction() as session:
        reg = lock_register(session, tenant_id, number, clock, field="id")
        values = _values(session, tenant_id, number, data)
        if reg.state is RegisterState.ACTIVE:
            if values["bank_account_id"] != reg.row["bank_account_id"]:
                raise Conflict(
                    "bankAccountId of an ACTIVE register cannot change: its "
                    "receipts are booked to that cash account",
                    de="Das Kassenkonto einer aktiven Kassa ist fest",
                    field="bankAccountId",
                )
            values = {k: v for k, v in values.items() if k in ACTIVE_FIELDS}
        elif reg.state is not RegisterState.NEW:
            raise Conflict(
                f"a {reg.state.value} register cannot be changed",
                de="Diese Kassa kann nicht geändert werden",
                field="state",
            )
        before = _snapshot(reg.row)
        session.execute(
            update(cash_registers)
            .where(cash_registers.c.tenant_id == tenant_id, cash_registers.c.number == number)
            .values(updated_at=clock.now(), **values)
        )
        _single_default(session, tenant_id, number, values["default_register"])
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=str(number),
            before=before,
            after=_snapshot({**reg.row, **values}),
            clock=clock,
        )


def _values(
    session: Session, tenant_id: uuid.UUID, number: int, data: RegisterInput
) -> dict[str, Any]:
    name = (data.name or "").strip()
    if not 1 <= len(name) <= 100:
        raise ValidationFailed(
            "name must have 1 to 100 characters",
            field="name",
            de="name muss 1 bis 100 Zeichen haben",
        )
    bank_id, cash_account = _cash_account(session, tenant_id, number, data.bank_account_id)
    layout = {**DEFAULT_LAYOUT, **{k: v for k, v in (data.layout or {}).items() if v is not None}}
    return {
        "name": name,
        "register_group": (data.group or "").strip() or None,
        "bank_account_id": bank_id,
        "cash_account": cash_account,
        "allow_past_income": data.allow_past_income,
        "enable_drawback": data.enable_drawback,
        "default_register": data.default_register,
        "layout": layout,
    }


def _cash_account(
    session: Session, tenant_id: uuid.UUID, number: int, value: str | None
) -> tuple[uuid.UUID, str]:
    """The means of payment the register books cash to; one register per U account."""
    if not value:
        raise ValidationFailed(
            "bankAccountId is required: the cash account the register books to",
            de="bankAccountId ist erforderlich",
            field="bankAccountId",
        )
    try:
        bank_id = uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(
            "bankAccountId must be a bank account id",
            de="bankAccountId muss eine ID sein",
            field="bankAccountId",
        ) from None
    code = session.execute(
        select(bank_accounts.c.account_code).where(
            bank_accounts.c.tenant_id == tenant_id, bank_accounts.c.id == bank_id
        )
    ).scalar_one_or_none()
    if code is None:
        raise ValidationFailed(
            f"bankAccountId {value} does not exist",
            de="Bankkonto nicht gefunden.",
            field="bankAccountId",
        )
    taken = session.execute(
        select(cash_registers.c.number).where(
            cash_registers.c.tenant_id == tenant_id,
            cash_registers.c.cash_account == code,
            cash_registers.c.number != number,
            cash_registers.c.state != RegisterState.LOCKED.value,
        )
    ).scalar_one_or_none()
    if taken is not None:
        raise Conflict(
            f"bankAccountId: account {code} is already the cash account of register {taken}",
            de=f"Konto {code} gehört bereits zu Kassa {taken}",
            field="bankAccountId",
        )
    return bank_id, code


def _single_default(session: Session, tenant_id: uuid.UUID, number: int, default: bool) -> None:
    if default:
        session.execute(
            update(cash_registers)
            .where(cash_registers.c.tenant_id == tenant_id, cash_registers.c.number != number)
            .values(default_register=False)
        )


def activate_register(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    number: int,
    key_id: str | None,
    clock: Clock,
) -> None:
    """Commission: keys, the key id the receipts name, the signed Startbeleg."""
    identifier = rksv.check_key_id(key_id or "", "keyId")
    with db.transaction() as session:
        reg = lock_register(session, tenant_id, number, clock, field="id")
        check_transition(reg.state, RegisterState.ACTIVE)
        _set_state(session, reg, RegisterState.ACTIVE, clock, key_id=identifier)
        _commission(session, reg, identifier, clock)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=str(number),
            before={"state": "NEW"},
            after={"state": "ACTIVE", "keyId": identifier},
            clock=clock,
        )


def _commission(session: Session, reg: Register, key_id: str, clock: Clock) -> None:
    keys = rksv.new_key_material()
    session.execute(
        insert(cash_register_keys).values(
            tenant_id=reg.tenant_id,
            register_no=reg.number,
            private_pem=keys.private_pem,
            public_pem=keys.public_pem,
            aes_key=keys.aes_key,
            created_at=clock.now(),
        )
    )
    reg.row["key_id"] = key_id
    session.execute(
        update(cash_registers)
        .where(cash_registers.c.tenant_id == reg.tenant_id, cash_registers.c.number == reg.number)
        .values(key_id=key_id)
    )
    _system_receipt(session, reg, ReceiptType.INITIAL, None, clock)


def decommission_register(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, number: int, clock: Clock
) -> None:
    """Decommission: the Schlussbeleg on the last (finalized) daily closing."""
    with db.transaction() as session:
        reg = lock_register(session, tenant_id, number, clock, field="id")
        check_transition(reg.state, RegisterState.LOCKED)
        closing = last_closing(session, reg)
        if closing is not None and closing["state"] == ClosingState.OPEN:
            raise Conflict(
                f"the daily closing of {closing['day']} is still OPEN: finalize it first",
                de="Der letzte Tagesabschluss ist noch offen",
                field="state",
            )
        _system_receipt(session, reg, ReceiptType.FINAL, closing["day"] if closing else None, clock)
        _set_state(session, reg, RegisterState.LOCKED, clock)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=str(number),
            before={"state": "ACTIVE"},
            after={"state": "LOCKED"},
            clock=clock,
        )


def _system_receipt(
    session: Session, reg: Register, receipt_type: ReceiptType, closing_day: Any, clock: Clock
) -> None:
    at: datetime = max(reg.now, reg.row["last_receipt_at"] or reg.now)
    system_receipt(session, reg, receipt_type, closing_day=closing_day, at=at, clock=clock)


def _set_state(
    session: Session, reg: Register, state: RegisterState, clock: Clock, **values: Any
) -> None:
    reg.row["state"] = state.value
    session.execute(
        update(cash_registers)
        .where(cash_registers.c.tenant_id == reg.tenant_id, cash_registers.c.number == reg.number)
        .values(state=state.value, updated_at=clock.now(), **values)
    )


def _row(session: Session, tenant_id: uuid.UUID, number: int) -> Any:
    return session.execute(
        select(cash_registers.c.number).where(
            cash_registers.c.tenant_id == tenant_id, cash_registers.c.number == number
        )
    ).one_or_none()


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": values.get("name"),
        "group": values.get("register_group"),
        "bankAccountId": str(values["bank_account_id"]) if values.get("bank_account_id") else None,
        "cashAccount": values.get("cash_account"),
        "allowPastIncome": values.get("allow_past_income"),
        "enableDrawback": values.get("enable_drawback"),
        "defaultRegister": values.get("default_register"),
        "layout": values.get("layout"),
    }
