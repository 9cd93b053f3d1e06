"""InvoicingSetup (seed 003 §4.14): the lookups business documents refer to."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel

from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.models import documented
from beleg.api.v11.rendering import AccountingJSON, Number
from beleg.domain.identity.principal import Actor
from beleg.queries.documents import setup as read

router = APIRouter(tags=["InvoicingSetup"], route_class=BelegRoute)


class DunningLevelDto(BaseModel):
    id: str
    internalName: str
    description: str
    documentSubject: str
    fixedFee: Number
    feePercentage: Number
    dunningDays: int
    previousLevel: str | None = None
    dunningLineText: str
    account: str
    dunningEndText: str
    taxClassEntry: str
    defaultFlag: bool


class LayoutSetupDto(BaseModel):
    id: str
    description: str
    defaultSetup: bool


class PaymentTermDto(BaseModel):
    id: str
    name: str
    description: str
    dueDays: int
    dunningDays: int
    defaultTerm: bool


class SequenceGroupDto(BaseModel):
    id: str
    name: str
    base: str
    defaultGroup: bool


@router.get(
    "/dunning_levels",
    operation_id="getDunningLevels",
    response_class=AccountingJSON,
    responses=documented(list[DunningLevelDto]),
    summary="List dunning levels",
)
def dunning_levels(
    actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(read.dunning_level_dtos(db=rt.db, tenant_id=actor.principal.tenant_id))


@router.get(
    "/dunning_levels/first_levels",
    operation_id="getFirstDunningLevels",
    response_class=AccountingJSON,
    responses=documented(list[DunningLevelDto]),
    summary="List the first dunning levels (those without previousLevel)",
)
def first_dunning_levels(
    actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(
        read.dunning_level_dtos(db=rt.db, tenant_id=actor.principal.tenant_id, first_only=True)
    )


@router.get(
    "/layout_setups",
    operation_id="getLayoutSetups",
    response_class=AccountingJSON,
    responses=documented(list[LayoutSetupDto]),
    summary="List PDF layout setups (one is the default)",
)
def layout_setups(
    actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(read.layout_setup_dtos(db=rt.db, tenant_id=actor.principal.tenant_id))


@router.get(
    "/payment_terms",
    operation_id="getPaymentTerms",
    response_class=AccountingJSON,
    responses=documented(list[PaymentTermDto]),
    summary="List payment terms (due and dunning days; one is the default)",
)
def payment_terms(
    actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(read.payment_term_dtos(db=rt.db, tenant_id=actor.principal.tenant_id))


@router.get(
    "/sequence_groups",
    operation_id="getSequenceGroups",
    response_class=AccountingJSON,
    responses=documented(list[SequenceGroupDto]),
    summary="List document sequence groups (ANNUAL or PERMANENT; one is the default)",
)
def sequence_groups(
    actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(read.sequence_group_dtos(db=rt.db, tenant_id=actor.principal.tenant_id))
