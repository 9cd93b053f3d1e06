"""SEPA direct-debit mandates (receivables issue, item 2): per payment account of a
customer, revoked instead of deleted. Scopes ``payments:read`` and ``payments:write``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.domain.banking.mandates import MandateStatus, MandateType
from beleg.domain.identity.principal import Actor
from beleg.queries.banking import direct_debits as read
from beleg.services.banking import mandates as service

router = APIRouter(prefix="/mandates", tags=["SEPA direct debit"], route_class=BelegRoute)
READ, WRITE = "payments:read", "payments:write"
MandateId = Annotated[uuid.UUID, Path(description="The mandate's id")]


class MandateCreate(ApiInput):
    customer_id: uuid.UUID
    payment_account_id: uuid.UUID = Field(description="One of the customer's payment accounts")
    reference: str = Field(
        description="Unique mandate reference (AT-01): 1-35 of A-Z a-z 0-9 / - ? : ( ) . , ' +,"
        " unique per tenant"
    )
    signed_on: date = Field(description="Date of signature (AT-25), not in the future")
    type: MandateType = Field(MandateType.CORE, description="CORE, or B2B for businesses")
    one_off: bool = Field(False, description="A one-off mandate, collected once as OOFF")


class MandateOut(ApiModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    payment_account_id: uuid.UUID
    reference: str
    signed_on: date
    type: MandateType
    one_off: bool
    final: bool = Field(description="The next collection is the last (FNAL)")
    status: MandateStatus
    iban: str
    bic: str | None
    account_holder: str
    collections: int = Field(description="Collections made: 0 means the next one is FRST")
    created_at: datetime
    updated_at: datetime


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get("", response_model=Page[MandateOut], responses=CSV_RESPONSE, summary="List mandates")
def list_mandates(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(request, read.mandate_list(_tenant(actor)), params, rt, "mandates.csv")


@router.post("", response_model=MandateOut, status_code=201, summary="Create a mandate (audited)")
def create_mandate(
    body: MandateCreate, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    made = service.create_mandate(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        customer_id=body.customer_id,
        payment_account_id=body.payment_account_id,
        reference=body.reference,
        signed_on=body.signed_on,
        mandate_type=body.type,
        one_off=body.one_off,
        clock=rt.clock,
    )
    return read.mandate_item(made)


@router.get("/{mandate_id}", response_model=MandateOut, summary="Get a mandate")
def read_mandate(
    mandate_id: MandateId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_mandate(db=rt.db, tenant_id=_tenant(actor), mandate_id=mandate_id)


@router.post("/{mandate_id}/revoke", response_model=MandateOut, summary="Revoke (audited)")
def revoke_mandate(
    mandate_id: MandateId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    done = service.revoke_mandate(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), mandate_id=mandate_id, clock=rt.clock
    )
    return read.mandate_item(done)


@router.post(
    "/{mandate_id}/final",
    response_model=MandateOut,
    summary="The next collection is the last, as FNAL (audited)",
)
def finish_mandate(
    mandate_id: MandateId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    done = service.finish_mandate(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), mandate_id=mandate_id, clock=rt.clock
    )
    return read.mandate_item(done)


@router.delete(
    "/{mandate_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a mandate no batch has used (audited); a used one is revoked instead",
)
def delete_mandate(
    mandate_id: MandateId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Response:
    service.delete_mandate(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), mandate_id=mandate_id, clock=rt.clock
    )
    return Response(status_code=204)
