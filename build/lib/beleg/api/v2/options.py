"""Options of the billing catalogue (spec/billing-api.md, "Option"): the billable things of
plans, one-time, recurring, usage-based (metered) or time-based usage, with their tax rate or
tax class and tax exemption. Scopes ``plans:read`` and ``plans:write``."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page, Problem
from beleg.api.security import requires
from beleg.domain.catalog.options import (
    Aggregation,
    OptionInput,
    OptionKind,
    TaxCategory,
    TaxExemption,
)
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.queries.catalog import plans as read
from beleg.services.catalog import options as service

router = APIRouter(prefix="/options", tags=["Catalogue"], route_class=BelegRoute)
READ, WRITE = "plans:read", "plans:write"
Code = Annotated[str, Path(max_length=50, description="The option's code (its item number)")]
AGGREGATION_HELP = "How the period's usage events add up; required for USAGE, usage types only"
PROPERTY_HELP = "The event property whose distinct values UNIQUE_COUNT counts (required there)"


class TaxExemptionModel(ApiInput):
    category: TaxCategory = Field(description="EN 16931 VAT category (UNCL5305)")
    reason: str | None = Field(None, description="Exemption reason text, up to 500 characters")
    vatex_code: str | None = Field(None, description="VATEX code, e.g. VATEX-EU-IC, VATEX-EU-AE")

    def record(self) -> TaxExemption:
        return TaxExemption(self.category, self.reason, self.vatex_code)


class OptionOut(ApiModel):
    id: uuid.UUID
    code: str
    name: str
    type: OptionKind
    unit: str | None
    aggregation: Aggregation | None
    aggregation_property: str | None = Field(
        None, description="UNIQUE_COUNT: the event property whose distinct values are counted"
    )
    tax_rate: Decimal | None = Field(description="Percent, e.g. 19")
    tax_class: str | None
    tax_exemption: TaxExemptionModel | None
    created_at: datetime
    updated_at: datetime


class OptionCreate(ApiInput):
    code: str = Field(description="The item number: 1-50 of A-Z a-z 0-9 . _ -, unique")
    name: str = Field(description="1 to 200 characters")
    type: OptionKind
    unit: str | None = Field(None, description="A unit of /units_of_measure, or null")
    aggregation: Aggregation | None = Field(None, description=AGGREGATION_HELP)
    aggregation_property: str | None = Field(None, description=PROPERTY_HELP)
    tax_rate: Decimal | None = Field(None, description="Percent 0-100; or taxClass")
    tax_class: str | None = Field(
        None, description="A tax class entry of the tenant's chart (e.g. 019); or taxRate"
    )
    tax_exemption: TaxExemptionModel | None = None

    def data(self) -> OptionInput:
        return OptionInput(
            code=self.code,
            name=self.name,
            type=self.type.value,
            unit=self.unit,
            aggregation=None if self.aggregation is None else self.aggregation.value,
            tax_rate=self.tax_rate,
            tax_class=self.tax_class,
            tax_exemption=None if self.tax_exemption is None else self.tax_exemption.record(),
            aggregation_property=self.aggregation_property,
        )


class OptionPatch(ApiInput):
    """The fields to change; the code is fixed, the type once a plan has the option. A tax
    rate given replaces the tax class, a tax class the tax rate."""

    name: str | None = None
    type: OptionKind | None = None
    unit: str | None = None
    aggregation: Aggregation | None = Field(None, description=AGGREGATION_HELP)
    aggregation_property: str | None = Field(None, description=PROPERTY_HELP)
    tax_rate: Decimal | None = None
    tax_class: str | None = None
    tax_exemption: TaxExemptionModel | None = None

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(exclude_unset=True)
        for required in ("name", "type"):
            if required in given and given[required] is None:
                raise ValidationFailed("catalog.field_required", field=required, name=required)
        for one, other in (("tax_rate", "tax_class"), ("tax_class", "tax_rate")):
            if given.get(one) is not None and other not in given:
                given[other] = None  # a tax rate replaces the tax class, and the other way round
        if "tax_exemption" in given and self.tax_exemption is not None:
            given["tax_exemption"] = self.tax_exemption.record()
        if (
            "aggregation" in given
            and "aggregation_property" not in given
            and given["aggregation"] != Aggregation.UNIQUE_COUNT
        ):
            given["aggregation_property"] = None  # another aggregation counts no property
        for name in ("type", "aggregation"):
            if given.get(name) is not None:
                given[name] = str(given[name])
        return given


CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": Problem,
        "description": "The code is taken, or the option's type is fixed by a plan using it",
        "content": {"application/problem+json": {}},
    }
}


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get(
    "", response_model=Page[OptionOut], responses=CSV_RESPONSE, summary="List catalogue options"
)
def list_options(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(request, read.option_list(_tenant(actor)), params, rt, "options.csv")


@router.post(
    "", response_model=OptionOut, status_code=201, responses=CONFLICT, summary="Create an option"
)
def create_option(
    body: OptionCreate, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    option = service.create_option(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), data=body.data(), clock=rt.clock
    )
    return read.get_option(db=rt.db, tenant_id=_tenant(actor), code=option.code)


@router.get("/{code}", response_model=OptionOut, summary="Get an option")
def read_option(code: Code, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return read.get_option(db=rt.db, tenant_id=_tenant(actor), code=code)


@router.patch(
    "/{code}", response_model=OptionOut, responses=CONFLICT, summary="Change an option (audited)"
)
def patch_option(
    code: Code, body: OptionPatch, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    option = service.update_option(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        code=code,
        changes=body.changes(),
        clock=rt.clock,
    )
    return read.get_option(db=rt.db, tenant_id=_tenant(actor), code=option.code)
