"""The wire shapes of ``/v2/contracts`` (spec/billing-api.md "Contract", "DocumentPreview")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from beleg.api.inputs import BusinessDate
from beleg.api.schemas import ApiInput, ApiModel
from beleg.api.v2.plans import PriceModelIn
from beleg.domain.catalog.price_rules import PriceInput
from beleg.domain.contracts.items import ContractInput, ItemChange, ItemInput

PRICE_HELP = "Replaces the plan's price for this contract; the shape of a plan item's price"


class IntervalOut(ApiModel):
    unit: str = Field(description="DAY, MONTH or YEAR")
    count: int


class PeriodOut(ApiModel):
    from_: date = Field(alias="from")
    to: date


class ItemOut(ApiModel):
    id: uuid.UUID = Field(description="This version of the item")
    item_key: uuid.UUID = Field(description="The item across its versions (plan changes)")
    plan: str
    option: str
    quantity: Decimal
    special_price: dict[str, Any] | None = None
    discount_percent: Decimal
    status: str = Field(description="ACTIVE or ON_HOLD (held: not charged)")
    additional_text: str | None = None
    tax_exemption: dict[str, Any] | None = None
    served_from: date
    served_to: date | None = None


class ServiceCycleOut(ApiModel):
    next_period_start: date
    invoice_text: str | None = None


class PauseOut(ApiModel):
    from_: date = Field(alias="from")
    to: date | None = None


class ContractOut(ApiModel):
    id: uuid.UUID
    contract_number: str
    customer: uuid.UUID
    plan: str
    status: str = Field(description="DRAFT, ACTIVE, TERMINATED, ENDED or CANCELLED")
    currency: str
    start_date: date
    end_date: date | None = Field(None, description="The last day of service once terminated")
    termination_type: str | None = None
    terminated_on: date | None = None
    billing_interval: IntervalOut
    billing_timing: str
    minimum_term: IntervalOut
    renewal_term: IntervalOut = Field(description="count 0: no automatic renewal")
    notice_period: IntervalOut
    trial_end: date | None = Field(None, description="The last day of the plan's free trial")
    pricing_group: str | None = None
    billing_group: str | None = None
    invoice_recipient_email: str | None = None
    internal_identifier: str | None = None
    items: list[ItemOut]
    service_cycle_changes: list[ServiceCycleOut]
    pauses: list[PauseOut]
    current_period: PeriodOut | None = Field(
        None, description="The service period of today (tenant's time zone)"
    )
    minimum_term_end: date | None = None
    earliest_end: date | None = Field(
        None, description="The earliest end of an ordinary termination given today"
    )
    charged_until: date | None = Field(
        None, description="The last day charged (end, or minimum term end without renewal)"
    )
    created_at: datetime
    updated_at: datetime


class ContractListItem(ApiModel):
    id: uuid.UUID
    contract_number: str
    customer: uuid.UUID
    customer_number: str | None = None
    plan: str
    status: str
    start_date: date
    end_date: date | None = None
    internal_identifier: str | None = None
    first_items: list[str] = Field(description="The options of the first two current items")
    created_at: datetime


class ItemIn(ApiInput):
    option: str = Field(description="An option that is an item of the plan")
    quantity: Decimal | None = Field(None, description="Not negative; default: the plan's")
    special_price: PriceModelIn | None = Field(None, description=PRICE_HELP)
    discount_percent: Decimal | None = Field(None, description="0 to 100")
    additional_text: str | None = None
    tax_exemption: dict[str, Any] | None = None
    status: str | None = Field(None, description="ACTIVE (default) or ON_HOLD")

    def data(self) -> ItemInput:
        return ItemInput(
            option=self.option,
            quantity=self.quantity,
            special_price=_price(self.special_price),
            discount_percent=self.discount_percent,
            additional_text=self.additional_text,
            tax_exemption=self.tax_exemption,
            status=self.status,
        )


def _price(given: PriceModelIn | None) -> PriceInput | None:
    return None if given is None else given.data()


class ContractIn(ApiInput):
    customer: uuid.UUID
    plan: str
    start_date: BusinessDate
    contract_number: str | None = Field(None, description="Default: the next of the counter")
    items: list[ItemIn] | None = Field(None, description="Default: every item of the plan")
    pricing_group: str | None = None
    billing_group: str | None = None
    invoice_recipient_email: str | None = None
    internal_identifier: str | None = None

    def data(self) -> ContractInput:
        return ContractInput(
            customer_id=self.customer,
            plan=self.plan,
            start_date=self.start_date,
            contract_number=self.contract_number,
            items=None if self.items is None else [item.data() for item in self.items],
            pricing_group=self.pricing_group,
            billing_group=self.billing_group,
            invoice_recipient_email=self.invoice_recipient_email,
            internal_identifier=self.internal_identifier,
        )


class ItemChangeIn(ApiInput):
    id: uuid.UUID = Field(description="The id of one of the contract's item versions")
    status: str | None = None
    additional_text: str | None = None
    special_price: PriceModelIn | None = Field(None, description=PRICE_HELP)
    discount_percent: Decimal | None = None

    def data(self) -> ItemChange:
        sent = frozenset(
            to_field for name, to_field in _ITEM_FIELDS.items() if name in self.model_fields_set
        )
        return ItemChange(
            id=self.id,
            status=self.status,
            additional_text=self.additional_text,
            special_price=_price(self.special_price),
            discount_percent=self.discount_percent,
            fields=sent,
        )


_ITEM_FIELDS = {
    "status": "status",
    "additional_text": "additionalText",
    "special_price": "specialPrice",
    "discount_percent": "discountPercent",
}


class ContractPatch(ApiInput):
    billing_group: str | None = None
    invoice_recipient_email: str | None = None
    internal_identifier: str | None = None
    items: list[ItemChangeIn] = Field(default_factory=list)

    def fields(self) -> dict[str, str | None]:
        names = {
            "billing_group": "billingGroup",
            "invoice_recipient_email": "invoiceRecipientEmail",
            "internal_identifier": "internalIdentifier",
        }
        return {
            wire: getattr(self, name)
            for name, wire in names.items()
            if name in self.model_fields_set
        }
