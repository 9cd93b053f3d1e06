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
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.pos import closings as closings_db
from beleg.db.pos import registers as registers_db
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.pos.registers import (
    TEST_REGISTER,
    ClosingState,
    ReceiptType,
    Register,
    RegisterSettings,
    RegisterState,
    SigningKeys,
    check_register_number,
    check_transition,
)
from beleg.formats import rksv
from beleg.messages import text
from beleg.services.pos.chain import (
    LockedRegister,
    append_system_receipt,
    lock_register,
    save_register,
)
from beleg.services.pos.receipts import RECEIPT_LANGUAGE

ENTITY = "CashRegister"
TEST_KEY_ID = "S:000000000-TEST"
MAX_NAME = 100


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
    layout: dict[str, Any] | None = None  # CashRegisterLayoutDto fields, as given (JSON)


def _default_layout() -> dict[str, Any]:
    """The layout a register starts with (CashRegisterLayoutDto), its texts in German."""
    return {
        "description": text("pos.layout_description", RECEIPT_LANGUAGE),
        "layoutPrintType": "STANDARD_BON",
        "displaySubject": text("pos.layout_subject", RECEIPT_LANGUAGE),
        "cancelDisplaySubject": text("pos.layout_cancel_subject", RECEIPT_LANGUAGE),
        "positionLogo": "CENTER",
        "positionHeader": "CENTER",
        "positionFooter": "CENTER",
        "fontType": "ARIAL",
        "amountType": "T",
        "printDiscount": False,
    }


def install_test_register(
    session: Session, *, tenant_id: uuid.UUID, country: str, clock: Clock
) -> None:
    """Register 0 (TEST) of a new Austrian tenant, commissioned at once, in the caller's
    transaction (the tenant's creation)."""
    if country != "AT":
        return
    settings = RegisterSettings(
        name=text("pos.test_register_name", RECEIPT_LANGUAGE),
        group=None,
        bank_account_id=None,
        cash_account=None,
        allow_past_income=False,
        enable_drawback=False,
        default_register=False,
        layout=_default_layout(),
    )
    registers_db.insert_register(
        session,
        register=Register(tenant_id, TEST_REGISTER, RegisterState.TEST, settings),
        created_at=clock.now(),
    )
    register = lock_register(session, tenant_id=tenant_id, number=TEST_REGISTER, clock=clock)
    _commission(session, register, TEST_KEY_ID, clock)


def create_register(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, data: RegisterInput, clock: Clock
) -> Register:
    """A NEW register."""
    if data.number is None:
        raise ValidationFailed("pos.required", field="id", name="id")
    number = check_register_number(data.number)
    with db.transaction() as session:
        if registers_db.tenant_country(session, tenant_id=tenant_id) != "AT":
            raise ValidationFailed("pos.not_austrian", field="id")
        if registers_db.register_exists(session, tenant_id=tenant_id, number=number):
            raise Conflict("pos.register_exists", field="id", number=number)
        settings = _settings(session, tenant_id, number, data)
        register = Register(tenant_id, number, RegisterState.NEW, settings)
        registers_db.insert_register(session, register=register, created_at=clock.now())
        if settings.default_register:
            registers_db.clear_other_defaults(session, tenant_id=tenant_id, number=number)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type=ENTITY,
            entity_id=str(number),
            before=None,
            after=_snapshot(settings),
            clock=clock,
        )
        return register


def update_register(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    number: int,
    data: RegisterInput,
    clock: Clock,
) -> None:
    """Change a NEW register's settings, or an ACTIVE one's all but its means of payment."""
    with db.transaction() as session:
        register = lock_register(
            session, tenant_id=tenant_id, number=number, clock=clock, field="id"
        )
        current = register.register
        settings = _changeable(current, _settings(session, tenant_id, number, data))
        save_register(
            session, register=register, changed=replace(current, settings=settings), clock=clock
        )
        if settings.default_register:
            registers_db.clear_other_defaults(session, tenant_id=tenant_id, number=number)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=str(number),
            before=_snapshot(current.settings),
            after=_snapshot(settings),
            clock=clock,
        )


def _changeable(current: Register, settings: RegisterSettings) -> RegisterSettings:
    """What of ``settings`` a register in its state takes: all of it while NEW, all but the
    means of payment (which must not change) while ACTIVE, nothing otherwise."""
    if current.state is RegisterState.ACTIVE:
        if settings.bank_account_id != current.settings.bank_account_id:
            raise Conflict("pos.bank_account_fixed", field="bankAccountId")
        return replace(
            settings,
            bank_account_id=current.settings.bank_account_id,
            cash_account=current.settings.cash_account,
        )
    if current.state is not RegisterState.NEW:
        raise Conflict("pos.register_not_changeable", field="state", state=current.state.value)
    return settings


def _settings(
    session: Session, tenant_id: uuid.UUID, number: int, data: RegisterInput
) -> RegisterSettings:
    name = (data.name or "").strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise ValidationFailed("pos.register_name_length", field="name")
    bank_id, cash_account = _cash_account(session, tenant_id, number, data.bank_account_id)
    given = {k: v for k, v in (data.layout or {}).items() if v is not None}
    return RegisterSettings(
        name=name,
        group=(data.group or "").strip() or None,
        bank_account_id=bank_id,
        cash_account=cash_account,
        allow_past_income=data.allow_past_income,
        enable_drawback=data.enable_drawback,
        default_register=data.default_register,
        layout={**_default_layout(), **given},
    )


def _cash_account(
    session: Session, tenant_id: uuid.UUID, number: int, value: str | None
) -> tuple[uuid.UUID, str]:
    """The means of payment the register books cash to; one register per U account."""
    if not value:
        raise ValidationFailed("pos.bank_account_required", field="bankAccountId")
    try:
        bank_id = uuid.UUID(value)
    except ValueError:
        raise ValidationFailed("pos.bank_account_id_invalid", field="bankAccountId") from None
    code = registers_db.bank_account_code(session, tenant_id=tenant_id, bank_account_id=bank_id)
    if code is None:
        raise ValidationFailed("pos.bank_account_unknown", field="bankAccountId", value=value)
    taken = registers_db.register_holding(
        session, tenant_id=tenant_id, cash_account=code, other_than=number
    )
    if taken is not None:
        raise Conflict("pos.cash_account_taken", field="bankAccountId", code=code, register=taken)
    return bank_id, code


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
        register = lock_register(
            session, tenant_id=tenant_id, number=number, clock=clock, field="id"
        )
        check_transition(register.state, RegisterState.ACTIVE)
        changed = replace(register.register, state=RegisterState.ACTIVE, key_id=identifier)
        save_register(session, register=register, changed=changed, clock=clock)
        _commission(session, register, identifier, clock)
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


def _commission(session: Session, register: LockedRegister, key_id: str, clock: Clock) -> None:
    keys = rksv.new_key_material()
    registers_db.insert_keys(
        session,
        tenant_id=register.tenant_id,
        register_no=register.number,
        keys=SigningKeys(keys.private_pem, keys.public_pem, keys.aes_key),
        created_at=clock.now(),
    )
    changed = replace(register.register, key_id=key_id)
    save_register(session, register=register, changed=changed, clock=clock)
    _system_receipt(session, register, ReceiptType.INITIAL, None, clock)


def decommission_register(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, number: int, clock: Clock
) -> None:
    """Decommission: the Schlussbeleg on the last (finalized) daily closing."""
    with db.transaction() as session:
        register = lock_register(
            session, tenant_id=tenant_id, number=number, clock=clock, field="id"
        )
        check_transition(register.state, RegisterState.LOCKED)
        closing = closings_db.last_closing(session, tenant_id=tenant_id, register_no=number)
        if closing is not None and closing.state is ClosingState.OPEN:
            raise Conflict("pos.decommission_closing_open", field="state", day=closing.day)
        _system_receipt(
            session, register, ReceiptType.FINAL, closing.day if closing else None, clock
        )
        changed = replace(register.register, state=RegisterState.LOCKED)
        save_register(session, register=register, changed=changed, clock=clock)
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
    session: Session,
    register: LockedRegister,
    receipt_type: ReceiptType,
    closing_day: date | None,
    clock: Clock,
) -> None:
    at = register.next_time
    append_system_receipt(
        session,
        register=register,
        receipt_type=receipt_type,
        closing_day=closing_day,
        at=at,
        clock=clock,
    )


def _snapshot(settings: RegisterSettings) -> dict[str, Any]:
    return {
        "name": settings.name,
        "group": settings.group,
        "bankAccountId": str(settings.bank_account_id) if settings.bank_account_id else None,
        "cashAccount": settings.cash_account,
        "allowPastIncome": settings.allow_past_income,
        "enableDrawback": settings.enable_drawback,
        "defaultRegister": settings.default_register,
        "layout": dict(settings.layout),
    }
