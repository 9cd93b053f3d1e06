"""Plans of the billing catalogue (spec/billing-api.md, "Plan"): terms, phases, pricing groups
and items with their price versions; create, change, cancel and delete (every change audited).
Scopes ``plans:read`` and ``plans:write``. The rule of price versions is in
``services/catalog/plans.py``."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import Field

from beleg.api.inputs import BusinessDate
from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page, Problem
from beleg.api.security import requires
from beleg.domain.catalog.plans import (
    BillingTiming,
    IntervalInput,
    ItemInput,
    PhaseInput,
    PhaseType,
    PlanStatus,
    PricingGroup,
)
from beleg.domain.catalog.price_rules import PriceInput, TierInput
from beleg.domain.catalog.pricing import PriceModelKind
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.queries.catalog import plans as read
from beleg.services.catalog import plans as service

router = APIRouter(prefix="/plans", tags=["Catalogue"], route_class=BelegRoute)
READ, WRITE = "plans:read", "plans:write"
Code = Annotated[str, Path(max_length=50, description="The plan's code")]
VALID_FROM_HELP = (
    "The first day of this price; a new item's first price defaults to 1900-01-01 (always), "
    "a changed price to today by the tenant's clock; older versions stay"
)


class IntervalModel(ApiInput):
    unit: str = Field(description="DAY, MONTH or YEAR (billing: MONTH|YEAR; notice: DAY|MONTH)")
    count: int = Field(description="0 to 1200; billing intervals from 1 (a quarter: MONTH 3)")

    def data(self) -> IntervalInput:
        return IntervalInput(self.unit, self.count)


class PhaseModel(ApiInput):
    type: PhaseType = Field(description="TRIAL (first, once), FIXED, EVERGREEN (last only)")
    duration: IntervalModel | None = Field(None, description="TRIAL and FIXED; not EVERGREEN")

    def data(self) -> PhaseInput:
        return PhaseInput(self.type.value, None if self.duration is None else self.duration.data())


class PricingGroupModel(ApiInput):
    code: str
    max_quantity: dict[str, Decimal] = Field(
        default_factory=dict,
        description="Option code → the most billable quantity per period, after the free "
        "quota (time-based usage options of the plan only; seed 000)",
    )

    def data(self) -> PricingGroup:
        return PricingGroup(self.code, dict(self.max_quantity))


class TierModel(ApiInput):
    up_to: Decimal | None = Field(description="Units up to and including; null in the last tier")
    unit_price: Decimal
    flat_fee: Decimal | None = None


class PriceModelIn(ApiInput):
    model: PriceModelKind
    amount: Decimal | None = Field(None, description="FLAT: the amount per period")
    unit_price: Decimal | None = Field(None, description="PER_UNIT")
    tiers: list[TierModel] | None = Field(None, description="GRADUATED, VOLUME; ascending")
    package_size: Decimal | None = Field(None, description="PACKAGE")
    package_price: Decimal | None = Field(None, description="PACKAGE: per started package")

    def data(self) -> PriceInput:
        return PriceInput(
            model=self.model.value,
            amount=self.amount,
            unit_price=self.unit_price,
            tiers=[TierInput(t.up_to, t.unit_price, t.flat_fee) for t in self.tiers or ()],
            package_size=self.package_size,
            package_price=self.package_price,
        )


class PriceVersionOut(ApiModel):
    valid_from: str
    price: dict[str, Any]


class ItemModel(ApiInput):
    option: str = Field(description="The code of an existing option")
    quantity: Decimal | None = Field(
        None, description="The default quantity of the item in a contract; null: the contract's"
    )
    price: PriceModelIn | None = Field(
        None, description="Required for a new item; without it an item keeps its price versions"
    )
    free_quota: Decimal | None = Field(None, description="Usage options only")
    valid_from: BusinessDate | None = Field(None, description=VALID_FROM_HELP)

    def data(self) -> ItemInput:
        price = None if self.price is None else self.price.data()
        return ItemInput(self.option, price, self.quantity, self.free_quota, self.valid_from)


class ItemOut(ApiModel):
    option: str
    type: str
    quantity: Decimal | None
    price: dict[str, Any] = Field(description="The price in force today")
    free_quota: Decimal | None
    valid_from: str = Field(description="The first day of the price shown")
    price_versions: list[PriceVersionOut]


class PlanOut(ApiModel):
    id: uuid.UUID
    code: str
    name: str
    currency: str
    billing_interval: dict[str, Any]
    billing_timing: BillingTiming
    minimum_term: dict[str, Any]
    renewal_term: dict[str, Any]
    notice_period: dict[str, Any]
    phases: list[dict[str, Any]]
    pricing_groups: list[dict[str, Any]]
    status: PlanStatus
    created_at: datetime
    updated_at: datetime


class PlanDetail(PlanOut):
    items: list[ItemOut]


class PlanFields(ApiInput):
    name: str | None = None
    currency: str | None = Field(None, description="ISO 4217")
    billing_interval: IntervalModel | None = Field(None, description="MONTH or YEAR, count ≥ 1")
    billing_timing: BillingTiming | None = Field(None, description="Usage: always in arrears")
    minimum_term: IntervalModel | None = Field(None, description="Default: the billing interval")
    renewal_term: IntervalModel | None = Field(
        None, description="Default: the billing interval; count 0 = no automatic renewal"
    )
    notice_period: IntervalModel | None = Field(None, description="DAY or MONTH; default none")
    phases: list[PhaseModel] | None = None
    pricing_groups: list[PricingGroupModel] | None = None
    items: list[ItemModel] | None = Field(None, description="PATCH: replaces the items")

    def fields(self, given: set[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in given:
            value = getattr(self, name)
            if name in ("phases", "pricing_groups", "items"):
                values[name] = [part.data() for part in value or ()]
            elif isinstance(value, IntervalModel):
                values[name] = value.data()
            elif isinstance(value, BillingTiming):
                values[name] = value.value
            else:
                values[name] = value
        return values


class PlanCreate(PlanFields):
    code: str = Field(description="1-50 of A-Z a-z 0-9 . _ -, unique")
    name: str
    currency: str = Field(description="ISO 4217")
    billing_interval: IntervalModel = Field(description="MONTH or YEAR, count ≥ 1")

    def data(self) -> service.PlanInput:
        given = self.fields(self.model_fields_set - {"code"})
        return service.PlanInput(code=self.code, **given)


class PlanPatch(PlanFields):
    def changes(self) -> dict[str, Any]:
        for required in ("name", "currency", "billing_interval", "billing_timing", "items"):
            if required in self.model_fields_set and getattr(self, required) is None:
                field = type(self).model_fields[required].alias or required
                raise ValidationFailed("catalog.field_required", field=field, name=field)
        return self.fields(set(self.model_fields_set))


CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": Problem,
        "description": "The code is taken, or the plan is cancelled",
        "content": {"application/problem+json": {}},
    }
}


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


def _detail(rt: Runtime, actor: Actor, code: str) -> dict[str, Any]:
    return read.get_plan(db=rt.db, tenant_id=_tenant(actor), code=code, clock=rt.clock)


@router.get(
    "",
    response_model=Page[PlanOut],
    responses=CSV_RESPONSE,
    summary="List plans (without items; GET /v2/plans/{code} has them)",
)
def list_plans(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(request, read.plan_list(_tenant(actor)), params, rt, "plans.csv")


@router.post(
    "", response_model=PlanDetail, status_code=201, responses=CONFLICT, summary="Create a plan"
)
def create_plan(
    body: PlanCreate, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    plan = service.create_plan(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), data=body.data(), clock=rt.clock
    )
    return _detail(rt, actor, plan.code)


@router.get("/{code}", response_model=PlanDetail, summary="Get a plan with its items and prices")
def read_plan(code: Code, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return _detail(rt, actor, code)


@router.patch(
    "/{code}",
    response_model=PlanDetail,
    responses=CONFLICT,
    summary="Change a plan; a price given adds a price version (not while CANCELLED)",
)
def patch_plan(
    code: Code, body: PlanPatch, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    service.update_plan(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        code=code,
        changes=body.changes(),
        clock=rt.clock,
    )
    return _detail(rt, actor, code)


@router.post(
    "/{code}/cancel",
    response_model=PlanDetail,
    summary="Cancel a plan: kept, but no longer changed or sold (again: unchanged)",
)
def cancel_plan(code: Code, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)) -> Any:
    service.cancel_plan(db=rt.db, actor=actor, tenant_id=_tenant(actor), code=code, clock=rt.clock)
    return _detail(rt, actor, code)


@router.delete(
    "/{code}",
    status_code=204,
    summary="Delete a plan (for now any plan; a plan a contract uses will be refused)",
)
def delete_plan(
    code: Code, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Response:
    service.delete_plan(db=rt.db, actor=actor, tenant_id=_tenant(actor), code=code, clock=rt.clock)
    return Response(status_code=204)
