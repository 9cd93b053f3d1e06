"""Payments and corrections of invoices and credit memos (seed 003 §4.9.1/9, §4.10.1/9; line
corrections BT-25/26): the routes ``routes.build`` adds to those two resources. A payment
through a cash register gets the register's receipt from the pos context's cash point."""

from typing import cast

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.documents import models as m
from beleg.api.v11.paths import path_uuid
from beleg.api.v11.rendering import AccountingJSON
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.queries.documents import business_documents as read
from beleg.services.documents import corrections, payments
from beleg.services.pos.payments import CASH_POINT


def add_payments(router: APIRouter, doc_type: DocumentType, noun: str) -> None:
    body_model = m.InvoicePaymentDto if doc_type is DocumentType.INVOICE else m.CreditMemoPaymentDto

    @router.get(
        "/{number}/payments",
        operation_id=f"get{noun}Payments",
        response_class=AccountingJSON,
        summary="Payment history",
    )
    def list_payments(
        number: str, rt: Runtime = Depends(runtime), actor: Actor = requires("documents:read")
    ) -> Response:
        return AccountingJSON(
            read.history(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                doc_type=doc_type.value,
                number=number,
                payments=True,
            )
        )

    @router.get(
        "/{number}/bookings",
        operation_id=f"get{noun}Bookings",
        response_class=AccountingJSON,
        summary="Non-payment bookings",
    )
    def list_bookings(
        number: str, rt: Runtime = Depends(runtime), actor: Actor = requires("documents:read")
    ) -> Response:
        return AccountingJSON(
            read.history(
                db=rt.db,
                tenant_id=actor.principal.tenant_id,
                doc_type=doc_type.value,
                number=number,
                payments=False,
            )
        )

    @router.post(
        "/{number}/payments",
        operation_id=f"add{noun}Payment",
        response_class=AccountingJSON,
        summary="Add a payment",
    )
    def pay(
        number: str,
        body: body_model,  # type: ignore[valid-type]  # DTO class chosen per resource
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        dto = cast("m.InvoicePaymentDto | m.CreditMemoPaymentDto", body)
        entries = payments.add_payment(
            cash_point=CASH_POINT,
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            doc_type=doc_type,
            number=number,
            clock=rt.clock,
            payment=payments.PaymentInput(
                day=dto.date,
                amount=getattr(dto, "amount", None),
                paying_account=dto.paying_account,
                cash_register=dto.cash_register,
                currency_rate=dto.currency_rate,
                note=dto.note,
                rest_type=dto.rest_type,
            ),
        )
        return AccountingJSON([read.history_dto(e) for e in entries])

    @router.post(
        "/{number}/payments/{payment}/cancel",
        operation_id=f"cancel{noun}Payment",
        response_class=AccountingJSON,
        summary="Cancel a payment",
    )
    def cancel_payment(
        number: str,
        payment: str,
        body: m.PaymentCancellationDto,
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        payments.cancel_payment(
            cash_point=CASH_POINT,
            db=rt.db,
            actor=actor,
            tenant_id=tenant_id,
            doc_type=doc_type,
            number=number,
            entry_id=path_uuid(payment, "payment"),
            day=body.cancel_date,
            reason=body.cancel_reason,
            clock=rt.clock,
        )
        return AccountingJSON(
            read.history(
                db=rt.db, tenant_id=tenant_id, doc_type=doc_type.value, number=number, payments=True
            )
        )


def add_corrections(router: APIRouter) -> None:
    @router.get(
        "/{number}/lines/{line}/correctable_amount",
        operation_id="getInvoiceLineCorrectableAmount",
        response_class=AccountingJSON,
        summary="How much of an invoice line can still be credited (extension)",
    )
    def correctable(
        number: str,
        line: int,
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:read"),
    ) -> Response:
        amounts, currency = corrections.correctable_amount(
            db=rt.db, tenant_id=actor.principal.tenant_id, number=number, line_no=line
        )
        return AccountingJSON(
            {
                "totalCorrectableAmount": amounts.total,
                "remainingCorrectableAmount": amounts.remaining,
                "currency": currency,
            }
        )

    @router.post(
        "/{number}/lines/{line}/corrections",
        operation_id="correctInvoiceLine",
        response_class=AccountingJSON,
        summary="Credit a fixed amount against an invoice line (extension)",
    )
    def correct(
        number: str,
        line: int,
        *,
        body: m.CorrectionDto,
        rt: Runtime = Depends(runtime),
        actor: Actor = requires("documents:write"),
    ) -> Response:
        tenant_id = actor.principal.tenant_id
        memo_id = corrections.correct_line(
            db=rt.db,
            actor=actor,
            tenant_id=tenant_id,
            number=number,
            line_no=line,
            clock=rt.clock,
            data=corrections.CorrectionInput(
                amount=body.amount,
                day=body.date,
                reason=body.reason,
                layout_setup=body.layout_setup,
                sequence_group=body.sequence_group,
            ),
        )
        return AccountingJSON(
            read.get_document_by_id(db=rt.db, tenant_id=tenant_id, doc_id=memo_id)
        )
