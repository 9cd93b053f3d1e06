"""Dunning (receivables issue, item 6; ADR 0027): runs on the tenant's clock, notices per
customer, the settings (automated dunning, deposit invoices) and blocks per customer or
document. Scopes ``dunning:read`` and ``dunning:write``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import Field

from beleg.api.inputs import BusinessDate
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel
from beleg.api.security import requires
from beleg.domain.documents.dunning import CUSTOMER, DOCUMENT, DueItem
from beleg.domain.identity.principal import Actor
from beleg.queries.documents import dunning as read
from beleg.services.documents import dunning as service
from beleg.services.documents import dunning_blocks as blocks

router = APIRouter(tags=["Dunning"], route_class=BelegRoute)
READ, WRITE = "dunning:read", "dunning:write"
RunId = Annotated[uuid.UUID, Path(description="The run's id")]
SubjectId = Annotated[uuid.UUID, Path(description="The customer's or document's id")]


class RunCreate(ApiInput):
    as_of: BusinessDate | None = Field(
        None, description="The day to dun for; default the tenant's today (test clock)"
    )
    dry_run: bool = Field(False, description="Plan only: nothing is written")
    first_level: uuid.UUID | None = Field(
        None, description="The first level of the chain to use; default the default chain"
    )


class NoticeItemOut(ApiModel):
    document_id: uuid.UUID
    document_number: str
    due_date: date
    level: int
    remaining_amount: Decimal


class NoticeOut(ApiModel):
    id: uuid.UUID | None
    run_id: uuid.UUID | None
    number: str | None = Field(description="From the gapless series M<year>-<n>; none in a dry run")
    notice_date: date
    customer_id: uuid.UUID
    customer_name: str | None
    level: int
    level_id: uuid.UUID
    currency: str
    dunned_amount: Decimal
    fee: Decimal
    subject: str
    line_text: str
    end_text: str
    journal_id: uuid.UUID | None = Field(description="The fee's journal (DE)")
    items: list[NoticeItemOut]


class RunOut(ApiModel):
    id: uuid.UUID | None = Field(description="None for a dry run")
    as_of: date
    dry_run: bool
    created_at: datetime | None
    notice_count: int
    item_count: int
    notices: list[NoticeOut]


class SettingsIn(ApiInput):
    automated: bool = Field(description="Automated dunning runs")
    include_deposit_invoices: bool = Field(
        False, description="Dun deposit invoices too (only with automated dunning; seed 001)"
    )


class SettingsOut(ApiModel):
    automated: bool
    include_deposit_invoices: bool


class BlockIn(ApiInput):
    reason: str = Field(min_length=1, max_length=500)


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


def _planned_item(item: DueItem) -> dict[str, Any]:
    return {
        "documentId": item.candidate.document_id,
        "documentNumber": item.candidate.number,
        "dueDate": item.candidate.due_date,
        "level": item.level.number,
        "remainingAmount": item.candidate.remaining,
    }


def _planned(result: service.RunResult) -> dict[str, Any]:
    """What a dry run would write, in the shape of a stored run."""
    notices = [
        {
            "id": None,
            "runId": None,
            "number": None,
            "noticeDate": result.as_of,
            "customerId": p.customer_id,
            "customerName": None,
            "level": p.level.number,
            "levelId": p.level.id,
            "currency": p.currency,
            "dunnedAmount": p.total,
            "fee": p.fee,
            "subject": p.level.subject,
            "lineText": p.level.line_text,
            "endText": p.level.end_text,
            "journalId": None,
            "items": [_planned_item(i) for i in p.items],
        }
        for p in result.notices
    ]
    return {
        "id": None,
        "asOf": result.as_of,
        "dryRun": True,
        "createdAt": None,
        "noticeCount": len(notices),
        "itemCount": sum(len(p.items) for p in result.notices),
        "notices": notices,
    }


@router.post(
    "/dunning-runs",
    response_model=RunOut,
    status_code=201,
    summary="Dun every item due on a day (one notice per customer; audited)",
)
def create_run(
    body: RunCreate, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    result = service.run_dunning(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        as_of=body.as_of,
        dry_run=body.dry_run,
        first_level=body.first_level,
        clock=rt.clock,
    )
    if result.id is None:
        return _planned(result)
    return read.get_run(db=rt.db, tenant_id=_tenant(actor), run_id=result.id)


@router.get("/dunning-runs/{run_id}", response_model=RunOut, summary="Get a dunning run")
def get_run(run_id: RunId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return read.get_run(db=rt.db, tenant_id=_tenant(actor), run_id=run_id)


@router.get("/dunning-notices", response_model=list[NoticeOut], summary="List dunning notices")
def list_notices(
    customer: uuid.UUID | None = Query(None, description="The customer's id"),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    return read.notices(db=rt.db, tenant_id=_tenant(actor), customer_id=customer)


@router.get(
    "/dunning-notices/{notice_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF/A-3b"}},
    summary="The PDF of a dunning notice",
)
def notice_pdf(
    notice_id: Annotated[uuid.UUID, Path(description="The notice's id")],
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Response:
    name, pdf = read.notice_file(db=rt.db, tenant_id=_tenant(actor), notice_id=notice_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.put("/dunning-settings", response_model=SettingsOut, summary="Set the dunning settings")
def put_settings(
    body: SettingsIn, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    saved = service.update_settings(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        automated=body.automated,
        include_deposit_invoices=body.include_deposit_invoices,
        clock=rt.clock,
    )
    return {"automated": saved.automated, "includeDepositInvoices": saved.include_deposit_invoices}


def _block(
    subject: str, subject_id: uuid.UUID, body: BlockIn, actor: Actor, rt: Runtime
) -> Response:
    blocks.block(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        subject=subject,
        subject_id=subject_id,
        reason=body.reason,
        clock=rt.clock,
    )
    return Response(status_code=204)


def _release(subject: str, subject_id: uuid.UUID, actor: Actor, rt: Runtime) -> Response:
    blocks.release(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        subject=subject,
        subject_id=subject_id,
        clock=rt.clock,
    )
    return Response(status_code=204)


@router.post(
    "/customers/{subject_id}/dunning-block", status_code=204, summary="Block dunning of a customer"
)
def block_customer(
    subject_id: SubjectId,
    body: BlockIn,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Response:
    return _block(CUSTOMER, subject_id, body, actor, rt)


@router.delete(
    "/customers/{subject_id}/dunning-block",
    status_code=204,
    summary="Release a customer's dunning block",
)
def release_customer(
    subject_id: SubjectId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Response:
    return _release(CUSTOMER, subject_id, actor, rt)


@router.post(
    "/documents/{subject_id}/dunning-block", status_code=204, summary="Block dunning of a document"
)
def block_document(
    subject_id: SubjectId,
    body: BlockIn,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Response:
    return _block(DOCUMENT, subject_id, body, actor, rt)


@router.delete(
    "/documents/{subject_id}/dunning-block",
    status_code=204,
    summary="Release a document's dunning block",
)
def release_document(
    subject_id: SubjectId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Response:
    return _release(DOCUMENT, subject_id, actor, rt)
