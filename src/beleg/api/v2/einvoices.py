"""E-invoices of issued documents (e-invoicing issue, item 5): ``GET
/v2/documents/{id}/einvoice?format=xrechnung-cii|xrechnung-ubl|zugferd`` answers the XML (or,
for ZUGFeRD, the PDF/A-3 with the XML inside), validated in every layer. Scope
``documents:read``. A document that lacks a term answers 400 naming all of them; an
e-invoice that breaks a rule 409 with the rule ids."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.domain.contacts.einvoicing import EInvoiceFormat
from beleg.domain.identity.principal import Actor
from beleg.services.documents.einvoice import einvoice

router = APIRouter(prefix="/documents", tags=["E-invoices"], route_class=BelegRoute)
MEDIA_TYPES = ("application/xml", "application/pdf")


@router.get(
    "/{document_id}/einvoice",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES}}},
    summary="The document's e-invoice",
)
def get_einvoice(
    document_id: Annotated[uuid.UUID, Path(description="The invoice's or credit note's id")],
    kind: Annotated[EInvoiceFormat, Query(alias="format", description="The e-invoice format")],
    actor: Actor = requires("documents:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    made = einvoice(
        db=rt.db, tenant_id=actor.principal.tenant_id, doc_id=document_id, kind=kind,
        clock=rt.clock,
    )  # fmt: skip
    quoted = made.file_name.replace('"', "")
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{quoted}"'},
    )
