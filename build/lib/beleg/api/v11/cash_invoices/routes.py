"""CashBasedInvoicingIncoming and CashBasedInvoicingOutgoing (seed 003 §4.3, §4.4).

The two resources are identical apart from the party (supplier/customer), the line accounts
and the number prefix, so one factory builds both routers. Mutations answer the envelope
``{result, warnings, infos}`` with the German info messages of the seed (English with
``Accept-Language: en``); reads answer the bare DTO.
"""

import uuid
from collections.abc import Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from beleg import messages
from beleg.api.language import preferred_language
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.cash_invoices.reads import add_reads
from beleg.api.v11.models import (
    CancellationDto,
    CbiPaymentDto,
    IncomingInvoiceCreationDto,
    InvoiceReturnDto,
    OutgoingInvoiceCreationDto,
    RestPaymentDto,
    documented,
)
from beleg.api.v11.paths import path_uuid
from beleg.api.v11.rendering import AccountingJSON
from beleg.domain.accounting.invoices import Info, InfoKind, Outcome
from beleg.domain.accounting.lines import Direction, LineInput
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.queries.accounting import invoices as read
from beleg.services.accounting import invoices as service
from beleg.services.accounting import payments


def infos_text(request: Request, infos: Sequence[Info]) -> list[str]:
    """The seed's info messages of the envelope, German unless English is preferred."""
    language = preferred_language(request)
    return [info_text(info, language) for info in infos]


def info_text(info: Info, language: str) -> str:
    if info.kind is InfoKind.NUMBER_ASSIGNED:
        return messages.text("accounting.info_number_assigned", language, sequence=info.number)
    if info.kind is InfoKind.BOOKING_CREATED:
        return messages.text("accounting.info_booking_created", language, journal=info.number)
    return messages.text("accounting.info_booking_cancelled", language, journal=info.number)


def to_input(
    body: IncomingInvoiceCreationDto | OutgoingInvoiceCreationDto, direction: Direction
) -> service.InvoiceInput:
    if direction is Direction.INCOMING:
        partner, name = getattr(body, "supplier", None), getattr(body, "supplier_name", None)
    else:
        partner, name = getattr(body, "customer", None), getattr(body, "customer_name", None)
    lines = [
        LineInput(
            account=ln.account,
            amount=ln.amount,
            amount_type=ln.amount_type,
            tax_entry=ln.tax_entry,
            description=ln.description,
            private_part=ln.private_part,
            private_part_type=ln.private_part_type,
            private_part_account=ln.private_part_account,
            modifier=ln.tax_entry_modifier,
            additional_sequence=ln.additional_sequence,
            given={
                "netAmount": ln.net_amount,
                "taxAmount": ln.tax_amount,
                "totalAmount": ln.total_amount,
            },
        )
        for ln in body.lines
    ]
    return service.InvoiceInput(
        invoice_date=body.invoice_date,
        lines=lines,
        due_date=body.due_date,
        paid_date=body.paid_date,
        paid_contra_account=body.paid_contra_account,
        invoice_reference=body.invoice_reference,
        description=body.description,
        currency=body.currency,
        currency_rate=body.currency_rate,
        partner_id=_uuid(partner, "supplier" if direction is Direction.INCOMING else "customer"),
        partner_name=name,
        delivery_from=body.delivery_from_date,
        delivery_to=body.delivery_to_date,
        given_totals={"netTotal": body.net_total, "taxTotal": body.tax_total, "total": body.total},
    )


def _uuid(value: str | None, field: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed("accounting.partner_not_uuid", field=field, name=field) from None


def build(direction: Direction) -> APIRouter:
    """The router of ``/incoming_invoices`` or ``/outgoing_invoices``."""
    incoming = direction is Direction.INCOMING
    base = "/incoming_invoices" if incoming else "/outgoing_invoices"
    tag = "CashBasedInvoicingIncoming" if incoming else "CashBasedInvoicingOutgoing"
    noun = "IncomingInvoice" if incoming else "OutgoingInvoice"
    router = APIRouter(prefix=base, tags=[tag], route_class=BelegRoute)
    add_reads(router, direction, noun)
    _add_writes(router, direction, noun)
    return router


def _add_writes(router: APIRouter, direction: Direction, noun: str) -> None:
    create_model = (
        IncomingInvoiceCreationDto
        if direction is Direction.INCOMING
        else OutgoingInvoiceCreationDto
    )

    def envelope(request: Request, rt: Runtime, actor: Actor, outcome: Outcome) -> Response:
        result = read.get_invoice(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            invoice_id=outcome.invoice.id,
        )
        return AccountingJSON(
            {"result": result, "warnings": [], "infos": infos_text(request, outcome.infos)}
        )

    @router.post(
        "",
        operation_id=f"create{noun}",
        response_class=AccountingJSON,
        responses=documented(InvoiceReturnDto),
        summary=f"Create an {direction.name.lower()} invoice",
    )
    def create(
        body: create_model,  # type: ignore[valid-type]  # the model is picked per direction at runtime
        request: Request,
        actor: Actor = requires("ledger:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        outcome = service.create_invoice(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            data=to_input(body, direction),
            clock=rt.clock,
        )
        return envelope(request, rt, actor, outcome)

    @router.delete("/{invoice}", operation_id=f"delete{noun}", status_code=200)
    def remove(
        invoice: str, actor: Actor = requires("ledger:write"), rt: Runtime = Depends(runtime)
    ) -> Response:
        service.delete_invoice(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            invoice_id=path_uuid(invoice, "invoice"),
            clock=rt.clock,
        )
        return Response(status_code=200)

    @router.post(
        "/{invoice}/pay",
        operation_id=f"pay{noun}",
        response_class=AccountingJSON,
        responses=documented(InvoiceReturnDto),
    )
    def pay(
        invoice: str,
        body: CbiPaymentDto,
        request: Request,
        actor: Actor = requires("ledger:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        payment = payments.PaymentInput(
            payment_date=body.payment_date,
            contra_account=body.contra_account,
            amount=body.payment_amount,
            amount_main=body.payment_amount_in_main_currency,
            rate=body.currency_rate,
            payment_type=body.payment_type,
            description=body.payment_description,
        )
        done = payments.pay(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            invoice_id=path_uuid(invoice, "invoice"),
            payment=payment,
            clock=rt.clock,
        )
        return envelope(request, rt, actor, done)

    @router.post(
        "/{invoice}/pay_rest",
        operation_id=f"payRest{noun}",
        response_class=AccountingJSON,
        responses=documented(InvoiceReturnDto),
    )
    def pay_rest(
        invoice: str,
        body: RestPaymentDto,
        request: Request,
        actor: Actor = requires("ledger:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        done = payments.pay_rest(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            invoice_id=path_uuid(invoice, "invoice"),
            rest_type=body.type,
            payment_date=body.payment_date,
            rate=body.currency_rate,
            description=body.payment_description,
            clock=rt.clock,
        )
        return envelope(request, rt, actor, done)

    @router.post(
        "/{invoice}/cancel",
        operation_id=f"cancel{noun}",
        response_class=AccountingJSON,
        responses=documented(InvoiceReturnDto),
    )
    def cancel(
        invoice: str,
        body: CancellationDto,
        request: Request,
        actor: Actor = requires("ledger:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        outcome = service.cancel_invoice(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            invoice_id=path_uuid(invoice, "invoice"),
            cancel_date=body.cancel_date,
            reason=body.cancel_reason,
            clock=rt.clock,
        )
        return envelope(request, rt, actor, outcome)

    @router.post(
        "/{invoice}/bookings/{booking}/cancel",
        operation_id=f"cancel{noun}Booking",
        response_class=AccountingJSON,
        responses=documented(InvoiceReturnDto),
    )
    def cancel_booking(
        *,
        invoice: str,
        booking: str,
        body: CancellationDto,
        request: Request,
        actor: Actor = requires("ledger:write"),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        done = payments.cancel_payment(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            direction=direction,
            invoice_id=path_uuid(invoice, "invoice"),
            booking_id=path_uuid(booking, "booking"),
            cancel_date=body.cancel_date,
            reason=body.cancel_reason,
            clock=rt.clock,
        )
        return envelope(request, rt, actor, done)
