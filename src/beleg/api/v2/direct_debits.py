"""Direct-debit batches (receivables issue, item 2): every open SEPA invoice collected once,
in pain.008.001.08 files of one collection date x sequence type x instrument with at most 800
transactions (seed 002). Scopes ``payments:read`` and ``payments:write``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.domain.banking.mandates import SequenceType
from beleg.domain.identity.principal import Actor
from beleg.queries.banking import direct_debits as read
from beleg.services.banking import direct_debits as service

router = APIRouter(
    prefix="/direct-debit-batches", tags=["SEPA direct debit"], route_class=BelegRoute
)
READ, WRITE = "payments:read", "payments:write"
BatchId = Annotated[uuid.UUID, Path(description="The batch's id")]
XML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/xml": {}}, "description": "pain.008.001.08, XSD-valid"}
}


class BatchCreate(ApiInput):
    collection_date: date | None = Field(
        None,
        description="The earliest collection date wanted; otherwise each invoice's due date. "
        "Never before the next TARGET2 business day (D-1), moved off TARGET2 closing days",
    )


class BatchOut(ApiModel):
    id: uuid.UUID
    creditor_id: str
    item_count: int
    total: Decimal
    created_at: datetime


class BatchFileOut(ApiModel):
    part: int
    collection_date: date
    sequence_type: SequenceType
    instrument: str
    number_of_transactions: int
    control_sum: Decimal


class BatchItemOut(ApiModel):
    line_no: int
    part: int
    document_id: uuid.UUID
    mandate_id: uuid.UUID
    mandate_reference: str
    end_to_end_id: str
    amount: Decimal
    sequence_type: SequenceType
    collection_date: date


class BatchDetail(BatchOut):
    files: list[BatchFileOut]
    items: list[BatchItemOut]


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get(
    "", response_model=Page[BatchOut], responses=CSV_RESPONSE, summary="List direct-debit batches"
)
def list_batches(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    spec = read.batch_list(_tenant(actor))
    return list_response(request, spec, params, rt, "direct-debit-batches.csv")


@router.post(
    "",
    response_model=BatchDetail,
    status_code=201,
    summary="Collect every open SEPA invoice into a batch (audited)",
)
def create_batch(
    body: BatchCreate, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    head = service.create_batch(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        collection_date=body.collection_date,
        clock=rt.clock,
    )
    return read.get_batch(db=rt.db, tenant_id=_tenant(actor), batch_id=head.id)


@router.get("/{batch_id}", response_model=BatchDetail, summary="Get a direct-debit batch")
def read_batch(
    batch_id: BatchId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_batch(db=rt.db, tenant_id=_tenant(actor), batch_id=batch_id)


@router.get(
    "/{batch_id}/file",
    response_class=Response,
    responses=XML_RESPONSE,
    summary="One pain.008.001.08 file of the batch",
)
def batch_file(
    batch_id: BatchId,
    part: Annotated[int, Query(ge=1, le=100_000, description="The file, from 1")] = 1,
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Response:
    name, xml = read.batch_file(db=rt.db, tenant_id=_tenant(actor), batch_id=batch_id, part=part)
    return Response(
        xml,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
