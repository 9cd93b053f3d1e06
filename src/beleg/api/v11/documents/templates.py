"""InvoiceTemplateResource and OfferTemplateResource (seed 003 §4.8, §4.18). The path
parameter is the template's id; a single GET returns one template (seed §7 item 27)."""

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.documents import models as m
from beleg.api.v11.documents.routes import to_input
from beleg.api.v11.paths import path_uuid
from beleg.api.v11.rendering import AccountingJSON
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.queries.documents import templates as read
from beleg.services.documents import templates as service


def _input(doc_type: DocumentType, body: Any) -> service.TemplateInput:
    return service.TemplateInput(
        name=body.template_name,
        document=to_input(doc_type, body),
        raw=body.model_dump(mode="json", by_alias=True, exclude_unset=True),
        interval=getattr(body, "template_interval", None),
        interval_type=getattr(body, "template_interval_type", None),
        next_invoice_date=getattr(body, "next_invoice_date", None),
    )


def build(doc_type: DocumentType) -> APIRouter:
    invoice = doc_type is DocumentType.INVOICE
    base, noun = (
        ("/invoice_templates", "InvoiceTemplate")
        if invoice
        else ("/offer_templates", "OfferTemplate")
    )
    model = m.InvoiceTemplateDto if invoice else m.OfferTemplateDto
    # Seed 003 §4.8.1 answers a deleted invoice template with 204, §4.18.1 an offer template
    # with 200 and no body: each as documented.
    deleted = 204 if invoice else 200
    router = APIRouter(prefix=base, tags=[f"{noun}Resource"], route_class=BelegRoute)

    @router.get("", operation_id=f"list{noun}s", response_class=AccountingJSON)
    def list_all(
        search: str | None = None,
        include_subscriptions: bool = Query(False),
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:read"),
    ) -> Response:
        return AccountingJSON(
            read.list_templates(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                doc_type=doc_type.value,
                search=search,
                include_subscriptions=include_subscriptions or not invoice,
            )
        )

    @router.get("/{template}", operation_id=f"get{noun}", response_class=AccountingJSON)
    def get_one(
        template: str, rt: Runtime = Depends(runtime), actor: Actor = requires("documents:read")
    ) -> Response:
        return AccountingJSON(
            read.get_template(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                doc_type=doc_type.value,
                template_id=path_uuid(template, "template"),
            )
        )

    @router.post("", operation_id=f"create{noun}", response_class=AccountingJSON)
    def create(
        body: model,  # type: ignore[valid-type]  # DTO class chosen per resource
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        template_id = service.save_template(
            db=rt.db, actor=actor, tenant_id=tenant_id, data=_input(doc_type, body), clock=rt.clock
        )
        return AccountingJSON(
            read.get_template(
                db=rt.db, tenant_id=tenant_id, doc_type=doc_type.value, template_id=template_id
            )
        )

    @router.put("/{template}", operation_id=f"replace{noun}", response_class=AccountingJSON)
    def replace(
        template: str,
        body: model,  # type: ignore[valid-type]  # DTO class chosen per resource
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        template_id = service.save_template(
            db=rt.db,
            actor=actor,
            tenant_id=tenant_id,
            data=_input(doc_type, body),
            clock=rt.clock,
            template_id=path_uuid(template, "template"),
        )
        return AccountingJSON(
            read.get_template(
                db=rt.db, tenant_id=tenant_id, doc_type=doc_type.value, template_id=template_id
            )
        )

    @router.delete(
        "/{template}", operation_id=f"delete{noun}", status_code=deleted, response_class=Response
    )
    def remove(
        template: str, rt: Runtime = Depends(runtime), actor: Actor = requires("documents:write")
    ) -> Response:
        service.delete_template(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            doc_type=doc_type,
            template_id=path_uuid(template, "template"),
            clock=rt.clock,
        )
        return Response(status_code=deleted)

    return router
