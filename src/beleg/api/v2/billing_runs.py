"""Billing runs (spec/billing-api.md "Billing run"; DESIGN.md "The billing engine") and the
tenant's switch for scheduled runs. Scopes ``billing-runs:read`` and ``billing-runs:write``.

``POST /v2/billing-runs`` records the run and, by default, works it before answering (201);
with ``wait: false`` it answers 202 at once and the worker works it. Either way the run, its
counters and failures are readable while it runs: every chunk of contracts commits on its own.
A dry run writes nothing and answers the documents the run would issue now (200).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import Field

from beleg.api.inputs import BusinessDate
from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.api.v2.preview_schemas import DocumentPreviewOut, LineOut, preview_out
from beleg.domain.billing.groups import BillingSettings
from beleg.domain.identity.principal import Actor
from beleg.queries.billing import runs as read
from beleg.services.billing import groups as settings_service
from beleg.services.billing import runs as service

router = APIRouter(tags=["Billing runs"], route_class=BelegRoute)
READ, WRITE = "billing-runs:read", "billing-runs:write"
RunId = Annotated[uuid.UUID, Path(description="The billing run's id")]


class BillingRunIn(ApiInput):
    as_of: BusinessDate = Field(description="Bill what is due by this day (not after today)")
    billing_group: str | None = Field(None, description="Only contracts of this group")
    dry_run: bool = Field(False, description="Compute the documents, write nothing")
    wait: bool = Field(True, description="Work the run before answering (false: 202, worker)")


class CountsOut(ApiModel):
    total: int
    done: int
    failed: int


class ChunksOut(ApiModel):
    total: int
    done: int


class FailureOut(ApiModel):
    contract: uuid.UUID
    reason: str


class BillingRunOut(ApiModel):
    id: uuid.UUID
    status: str = Field(description="QUEUED, RUNNING, COMPLETED or FAILED")
    as_of: date
    dated_from: date = Field(description="Charges due earlier are dated this day")
    billing_group: str | None
    scheduled: bool
    dry_run: bool
    contracts: CountsOut
    chunks: ChunksOut
    documents: int
    net_amount: Decimal = Field(description="Invoices less credit notes, main currency")
    failures: list[FailureOut]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class BillingRunListItem(ApiModel):
    id: uuid.UUID
    status: str
    as_of: date
    dated_from: date
    billing_group: str | None
    scheduled: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class PlannedDocumentOut(DocumentPreviewOut):
    customer: uuid.UUID
    contracts: list[uuid.UUID]


class DryRunOut(ApiModel):
    dry_run: bool
    as_of: date
    contracts: CountsOut
    documents: list[PlannedDocumentOut]
    failures: list[FailureOut]


class RunLineOut(LineOut):
    contract: uuid.UUID


class RunDocumentOut(ApiModel):
    id: uuid.UUID
    number: str | None
    type: str = Field(description="INVOICE or CREDIT_NOTE")
    date: date
    customer: uuid.UUID | None
    currency: str
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    lines: list[RunLineOut]


class BillingSettingsOut(ApiModel):
    scheduled_runs: bool
    scheduled_through: date | None = Field(description="As-of day of the last scheduled run")


class BillingSettingsIn(ApiInput):
    scheduled_runs: bool = Field(description="Bill every day on the tenant's clock")


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.post(
    "/billing-runs",
    response_model=BillingRunOut | DryRunOut,
    status_code=201,
    responses={
        200: {"model": DryRunOut, "description": "A dry run: the documents, nothing written"},
        202: {"model": BillingRunOut, "description": "Recorded (wait: false); a worker runs it"},
    },
    summary="Start a billing run (or a dry run)",
)
def create_run(
    body: BillingRunIn,
    response: Response,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    tenant_id = _tenant(actor)
    if body.dry_run:
        response.status_code = 200
        return _dry_run(body, tenant_id, rt)
    run = service.start_run(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        as_of=body.as_of,
        billing_group=body.billing_group,
        clock=rt.clock,
        dispatch=not body.wait,
        chunk_size=rt.settings.billing_chunk_size,
    )
    if body.wait:
        service.execute_run(
            db=rt.db, actor=actor, tenant_id=tenant_id, run_id=run.id, clock=rt.clock
        )
    else:
        response.status_code = 202
    return read.run_view(db=rt.db, tenant_id=tenant_id, run_id=run.id)


def _dry_run(body: BillingRunIn, tenant_id: uuid.UUID, rt: Runtime) -> dict[str, Any]:
    done = service.preview_run(
        db=rt.db,
        tenant_id=tenant_id,
        as_of=body.as_of,
        billing_group=body.billing_group,
        clock=rt.clock,
    )
    failed = len(done.failures)
    return {
        "dryRun": True,
        "asOf": body.as_of,
        "contracts": {"total": done.contracts, "done": done.contracts - failed, "failed": failed},
        "documents": [
            {
                **preview_out(planned.document),
                "customer": planned.customer_id,
                "contracts": list(dict.fromkeys(planned.contracts)),
            }
            for planned in done.documents
        ],
        "failures": [
            {"contract": contract, "reason": f"{error.code}: {error}"}
            for contract, error in done.failures.items()
        ],
    }


@router.get(
    "/billing-runs",
    response_model=Page[BillingRunListItem],
    responses=CSV_RESPONSE,
    summary="List billing runs",
)
def list_runs(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(request, read.run_list(_tenant(actor)), params, rt, "billing-runs.csv")


@router.get("/billing-runs/{run_id}", response_model=BillingRunOut, summary="Get a billing run")
def read_run(run_id: RunId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return read.run_view(db=rt.db, tenant_id=_tenant(actor), run_id=run_id)


@router.get(
    "/billing-runs/{run_id}/documents",
    response_model=list[RunDocumentOut],
    summary="The documents a billing run issued, with their billed lines",
)
def run_documents(
    run_id: RunId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.run_documents(db=rt.db, tenant_id=_tenant(actor), run_id=run_id)


@router.get("/tenant-config/billing", response_model=BillingSettingsOut, summary="Billing settings")
def read_settings(actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return _settings_out(settings_service.read_settings(db=rt.db, tenant_id=_tenant(actor)))


@router.put(
    "/tenant-config/billing",
    response_model=BillingSettingsOut,
    summary="Switch scheduled billing runs on or off (audited)",
)
def put_settings(
    body: BillingSettingsIn, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    settings = settings_service.set_scheduled_runs(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        enabled=body.scheduled_runs,
        clock=rt.clock,
    )
    return _settings_out(settings)


def _settings_out(settings: BillingSettings) -> dict[str, Any]:
    return {
        "scheduledRuns": settings.scheduled_runs,
        "scheduledThrough": settings.scheduled_through,
    }
