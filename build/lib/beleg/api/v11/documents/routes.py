"""Invoicing, InvoicingCreditMemo, InvoicingDeliveryNote, InvoicingOffer and
InvoicingOrderConfirmation (seed 003 §4.9-4.13), built by one factory: the five resources share
create, list, get by number, cancel and the PDF; invoices and credit memos add payments and
bookings, the others ``complete``; offers, order confirmations and delivery notes also
``convert`` into the next document of the chain (our extension). Reads need
``documents:read``, changes ``documents:write``.
"""

from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response

from beleg.api.inputs import LATEST_EPOCH_MILLIS
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.documents import models as m
from beleg.api.v11.documents.payments import add_corrections, add_payments
from beleg.api.v11.rendering import AccountingJSON
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.queries.documents import business_documents as read
from beleg.services.documents import actions
from beleg.services.documents.create import DocumentInput, create_document
from beleg.services.documents.lines import DocLineInput
from beleg.services.documents.pdf import rendered_pdf
from beleg.services.tenancy.test_clock import business_today

RESOURCES = {
    DocumentType.INVOICE: ("/invoices", "Invoicing", "Invoice", m.InvoiceDto),
    DocumentType.CREDIT_MEMO: (
        "/credit_memos",
        "InvoicingCreditMemo",
        "CreditMemo",
        m.CreditMemoDto,
    ),
    DocumentType.DELIVERY_NOTE: (
        "/delivery_notes",
        "InvoicingDeliveryNote",
        "DeliveryNote",
        m.DeliveryNoteDto,
    ),
    DocumentType.OFFER: ("/offers", "InvoicingOffer", "Offer", m.OfferDto),
    DocumentType.ORDER_CONFIRMATION: (
        "/order_confirmations",
        "InvoicingOrderConfirmation",
        "OrderConfirmation",
        m.OrderConfirmationDto,
    ),
}
TEXT_KEYS = (
    "description",
    "internal_description",
    "footer",
    "reference_text",
    "reference_date",
    "delivery_from_date",
    "delivery_to_date",
    "signed",
    "eb_interface_version",
    "expiration_date",
    "deposits",
    "deposit_for",
    "creation_reason",
    "related_document",
    "related_document_date",
)


def to_input(doc_type: DocumentType, body: Any) -> DocumentInput:
    """The service input of a document DTO (also used by templates)."""
    values = body.model_dump(exclude_unset=True)
    texts: dict[str, Any] = {}
    for key in TEXT_KEYS:
        value = values.get(key)
        if value is not None:
            alias = type(body).model_fields[key].alias or key
            texts[alias] = value.isoformat() if hasattr(value, "isoformat") else value
    if "deposits" in texts:
        texts["deposits"] = [
            {k: (str(v) if not isinstance(v, (str, int)) else v) for k, v in d.items()}
            for d in texts["deposits"]
        ]
    lines = [
        DocLineInput(
            amount=ln.amount,
            net_price=ln.net_price,
            tax_price=ln.tax_price,
            total_price=ln.total_price,
            name=ln.name,
            description=ln.description,
            line_type=ln.type,
            item_price=ln.item_price,
            item_price_type=ln.item_price_type,
            unit_of_measure=ln.unit_of_measure,
            discount=ln.discount,
            discount_mode=ln.discount_mode,
            item_number=ln.item_number,
            item=ln.item,
            item_defaulting=ln.item_defaulting,
            account=ln.account,
            tax_class_entry=ln.tax_class_entry,
            deposit_invoice=ln.deposit_invoice,
        )
        for ln in body.lines
    ]
    return DocumentInput(
        doc_type=doc_type,
        state=body.state,
        doc_date=body.date,
        lines=lines,
        number=body.id,
        customer=body.customer,
        customer_name=body.customer_name,
        additional_address=body.additional_address,
        address_info=body.address_info,
        currency=body.currency,
        currency_rate=body.currency_rate,
        totals=(body.net_amount, body.tax_amount, body.total_amount),
        payment_term=getattr(body, "payment_term", None),
        layout_setup=body.layout_setup,
        sequence_group=body.sequence_group,
        due_date=getattr(body, "due_date", None),
        normalize=bool(body.normalize_rounding_errors),
        texts=texts,
        billing_group=body.billing_group,
        operating_site=body.operating_site,
        self_billing=bool(body.self_billing),
    )


def build(doc_type: DocumentType) -> APIRouter:
    base, tag, noun, model = RESOURCES[doc_type]
    router = APIRouter(prefix=base, tags=[tag], route_class=BelegRoute)
    _add_reads(router, doc_type, noun)
    _add_create_and_cancel(router, doc_type, noun, model)
    if doc_type in (DocumentType.INVOICE, DocumentType.CREDIT_MEMO):
        add_payments(router, doc_type, noun)
    else:
        _add_completion(router, doc_type, noun)
    if doc_type is DocumentType.INVOICE:
        add_corrections(router)
    return router


def _add_reads(router: APIRouter, doc_type: DocumentType, noun: str) -> None:
    @router.get(
        "",
        operation_id=f"list{noun}s",
        response_class=AccountingJSON,
        summary=f"List issued {noun} documents",
    )
    def list_all(
        updated_since: int | None = Query(None, ge=0, le=LATEST_EPOCH_MILLIS),
        paid: bool | None = None,
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:read"),
    ) -> Response:
        return AccountingJSON(
            read.list_documents(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                doc_type=doc_type.value,
                updated_since=updated_since,
                paid=paid if doc_type in (DocumentType.INVOICE, DocumentType.CREDIT_MEMO) else None,
            )
        )

    @router.get(
        "/{number}",
        operation_id=f"get{noun}",
        response_class=AccountingJSON,
        summary=f"Get a {noun} by its number",
    )
    def get_one(
        number: str, rt: Runtime = Depends(runtime), actor: Actor = requires("documents:read")
    ) -> Response:
        return AccountingJSON(
            read.get_document(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                doc_type=doc_type.value,
                number=number,
            )
        )

    @router.get(
        "/{number}/document",
        operation_id=f"get{noun}Document",
        response_class=Response,
        summary=f"The PDF of a finalized {noun}",
    )
    def pdf(
        number: str, rt: Runtime = Depends(runtime), actor: Actor = requires("documents:read")
    ) -> Response:
        content = rendered_pdf(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            doc_type=doc_type,
            number=number,
            clock=rt.clock,
        )
        return Response(
            content,
            media_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )


def _add_create_and_cancel(
    router: APIRouter, doc_type: DocumentType, noun: str, model: type
) -> None:
    @router.post(
        "",
        operation_id=f"create{noun}",
        response_class=AccountingJSON,
        summary=f"Create a {noun}: STAGING, FINALIZED or EXTERNAL",
    )
    def create(
        body: model,  # type: ignore[valid-type]  # DTO class chosen per resource
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        doc_id = create_document(
            db=rt.db,
            actor=actor,
            tenant_id=tenant_id,
            data=to_input(doc_type, body),
            clock=rt.clock,
        )
        return AccountingJSON(read.get_document_by_id(db=rt.db, tenant_id=tenant_id, doc_id=doc_id))

    @router.post(
        "/{number}/cancel",
        operation_id=f"cancel{noun}",
        response_class=AccountingJSON,
        summary=f"Cancel a {noun}",
    )
    def cancel(
        number: str,
        body: m.BusinessDocumentCancelDto | None = Body(None),
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        body = body or m.BusinessDocumentCancelDto()
        day = body.cancellation_date or business_today(
            db=rt.db, tenant_id=tenant_id, system=rt.clock
        )
        doc, new_number = actions.cancel_document(
            db=rt.db,
            actor=actor,
            tenant_id=tenant_id,
            doc_type=doc_type,
            number=number,
            data=actions.CancelInput(
                day=day,
                cancel_type=body.cancel_type,
                layout_setup=body.layout_setup,
                sequence_group=body.sequence_group,
            ),
            clock=rt.clock,
        )
        result = read.get_document_by_id(db=rt.db, tenant_id=tenant_id, doc_id=doc.id)
        if doc_type is DocumentType.INVOICE and new_number:
            result["newDocumentNumber"] = new_number
        return AccountingJSON(result)


def _add_completion(router: APIRouter, doc_type: DocumentType, noun: str) -> None:
    @router.post(
        "/{number}/complete",
        operation_id=f"complete{noun}",
        response_class=AccountingJSON,
        summary=f"Complete a {noun}",
    )
    def complete(
        number: str,
        body: m.BusinessDocumentCompletionDto,
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        day = body.completion_date or business_today(db=rt.db, tenant_id=tenant_id, system=rt.clock)
        doc = actions.complete_document(
            db=rt.db,
            actor=actor,
            tenant_id=tenant_id,
            doc_type=doc_type,
            number=number,
            completion_state=body.completion_state,
            day=day,
            clock=rt.clock,
        )
        return AccountingJSON(read.get_document_by_id(db=rt.db, tenant_id=tenant_id, doc_id=doc.id))

    @router.post(
        "/{number}/convert",
        operation_id=f"convert{noun}",
        response_class=AccountingJSON,
        summary=f"Create the next document from a {noun} (extension)",
    )
    def convert(
        number: str,
        body: m.BusinessDocumentConversionDto,
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        day = body.date or business_today(db=rt.db, tenant_id=tenant_id, system=rt.clock)
        doc = actions.convert_document(
            db=rt.db,
            actor=actor,
            tenant_id=tenant_id,
            doc_type=doc_type,
            number=number,
            target=body.target_type,
            state=body.state or "FINALIZED",
            day=day,
            clock=rt.clock,
        )
        return AccountingJSON(read.get_document_by_id(db=rt.db, tenant_id=tenant_id, doc_id=doc.id))
