"""Cash register administration (our extension; seed 003 §3.6 only reads registers):
create and change registers, commission them (NEW → ACTIVE: keys and the signed Startbeleg),
decommission them (ACTIVE → LOCKED: the Schlussbeleg), read what FinanzOnline registration
needs, and export the RKSV data collection protocol (DEP7, § 7 RKSV)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import Field

from beleg.api.inputs import WholeNumber
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.domain.pos.registers import MAX_REGISTER
from beleg.queries.pos import registers as read
from beleg.services.pos import registers as service

RegisterNo = Annotated[WholeNumber, Path(ge=0, le=MAX_REGISTER, description="Register number")]
router = APIRouter(prefix="/cash-registers", tags=["Cash registers"], route_class=BelegRoute)
READ, WRITE = "cash-registers:read", "cash-registers:write"


class RegisterOut(ApiModel):
    id: int
    name: str
    group: str | None = None
    state: str = Field(description="NEW, ACTIVE, LOCKED or TEST")
    current_balance: Decimal
    allow_past_income: bool
    enable_drawback: bool
    default_register: bool
    bank_account_id: uuid.UUID | None = None


class RegisterIn(ApiInput):
    id: int = Field(
        ge=1, le=MAX_REGISTER, description="Register number 1..999999, unique; fixed once created"
    )
    name: str = Field(description="1 to 100 characters")
    group: str | None = None
    bank_account_id: uuid.UUID = Field(
        description="The means of payment (cash) the register "
        "books to; its U account is then reserved"
    )
    allow_past_income: bool = False
    enable_drawback: bool = False
    default_register: bool = False
    layout: dict[str, Any] | None = Field(None, description="CashRegisterLayoutDto fields")

    def data(self) -> service.RegisterInput:
        return service.RegisterInput(
            number=self.id,
            name=self.name,
            group=self.group,
            bank_account_id=str(self.bank_account_id),
            allow_past_income=self.allow_past_income,
            enable_drawback=self.enable_drawback,
            default_register=self.default_register,
            layout=self.layout,
        )


class ActivationIn(ApiInput):
    key_id: str = Field(
        description="RKSV key identifier printed on every receipt, e.g. "
        "U:ATU12345678-K1 (UID), S:123456789-K1 (tax number)"
    )


class Registration(ApiModel):
    register_id: str
    signature_suite: str
    key_id: str
    public_key: str = Field(description="PEM, P-256")
    aes_key: str = Field(description="Base64 AES-256 key of the turnover counter")
    turnover_counter_bytes: int


def _one(rt: Runtime, actor: Actor, number: int) -> dict[str, Any]:
    return read.get_register(db=rt.db, tenant_id=actor.principal.tenant_id, number=number)


@router.get("", response_model=list[RegisterOut], summary="Every cash register, any state")
def list_registers(
    rt: Runtime = Depends(runtime), actor: Actor = requires(READ)
) -> list[dict[str, Any]]:
    return read.list_registers(db=rt.db, tenant_id=actor.principal.tenant_id, all_states=True)


@router.post(
    "", response_model=RegisterOut, status_code=201, summary="Create a cash register (state NEW)"
)
def create(
    body: RegisterIn, rt: Runtime = Depends(runtime), actor: Actor = requires(WRITE)
) -> dict[str, Any]:
    created = service.create_register(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, data=body.data(), clock=rt.clock
    )
    return _one(rt, actor, created.number)


@router.put(
    "/{number}",
    response_model=RegisterOut,
    summary="Change a register: everything while NEW; name, group, flags and layout while ACTIVE",
)
def change(
    number: RegisterNo,
    body: RegisterIn,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(WRITE),
) -> dict[str, Any]:
    service.update_register(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        number=number,
        data=body.data(),
        clock=rt.clock,
    )
    return _one(rt, actor, number)


@router.post(
    "/{number}/activate",
    response_model=RegisterOut,
    summary="Commission (NEW → ACTIVE): keys and the signed Startbeleg",
)
def activate(
    number: RegisterNo,
    body: ActivationIn,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(WRITE),
) -> dict[str, Any]:
    service.activate_register(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        number=number,
        key_id=body.key_id,
        clock=rt.clock,
    )
    return _one(rt, actor, number)


@router.post(
    "/{number}/decommission",
    response_model=RegisterOut,
    summary="Decommission (ACTIVE → LOCKED): the signed Schlussbeleg",
)
def decommission(
    number: RegisterNo, rt: Runtime = Depends(runtime), actor: Actor = requires(WRITE)
) -> dict[str, Any]:
    service.decommission_register(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, number=number, clock=rt.clock
    )
    return _one(rt, actor, number)


@router.get(
    "/{number}/registration",
    response_model=Registration,
    summary="What FinanzOnline registration needs (§ 16 RKSV); includes the AES key",
)
def registration(
    number: RegisterNo, rt: Runtime = Depends(runtime), actor: Actor = requires(WRITE)
) -> dict[str, Any]:
    return read.registration(db=rt.db, tenant_id=actor.principal.tenant_id, number=number)


@router.get("/{number}/dep-export", summary="RKSV data collection protocol (DEP7 JSON)")
def dep_export(
    number: RegisterNo, rt: Runtime = Depends(runtime), actor: Actor = requires(READ)
) -> dict[str, object]:
    return read.dep_export(db=rt.db, tenant_id=actor.principal.tenant_id, number=number)
