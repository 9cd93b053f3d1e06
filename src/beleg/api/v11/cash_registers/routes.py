"""PointOfSale resource (seed 003 §4.19): cash registers, receipts and daily closings.

Static path segments (``daily_closings/last``) are registered before ``{daily_closing}``
(seed §7 item 38). ``from``/``to`` dates that do not parse are ignored, as the seed says.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from beleg.api.inputs import WholeNumber
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.cash_registers.models import (
    DailyClosingFinalizationDto,
    MailRecipientDto,
    ReceiptDto,
    closing_day,
    receipt_input,
)
from beleg.api.v11.rendering import AccountingJSON
from beleg.domain.errors import NotFound
from beleg.domain.identity.principal import Actor
from beleg.domain.pos.registers import MAX_REGISTER
from beleg.queries.delivery import receipt_mails as mailed
from beleg.queries.pos import receipt_print as printing
from beleg.queries.pos import registers as read
from beleg.services.delivery import receipt_mails
from beleg.services.pos import cancellations
from beleg.services.pos import closings as cash_closings

RegisterNo = Annotated[WholeNumber, Path(ge=0, le=MAX_REGISTER, description="Register number")]
router = APIRouter(prefix="/cash_registers", tags=["PointOfSaleResource"], route_class=BelegRoute)
READ, WRITE = "cash-registers:read", "cash-registers:write"


@router.get(
    "",
    operation_id="listCashRegisters",
    response_class=AccountingJSON,
    summary="Cash registers that take receipts (active and the test register)",
)
def list_registers(rt: Runtime = Depends(runtime), actor: Actor = requires(READ)) -> Response:
    return AccountingJSON(read.list_registers(db=rt.db, tenant_id=actor.principal.tenant_id))


@router.get("/{cash_register}", operation_id="getCashRegister", response_class=AccountingJSON)
def get_register(
    cash_register: RegisterNo, rt: Runtime = Depends(runtime), actor: Actor = requires(READ)
) -> Response:
    return AccountingJSON(
        read.get_register(db=rt.db, tenant_id=actor.principal.tenant_id, number=cash_register)
    )


@router.get(
    "/{cash_register}/layout", operation_id="getCashRegisterLayout", response_class=AccountingJSON
)
def get_layout(
    cash_register: RegisterNo, rt: Runtime = Depends(runtime), actor: Actor = requires(READ)
) -> Response:
    return AccountingJSON(
        read.get_layout(db=rt.db, tenant_id=actor.principal.tenant_id, number=cash_register)
    )


@router.get(
    "/{cash_register}/receipts",
    operation_id="listReceipts",
    response_class=AccountingJSON,
    summary="Receipts, optionally by date",
)
def list_receipts(
    cash_register: RegisterNo,
    since: str | None = Query(None, alias="from"),
    until: str | None = Query(None, alias="to"),
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(READ),
) -> Response:
    return AccountingJSON(
        mailed.list_receipts(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            number=cash_register,
            since=closing_day(since),
            until=closing_day(until),
        )
    )


@router.get(
    "/{cash_register}/daily_closings",
    operation_id="listDailyClosings",
    response_class=AccountingJSON,
    summary="Daily closings, newest first",
)
def list_closings(
    cash_register: RegisterNo,
    since: str | None = Query(None, alias="from"),
    until: str | None = Query(None, alias="to"),
    limit: int | None = Query(None, ge=1, le=1000),
    *,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(READ),
) -> Response:
    return AccountingJSON(
        read.list_closings(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            number=cash_register,
            since=closing_day(since),
            until=closing_day(until),
            limit=limit,
        )
    )


@router.post(
    "/{cash_register}/receipts",
    operation_id="createReceipt",
    response_class=AccountingJSON,
    summary="Create an INCOME or REBOOK receipt",
)
def create_receipt(
    cash_register: RegisterNo,
    body: ReceiptDto,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(WRITE),
) -> Response:
    tenant_id = actor.principal.tenant_id
    created = receipt_mails.create_receipt(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        register_no=cash_register,
        data=receipt_input(body),
        clock=rt.clock,
    )
    return AccountingJSON(
        mailed.get_receipt(
            db=rt.db, tenant_id=tenant_id, number=cash_register, receipt=created.number
        )
    )


@router.get(
    "/{cash_register}/receipts/{receipt}", operation_id="getReceipt", response_class=AccountingJSON
)
def get_receipt(
    cash_register: RegisterNo,
    receipt: str,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(READ),
) -> Response:
    return AccountingJSON(
        mailed.get_receipt(
            db=rt.db, tenant_id=actor.principal.tenant_id, number=cash_register, receipt=receipt
        )
    )


@router.get(
    "/{cash_register}/receipts/{receipt}/document",
    operation_id="getReceiptDocument",
    response_class=Response,
    summary="The receipt as PDF",
)
def receipt_document(
    cash_register: RegisterNo,
    receipt: str,
    type: str = Query("attachment", description="attachment or inline"),
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(READ),
) -> Response:
    disposition = "inline" if type == "inline" else "attachment"
    content = printing.receipt_pdf(
        db=rt.db, tenant_id=actor.principal.tenant_id, number=cash_register, receipt=receipt
    )
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'{disposition}; filename="{receipt}.pdf"'},
    )


@router.get(
    "/{cash_register}/receipts/{receipt}/layout/star",
    operation_id="getStarReceipt",
    response_class=AccountingJSON,
    summary="The receipt for Star receipt printers",
)
def receipt_star(
    cash_register: RegisterNo,
    receipt: str,
    width: int | None = Query(None, ge=1, le=200),
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(READ),
) -> Response:
    return AccountingJSON(
        printing.receipt_star(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            number=cash_register,
            receipt=receipt,
            width=width,
        )
    )


@router.post(
    "/{cash_register}/receipts/{receipt}/cancel",
    operation_id="cancelReceipt",
    response_class=AccountingJSON,
    summary="Cancel a receipt (no body)",
)
def cancel_receipt(
    cash_register: RegisterNo,
    receipt: str,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(WRITE),
) -> Response:
    tenant_id = actor.principal.tenant_id
    cancellation = cancellations.cancel_receipt(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        register_no=cash_register,
        number=receipt,
        clock=rt.clock,
    )
    return AccountingJSON(
        mailed.get_receipt(
            db=rt.db, tenant_id=tenant_id, number=cash_register, receipt=cancellation.number
        )
    )


@router.post(
    "/{cash_register}/receipts/{receipt}/send_mail",
    operation_id="postReceiptSendMail",
    response_class=AccountingJSON,
    summary="Mail the receipt's PDF to the given address (required even with customerMail)",
)
def send_mail(
    cash_register: RegisterNo,
    receipt: str,
    body: MailRecipientDto,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(WRITE),
) -> Response:
    tenant_id = actor.principal.tenant_id
    receipt_mails.send_receipt_mail(
        db=rt.db,
        tenant_id=tenant_id,
        register_no=cash_register,
        number=receipt,
        address=body.address,
        clock=rt.clock,
    )
    return AccountingJSON(
        mailed.get_receipt(db=rt.db, tenant_id=tenant_id, number=cash_register, receipt=receipt)
    )


@router.get(
    "/{cash_register}/daily_closings/last",
    operation_id="getLastDailyClosing",
    response_class=AccountingJSON,
)
def last_closing(
    cash_register: RegisterNo, rt: Runtime = Depends(runtime), actor: Actor = requires(READ)
) -> Response:
    return AccountingJSON(
        read.get_closing(
            db=rt.db, tenant_id=actor.principal.tenant_id, number=cash_register, day=None
        )
    )


@router.post(
    "/{cash_register}/daily_closings/last/finalize",
    operation_id="finalizeDailyClosing",
    response_class=AccountingJSON,
)
def finalize(
    cash_register: RegisterNo,
    body: DailyClosingFinalizationDto,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(WRITE),
) -> Response:
    tenant_id = actor.principal.tenant_id
    day = cash_closings.finalize(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        register_no=cash_register,
        closing_balance=body.closing_balance,
        total_count=body.total_count,
        clock=rt.clock,
    )
    return AccountingJSON(
        read.get_closing(db=rt.db, tenant_id=tenant_id, number=cash_register, day=day)
    )


def _close(cash_register: int, rt: Runtime, actor: Actor, *, yearly: bool) -> Response:
    tenant_id = actor.principal.tenant_id
    day = cash_closings.close_period(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        register_no=cash_register,
        yearly=yearly,
        clock=rt.clock,
    )
    return AccountingJSON(
        read.get_closing(db=rt.db, tenant_id=tenant_id, number=cash_register, day=day)
    )


@router.post(
    "/{cash_register}/daily_closings/last/close_month",
    operation_id="closeMonth",
    response_class=AccountingJSON,
)
def close_month(
    cash_register: RegisterNo, rt: Runtime = Depends(runtime), actor: Actor = requires(WRITE)
) -> Response:
    return _close(cash_register, rt, actor, yearly=False)


@router.post(
    "/{cash_register}/daily_closings/last/close_year",
    operation_id="closeYear",
    response_class=AccountingJSON,
)
def close_year(
    cash_register: RegisterNo, rt: Runtime = Depends(runtime), actor: Actor = requires(WRITE)
) -> Response:
    return _close(cash_register, rt, actor, yearly=True)


@router.get(
    "/{cash_register}/daily_closings/{daily_closing}",
    operation_id="getDailyClosing",
    response_class=AccountingJSON,
)
def get_closing(
    cash_register: RegisterNo,
    daily_closing: str,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires(READ),
) -> Response:
    day = closing_day(daily_closing)
    if day is None:
        raise NotFound("pos.closing_day_not_found", field="daily_closing", day=daily_closing)
    return AccountingJSON(
        read.get_closing(
            db=rt.db, tenant_id=actor.principal.tenant_id, number=cash_register, day=day
        )
    )
