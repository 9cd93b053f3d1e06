"""Contract actions (spec/billing-api.md "Contract"): terminate and revoke, plan change at a
date, service cycle, pause and resume, and what the contract costs: its prices at a date and
the preview of the documents the billing run will create."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from beleg.api.inputs import BusinessDate, IsoBusinessDate
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel
from beleg.api.security import requires
from beleg.api.v2.contract_schemas import ContractOut, ItemIn
from beleg.api.v2.contracts import READ, WRITE, ContractId
from beleg.api.v2.preview_schemas import PreviewOut, PricesOut, preview_out, prices_out
from beleg.domain.contracts.lifecycle import TerminationType
from beleg.domain.contracts.records import ItemStatus, Pause, ServiceCycleChange
from beleg.domain.identity.principal import Actor
from beleg.queries.contracts import contracts as read
from beleg.services.billing import contracts as billing
from beleg.services.contracts import changes, plan_changes, terminations

router = APIRouter(prefix="/contracts", tags=["Contracts"], route_class=BelegRoute)


class TerminationIn(ApiInput):
    type: TerminationType
    date: BusinessDate | None = Field(
        None,
        description="The last day of service: required for EXTRAORDINARY; for ORDINARY "
        "not before the earliest end (default: the earliest end)",
    )
    dry_run: bool = Field(False, description="Compute the end and the correction, write nothing")
    suppress_correction: bool = Field(
        False, description="Issue no credit note for the correction (it is still computed)"
    )


class CorrectionOut(ApiModel):
    would_create: bool = Field(description="Whether the termination calls for a credit note")
    suppressed: bool = Field(description="suppressCorrection was set: no credit note is issued")
    created: bool
    net_amount: Decimal
    document_id: str | None = None


class TerminationOut(ApiModel):
    end_date: date
    dry_run: bool
    correction: CorrectionOut
    contract: ContractOut


@router.post("/{contract_id}/terminate", response_model=TerminationOut, summary="Terminate")
def terminate(
    contract_id: ContractId,
    body: TerminationIn,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    """ORDINARY: to the earliest end the terms allow (notice given today); EXTRAORDINARY: on
    ``date``. The answer tells the correction (credit for days billed beyond the end)."""
    tenant_id = actor.principal.tenant_id
    done = terminations.terminate_contract(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        contract_id=contract_id,
        termination_type=body.type,
        last_day=body.date,
        correction=billing.termination_correction,
        dry_run=body.dry_run,
        suppress_correction=body.suppress_correction,
        clock=rt.clock,
    )
    view = read.contract_view(rt.db, tenant_id, contract_id, clock=rt.clock)
    if done.dry_run:
        view = {**view, "status": done.contract.status.value, "endDate": done.end}
    correction = done.correction
    return {
        "endDate": done.end,
        "dryRun": done.dry_run,
        "correction": {
            "wouldCreate": correction.would_create,
            "suppressed": body.suppress_correction,
            "created": correction.created,
            "netAmount": correction.net_amount,
            "documentId": None if correction.document_id is None else str(correction.document_id),
        },
        "contract": view,
    }


@router.post(
    "/{contract_id}/revoke-termination", response_model=ContractOut, summary="Revoke termination"
)
def revoke(
    contract_id: ContractId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    """TERMINATED -> ACTIVE while the contract has not ended; a correction already issued for
    the termination is not undone (the next billing charges the days again)."""
    terminations.revoke_termination(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        clock=rt.clock,
    )
    return read.contract_view(rt.db, actor.principal.tenant_id, contract_id, clock=rt.clock)


class PlanChangeIn(ApiInput):
    date: BusinessDate = Field(description="The first day of the new terms (today or later)")
    plan: str | None = Field(None, description="Another plan: a large change; absent: small")
    items: list[ItemIn] | None = None
    carry_over_special_prices: bool = False
    carry_over_discounts: bool = False


@router.post("/{contract_id}/plan-change", response_model=ContractOut, summary="Change the plan")
def change_plan(
    contract_id: ContractId,
    body: PlanChangeIn,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    change = plan_changes.PlanChange(
        date=body.date,
        plan=body.plan,
        items=None if body.items is None else [item.data() for item in body.items],
        carry_over_special_prices=body.carry_over_special_prices,
        carry_over_discounts=body.carry_over_discounts,
    )
    plan_changes.change_plan(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        change=change,
        clock=rt.clock,
    )
    return read.contract_view(rt.db, actor.principal.tenant_id, contract_id, clock=rt.clock)


class ServiceCycleIn(ApiInput):
    next_period_start: BusinessDate
    invoice_text: str | None = Field(None, description="Printed on the invoice of the cut period")


@router.post(
    "/{contract_id}/service-cycle", response_model=ContractOut, summary="Move the service cycle"
)
def service_cycle(
    contract_id: ContractId,
    body: ServiceCycleIn,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    changes.change_service_cycle(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        change=ServiceCycleChange(body.next_period_start, body.invoice_text),
        clock=rt.clock,
    )
    return read.contract_view(rt.db, actor.principal.tenant_id, contract_id, clock=rt.clock)


class PauseIn(ApiInput):
    from_: BusinessDate = Field(alias="from")
    to: BusinessDate | None = Field(None, description="Absent: until resumed")


@router.post("/{contract_id}/pause", response_model=ContractOut, summary="Pause")
def pause(
    contract_id: ContractId,
    body: PauseIn,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    changes.pause_contract(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        pause=Pause(body.from_, body.to),
        clock=rt.clock,
    )
    return read.contract_view(rt.db, actor.principal.tenant_id, contract_id, clock=rt.clock)


@router.post("/{contract_id}/resume", response_model=ContractOut, summary="Resume")
def resume(
    contract_id: ContractId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    changes.resume_contract(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        clock=rt.clock,
    )
    return read.contract_view(rt.db, actor.principal.tenant_id, contract_id, clock=rt.clock)


@router.get("/{contract_id}/prices", response_model=PricesOut, summary="Prices at a date")
def prices(
    contract_id: ContractId,
    at: Annotated[IsoBusinessDate, Query(description="Any past or future date, YYYY-MM-DD")],
    status: Annotated[ItemStatus | None, Query(description="Only items in this status")] = None,
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    contract, found = billing.prices(
        db=rt.db, tenant_id=actor.principal.tenant_id, contract_id=contract_id, at=at, status=status
    )
    return prices_out(contract, found, at)


@router.get(
    "/{contract_id}/preview",
    response_model=PreviewOut,
    summary="Preview the documents the billing run will create",
)
def preview(
    contract_id: ContractId,
    until: Annotated[IsoBusinessDate, Query(description="Documents dated up to this day")],
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    documents = billing.preview(
        db=rt.db,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        until=until,
        clock=rt.clock,
    )
    return {"documents": [preview_out(document) for document in documents]}
