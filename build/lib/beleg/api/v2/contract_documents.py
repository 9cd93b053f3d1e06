"""Documents filed with a contract (seed 002): upload (the file as the request body, its
media type in ``Content-Type``: a PDF, PNG or JPEG, checked by its content), list, read,
download, change the settings ("send by mail", file name), delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.api.v2.contracts import READ, WRITE, ContractId
from beleg.domain.contracts.documents import ALLOWED_MEDIA_TYPES
from beleg.domain.identity.principal import Actor
from beleg.queries.contracts import contracts as contracts_read
from beleg.queries.contracts import documents as read
from beleg.services.contracts import documents as service

router = APIRouter(prefix="/contracts", tags=["Contracts"], route_class=BelegRoute)
DocumentId = Annotated[uuid.UUID, Path(description="The document's id")]
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in ALLOWED_MEDIA_TYPES
        },
    }
}


class DocumentOut(ApiModel):
    id: uuid.UUID
    file_name: str
    media_type: str = Field(description="As read from the content")
    size: int = Field(description="Bytes")
    sha256: str
    send_by_mail: bool = Field(description="Attached to the contract's invoice mails")
    created_at: datetime
    updated_at: datetime


class DocumentPatch(ApiInput):
    file_name: str | None = None
    send_by_mail: bool | None = None


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@router.post(
    "/{contract_id}/documents",
    response_model=DocumentOut,
    status_code=201,
    summary="File a document with a contract",
    openapi_extra=UPLOAD_BODY,
)
def upload_document(  # noqa: PLR0917 -- FastAPI passes the request's parts by name
    request: Request,
    contract_id: ContractId,
    file_name: Annotated[str, Query(alias="fileName", description="Without folders")],
    send_by_mail: Annotated[bool, Query(alias="sendByMail")] = False,
    data: bytes = Depends(raw_body),
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    document = service.add_document(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        file_name=file_name,
        declared_type=_media_type(request),
        data=data,
        send_by_mail=send_by_mail,
        clock=rt.clock,
    )
    return read.document_item(document)


@router.get(
    "/{contract_id}/documents",
    response_model=Page[DocumentOut],
    responses=CSV_RESPONSE,
    summary="List a contract's documents",
)
def list_documents(
    request: Request,
    contract_id: ContractId,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    tenant_id = actor.principal.tenant_id
    contracts_read.check_exists(rt.db, tenant_id, contract_id)
    spec = read.document_list(tenant_id, contract_id)
    return list_response(request, spec, params, rt, "documents.csv")


@router.get(
    "/{contract_id}/documents/{document_id}", response_model=DocumentOut, summary="A document"
)
def get_document(
    contract_id: ContractId,
    document_id: DocumentId,
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    return read.document(rt.db, actor.principal.tenant_id, contract_id, document_id)


@router.get(
    "/{contract_id}/documents/{document_id}/content",
    response_class=Response,
    responses={200: {"content": {t: {} for t in ALLOWED_MEDIA_TYPES}}},
    summary="Download a document",
)
def download_document(
    contract_id: ContractId,
    document_id: DocumentId,
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Response:
    document, data = read.content(rt.db, actor.principal.tenant_id, contract_id, document_id)
    quoted = document.file_name.replace('"', "")
    return Response(
        data,
        media_type=document.media_type,
        headers={"Content-Disposition": f'attachment; filename="{quoted}"'},
    )


@router.patch(
    "/{contract_id}/documents/{document_id}", response_model=DocumentOut, summary="Settings"
)
def change_document(
    contract_id: ContractId,
    document_id: DocumentId,
    body: DocumentPatch,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    document = service.change_document(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        document_id=document_id,
        file_name=body.file_name,
        send_by_mail=body.send_by_mail,
        clock=rt.clock,
    )
    return read.document_item(document)


@router.delete("/{contract_id}/documents/{document_id}", status_code=204, summary="Delete")
def delete_document(
    contract_id: ContractId,
    document_id: DocumentId,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> None:
    service.delete_document(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        contract_id=contract_id,
        document_id=document_id,
        clock=rt.clock,
    )
