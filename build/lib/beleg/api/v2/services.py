"""Services (seed 002 "Leistungsexport"): the billed lines of contracts with their service
period, gross amount, contract and document number; ``format=csv`` exports them. Scope
``contracts:read``."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel, Page
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.queries.billing.services import service_list

router = APIRouter(prefix="/services", tags=["Contracts"], route_class=BelegRoute)


class ServiceOut(ApiModel):
    id: uuid.UUID
    contract: uuid.UUID
    contract_number: str
    option: str
    description: str
    service_period_from: date
    service_period_to: date
    quantity: Decimal
    net_amount: Decimal
    gross_amount: Decimal = Field(description="The document line's total (net + its VAT)")
    credit: bool = Field(description="The line takes billed days back (credit note)")
    document_type: str = Field(description="INVOICE or CREDIT_NOTE")
    document_number: str | None
    document_date: date
    currency: str


@router.get(
    "",
    response_model=Page[ServiceOut],
    responses=CSV_RESPONSE,
    summary="List billed services (seed 002 service export)",
)
def list_services(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("contracts:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    spec = service_list(actor.principal.tenant_id)
    return list_response(request, spec, params, rt, "services.csv")
