"""PointOfSale resource (seed 003 §4.19): cash registers, receipts and daily closings.

Static path segments (``daily_closings/last``) are registered before ``{daily_closing}``
(seed §7 item 38). ``from``/``to`` dates that do not parse are ignored, as the seed says.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import Field

from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.models import V11Input
from beleg.api.v11.rendering import AccountingJSON
from beleg.domain.errors import NotFound
from beleg.domain.identity.principal import Actor
from beleg.domain.pos.registers import MAX_REGISTER
from beleg.queries.pos import receipt_print as printing
from beleg.queries.pos import registers as read
from beleg.services.documents.lines import DocLineInput
from beleg.services.pos import cancellations
from beleg.services.pos import closings as cash_closings
from beleg.services.pos import receipts as cash_receipts

RegisterNo = Annotated[int, Path(ge=0, le=MAX_REGISTER, description="Register number")]
router = APIRouter(prefix="/cash_registers", tags=["PointOfSaleResource"], route_class=BelegRoute)
READ, WRITE = "cash-registers:read", "cash-registers:write"


class ReceiptLineDto(V11Input):
    id: int | None = Field(None, description="Output only: line number 1..n")
    item_number: str | None = None
    item: str | None = Field(None, description="Item id; defaults the other fields")
    item_name: str | None = None
    item_description: str | None = None
    item_price: Decimal | None = None
    item_price_type: str | None = Field(None, description="N or T")
    unit_of_measure: str | None = None
    net_price: Decimal | None = Field(None, description="Output only: computed")
    tax_price: Decimal | None = Field(None, description="Output only: computed")
    total_price: Decimal | None = Field(None, description="Required on every line")
    discount: Decimal | None = None
    discount_mode: str | None = Field(None, description="CONSTANT (default), RATE, CONSTANT_TOTAL")
    amount: Decimal | None = Field(None, description="Quantity, default 1")
    account: str | None = None
    tax_class_entry: str | None = None
    note: str | None = None


class ReceiptDto(V11Input):
    id: str | None = Field(None, description="Output only: the receipt number")
    type: str | None = Field(None, description="INCOME or REBOOK (required)")
    date_time: dt.datetime | None = Field(
        None, description="Local time; default now; earlier only with allowPastIncome"
    )
    customer: str | None = None
    customer_name: str | None = None
    customer_mail: str | None = None
    additional_address: str | None = None
    reference_date: dt.date | None = None
    reference_text: str | None = None
    total_amount: Decimal | None = Field(None, description="Required: the sum of the lines")
    to_account: str | None = None
    from_account: str | None = None
    description: str | None = None
    lines: list[ReceiptLineDto] = Field(default_factory=list)
    address_info: dict[str, Any] | None = None
    text_after_lines: str | None = None


class DailyClosingFinalizationDto(V11Input):
    closing_balance: Decimal | None = Field(None, description="Required: as the register shows it")
    total_count: int | None = Field(None, description="Required: as the register shows it")


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None  # seed §4.19.1/3: an invalid date is ignored


def _receipt_input(body: ReceiptDto) -> cash_receipts.ReceiptInput:
    lines = [
        DocLineInput(
            amount=ln.amount,
            total_price=ln.total_price,
            name=ln.item_name,
            description=ln.item_description,
            item_price=ln.item_price,
            item_price_type=ln.item_price_type,
            unit_of_measure=ln.unit_of_measure,
            discount=ln.discount,
            discount_mode=ln.discount_mode,
            item_number=ln.item_number,
            item=ln.item,
            account=ln.account,
            tax_class_entry=ln.tax_class_entry,
        )
        for ln in body.lines
    ]
    return cash_receipts.ReceiptInput(
        receipt_type=body.type,
        total_amount=body.total_amount,
        lines=lines,
        date_time=body.date_time,
        customer=body.customer,
        customer_name=body.customer_name,
        customer_mail=body.customer_mail,
        additional_address=body.additional_address,
        address_info=body.address_info,
        reference_date=body.reference_date,
        reference_text=body.reference_text,
        text_after_lines=body.text_after_lines,
        from_account=body.from_account,
        to_account=body.to_account,
        description=body.description,
    )


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
        read.list_receipts(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            number=cash_register,
            since=_day(since),
            until=_day(until),
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
            since=_day(since),
            until=_day(until),
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
    created = cash_receipts.create_receipt(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        register_no=cash_register,
        data=_receipt_input(body),
        clock=rt.clock,
    )
    return AccountingJSON(
        read.get_receipt(
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
        read.get_receipt(
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
        read.get_receipt(
            db=rt.db, tenant_id=tenant_id, number=cash_register, receipt=cancellation.number
        )
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
    day = _day(daily_closing)
    if day is None:
        raise NotFound("pos.closing_day_not_found", field="daily_closing", day=daily_closing)
    return AccountingJSON(
        read.get_closing(
            db=rt.db, tenant_id=actor.principal.tenant_id, number=cash_register, day=day
        )
    )
