"""Billing groups (spec/billing-api.md "Billing group"; seed 000): how a run puts a group's
contracts on documents. Scopes ``billing-runs:read`` and ``billing-runs:write``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page, Problem
from beleg.api.security import requires
from beleg.domain.billing.groups import LateUsageHandling
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.queries.billing import runs as read
from beleg.services.billing import groups as service

router = APIRouter(prefix="/billing-groups", tags=["Billing runs"], route_class=BelegRoute)
READ, WRITE = "billing-runs:read", "billing-runs:write"
Code = Annotated[str, Path(max_length=50, description="The billing group's code")]
SPLIT_HELP = (
    "Charges of service periods from different billing periods go on separate invoices, "
    "even in one run (seed 000)"
)
LATE_HELP = (
    "Usage arriving for a billed period: CORRECTION (credit note and new invoice at once) or "
    "CARRY_OVER (on the next regular invoice; at once when the contract has no period left)"
)


class BillingGroupOut(ApiModel):
    code: str
    name: str | None
    split_by_original_period: bool = Field(description=SPLIT_HELP)
    late_usage_handling: LateUsageHandling = Field(description=LATE_HELP)
    created_at: datetime
    updated_at: datetime


class BillingGroupCreate(ApiInput):
    code: str = Field(description="1-50 of A-Z a-z 0-9 . _ -, unique; contracts name it")
    name: str | None = Field(None, description="Up to 200 characters")
    split_by_original_period: bool = Field(False, description=SPLIT_HELP)
    late_usage_handling: LateUsageHandling = Field(
        LateUsageHandling.CORRECTION, description=LATE_HELP
    )


class BillingGroupPatch(ApiInput):
    name: str | None = None
    split_by_original_period: bool | None = Field(None, description=SPLIT_HELP)
    late_usage_handling: LateUsageHandling | None = Field(None, description=LATE_HELP)

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(exclude_unset=True)
        for required in ("split_by_original_period", "late_usage_handling"):
            if required in given and given[required] is None:
                name = (
                    "splitByOriginalPeriod" if required.startswith("split") else "lateUsageHandling"
                )
                raise ValidationFailed("catalog.field_required", field=name, name=name)
        if given.get("late_usage_handling") is not None:
            given["late_usage_handling"] = str(given["late_usage_handling"])
        return given


CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": Problem,
        "description": "The code is taken",
        "content": {"application/problem+json": {}},
    }
}


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get(
    "",
    response_model=Page[BillingGroupOut],
    responses=CSV_RESPONSE,
    summary="List billing groups",
)
def list_groups(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(request, read.group_list(_tenant(actor)), params, rt, "billing-groups.csv")


@router.post(
    "",
    response_model=BillingGroupOut,
    status_code=201,
    responses=CONFLICT,
    summary="Create a billing group (audited)",
)
def create_group(
    body: BillingGroupCreate, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    group = service.create_group(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        code=body.code,
        name=body.name,
        split_by_original_period=body.split_by_original_period,
        late_usage_handling=body.late_usage_handling.value,
        clock=rt.clock,
    )
    return read.group_item(group)


@router.get("/{code}", response_model=BillingGroupOut, summary="Get a billing group")
def read_group(code: Code, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return read.get_group(db=rt.db, tenant_id=_tenant(actor), code=code)


@router.patch("/{code}", response_model=BillingGroupOut, summary="Change a billing group (audited)")
def patch_group(
    code: Code,
    body: BillingGroupPatch,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    group = service.update_group(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        code=code,
        changes=body.changes(),
        clock=rt.clock,
    )
    return read.group_item(group)
