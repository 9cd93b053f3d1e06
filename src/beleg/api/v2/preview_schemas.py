"""The wire shapes of a contract's prices and of its document preview (spec/billing-api.md
"DocumentPreview / billed document line": the same shape the billing run's documents have)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import Field

from beleg.api.schemas import ApiModel
from beleg.db.plan_documents import price_document
from beleg.domain.billing.charges import Charge
from beleg.domain.billing.contract_schedule import ItemPrice
from beleg.domain.billing.documents import DocumentPreview, PreviewType, signed_net
from beleg.domain.contracts.records import Contract
from beleg.money import Currency, round_to_currency, without_trailing_zeros


class PeriodOut(ApiModel):
    from_: date = Field(alias="from")
    to: date


class TierOut(ApiModel):
    first_unit: Decimal = Field(description="Units above this one fall in the tier")
    up_to: Decimal | None
    quantity: Decimal
    unit_price: Decimal
    flat_fee: Decimal
    amount: Decimal


class ExplanationOut(ApiModel):
    price_version: str = Field(description="validFrom of the price version (+special)")
    aggregated_quantity: Decimal | None = None
    free_quota: Decimal | None = None
    capped_quantity: Decimal | None = None
    tiers: list[TierOut]
    proration_factor: str | None = Field(None, description="days of service/days of period")


class LineOut(ApiModel):
    option: str
    description: str
    service_period: PeriodOut
    quantity: Decimal
    unit_price: Decimal | None
    net_amount: Decimal
    tax_rate: Decimal
    explanation: ExplanationOut


class VatGroupOut(ApiModel):
    rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal


class DocumentPreviewOut(ApiModel):
    type: str = Field(description="INVOICE or CREDIT_NOTE (its amounts are credited)")
    date: date
    currency: str
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    vat_groups: list[VatGroupOut]
    lines: list[LineOut]


class PreviewOut(ApiModel):
    documents: list[DocumentPreviewOut]


def preview_out(document: DocumentPreview) -> dict[str, Any]:
    return {
        "type": document.type.value,
        "date": document.date,
        "currency": document.currency.code,
        "netAmount": document.net_amount,
        "taxAmount": document.tax_amount,
        "totalAmount": document.total_amount,
        "vatGroups": [
            {"rate": g.rate, "netAmount": g.net_amount, "taxAmount": g.tax_amount}
            for g in document.vat_groups
        ],
        "lines": [_line(line, document.type) for line in document.lines],
    }


def _line(line: Charge, kind: PreviewType) -> dict[str, Any]:
    """A line; a credit carried onto an invoice shows its net negative. The quantity is
    written as the run's documents write it (an item's 1.000000 as 1)."""
    why = line.explanation
    return {
        "option": line.option,
        "description": line.description,
        "servicePeriod": {"from": line.service.start, "to": line.service.end},
        "quantity": without_trailing_zeros(line.quantity),
        "unitPrice": line.unit_price,
        "netAmount": signed_net(line, kind),
        "taxRate": line.tax_rate,
        "explanation": {
            "priceVersion": why.price_version,
            "aggregatedQuantity": why.aggregated_quantity,
            "freeQuota": why.free_quota,
            "cappedQuantity": why.capped_quantity,
            "tiers": [
                {
                    "firstUnit": t.first_unit,
                    "upTo": t.last_unit,
                    "quantity": t.quantity,
                    "unitPrice": t.unit_price,
                    "flatFee": t.flat_fee,
                    "amount": t.amount,
                }
                for t in why.tiers
            ],
            "prorationFactor": None if why.proration is None else str(why.proration),
        },
    }


class ItemPriceOut(ApiModel):
    id: uuid.UUID
    item_key: uuid.UUID
    option: str
    name: str
    quantity: Decimal
    status: str
    price_version: date | None = Field(None, description="validFrom of the version in force")
    special_price: bool
    price: dict[str, Any] | None = None
    discount_percent: Decimal
    period_net_amount: Decimal | None = Field(
        None, description="A whole period's net at this price (none for usage items)"
    )


class PricesOut(ApiModel):
    at: date
    currency: str
    items: list[ItemPriceOut]
    period_net_amount: Decimal = Field(description="The sum of the items' period amounts")


def prices_out(contract: Contract, found: tuple[ItemPrice, ...], at: date) -> dict[str, Any]:
    currency = Currency.of(contract.frame.currency)
    items = [_item_price(p, currency) for p in found]
    total = sum((i["periodNetAmount"] or Decimal(0) for i in items), Decimal(0))
    return {
        "at": at,
        "currency": currency.code,
        "items": items,
        "periodNetAmount": round_to_currency(total, currency),
    }


def _item_price(found: ItemPrice, currency: Currency) -> dict[str, Any]:
    item = found.item
    amount = found.period_amount
    return {
        "id": item.id,
        "itemKey": item.item_key,
        "option": item.option,
        "name": found.option.name,
        "quantity": item.quantity,
        "status": item.status.value,
        "priceVersion": None if found.version is None else found.version.valid_from,
        "specialPrice": item.special_price is not None,
        "price": None if found.model is None else price_document(found.model),
        "discountPercent": item.discount_percent,
        "periodNetAmount": None if amount is None else round_to_currency(amount, currency),
    }
