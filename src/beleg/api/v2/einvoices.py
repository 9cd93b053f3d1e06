"""E-invoices of issued documents (e-invoicing issue, items 5 and 6; ADR 0020). Scopes
``documents:read`` and ``documents:write``.

- ``GET /v2/documents/{id}/einvoice?format=xrechnung-cii|xrechnung-ubl|zugferd|ebinterface``:
  the document as that e-invoice, made and validated now (XML, or for ZUGFeRD the PDF/A-3
  with the XML inside); a document that lacks a term answers 400 naming all of them, an
  e-invoice that breaks a rule 409 with the rule ids. Without ``format``: the one the worker
  made and validated in the customer's format.
- ``GET /v2/documents/{id}/einvoice-status``: that e-invoice's workflow state and problems;
  ``POST .../einvoice-status/ignore`` sets one in ERROR aside (audited).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from beleg import messages
from beleg.api.language import response_language
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel
from beleg.api.security import requires
from beleg.domain.contacts.einvoicing import EInvoiceFormat
from beleg.domain.documents.einvoices import EInvoiceRecord, EInvoiceState
from beleg.domain.identity.principal import Actor
from beleg.services.documents import einvoice_workflow as workflow
from beleg.services.documents.einvoice import EInvoiceFile, einvoice

router = APIRouter(prefix="/documents", tags=["E-invoices"], route_class=BelegRoute)
MEDIA_TYPES = ("application/xml", "application/pdf")
DocumentId = Annotated[uuid.UUID, Path(description="The invoice's or credit note's id")]


class ProblemOut(ApiModel):
    field: str
    rule: str
    message: str


class EInvoiceStatusOut(ApiModel):
    document_id: uuid.UUID
    format: EInvoiceFormat
    state: EInvoiceState
    problems: list[ProblemOut]
    created_at: datetime
    updated_at: datetime


@router.get(
    "/{document_id}/einvoice",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES}}},
    summary="The document's e-invoice",
)
def get_einvoice(
    document_id: DocumentId,
    kind: Annotated[
        EInvoiceFormat | None,
        Query(alias="format", description="Made now in this format; absent: the stored one"),
    ] = None,
    actor: Actor = requires("documents:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    tenant_id = actor.principal.tenant_id
    if kind is None:
        made = workflow.stored_file(
            db=rt.db, tenant_id=tenant_id, doc_id=document_id, clock=rt.clock
        )
    else:
        made = einvoice(
            db=rt.db, tenant_id=tenant_id, doc_id=document_id, kind=kind, clock=rt.clock
        )
    return _download(made)


def _download(made: EInvoiceFile) -> Response:
    quoted = made.file_name.replace('"', "")
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{quoted}"'},
    )


@router.get(
    "/{document_id}/einvoice-status",
    response_model=EInvoiceStatusOut,
    summary="The e-invoice's workflow state",
)
def get_status(
    document_id: DocumentId,
    request: Request,
    actor: Actor = requires("documents:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    record = workflow.einvoice_record(
        db=rt.db, tenant_id=actor.principal.tenant_id, doc_id=document_id
    )
    return _status(record, response_language(request))


@router.post(
    "/{document_id}/einvoice-status/ignore",
    response_model=EInvoiceStatusOut,
    summary="Set an e-invoice in error aside",
)
def ignore(
    document_id: DocumentId,
    request: Request,
    actor: Actor = requires("documents:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    record = workflow.ignore_einvoice(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, doc_id=document_id,
        clock=rt.clock,
    )  # fmt: skip
    return _status(record, response_language(request))


def _status(record: EInvoiceRecord, language: str) -> dict[str, Any]:
    return {
        "documentId": record.document_id,
        "format": record.format,
        "state": record.state,
        "problems": [
            {
                "field": p.field,
                "rule": p.rule,
                "message": p.text if p.text is not None else messages.text(p.rule, language),
            }
            for p in record.problems
        ],
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
    }
