"""Request bodies of the PointOfSale API (seed 003 ReceiptDto, ReceiptLineDto,
MailRecipientDto, DailyClosingFinalizationDto) and their service inputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from beleg.api.inputs import BusinessDate, BusinessDateTime, WholeNumber
from beleg.api.routing import BelegRoute
from beleg.api.v11.models import V11Input
from beleg.api.v11.rendering import Number
from beleg.domain import dates
from beleg.domain.pos.registers import MAX_REGISTER
from beleg.services.documents.lines import DocLineInput
from beleg.services.pos import receipts as cash_receipts

RegisterNo = Annotated[WholeNumber, Path(ge=0, le=MAX_REGISTER, description="Register number")]
router = APIRouter(prefix="/cash_registers", tags=["PointOfSaleResource"], route_class=BelegRoute)
READ, WRITE = "cash-registers:read", "cash-registers:write"


class ReceiptLineDto(V11Input):
    id: int | None = Field(None, description="Output only: line number 1..n")
    item_number: str | None = None
    item: str | None = Field(None, description="Item id; defaults the other fields")
    item_name: str | None = None
    item_description: str | None = None
    item_price: Number | None = None
    item_price_type: str | None = Field(None, description="N or T")
    unit_of_measure: str | None = None
    net_price: Number | None = Field(None, description="Output only: computed")
    tax_price: Number | None = Field(None, description="Output only: computed")
    total_price: Number | None = Field(None, description="Required on every line")
    discount: Number | None = None
    discount_mode: str | None = Field(None, description="CONSTANT (default), RATE, CONSTANT_TOTAL")
    amount: Number | None = Field(None, description="Quantity, default 1")
    account: str | None = None
    tax_class_entry: str | None = None
    note: str | None = None


class ReceiptDto(V11Input):
    id: str | None = Field(None, description="Output only: the receipt number")
    type: str | None = Field(None, description="INCOME or REBOOK (required)")
    date_time: BusinessDateTime | None = Field(
        None, description="Local time; default now; earlier only with allowPastIncome"
    )
    customer: str | None = None
    customer_name: str | None = None
    customer_mail: str | None = None
    additional_address: str | None = None
    reference_date: BusinessDate | None = None
    reference_text: str | None = None
    total_amount: Number | None = Field(None, description="Required: the sum of the lines")
    to_account: str | None = None
    from_account: str | None = None
    description: str | None = None
    lines: list[ReceiptLineDto] = Field(default_factory=list)
    address_info: dict[str, Any] | None = None
    text_after_lines: str | None = None


class MailRecipientDto(V11Input):
    address: str | None = Field(None, description="Required: the recipient's e-mail address")


class DailyClosingFinalizationDto(V11Input):
    closing_balance: Number | None = Field(None, description="Required: as the register shows it")
    total_count: int | None = Field(None, description="Required: as the register shows it")


def closing_day(value: str | None) -> dt.date | None:
    """A ``from``/``to`` filter day. Seed §4.19.1/3: an invalid date is ignored, and one
    outside the business date range (``domain/dates.py``) counts as invalid."""
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and dates.in_range(day) else None


def receipt_input(body: ReceiptDto) -> cash_receipts.ReceiptInput:
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
