"""What clients send to the contract use cases, and the rules that build a contract's items
from its plan and check them (typed records; every rule names its field, e.g.
``items[1].quantity``)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from beleg.domain.amounts import check_amount
from beleg.domain.catalog.options import TaxCategory, TaxExemption, check_exemption
from beleg.domain.catalog.plans import Plan, PlanStatus, checked_model
from beleg.domain.catalog.price_rules import PriceInput
from beleg.domain.catalog.pricing import PriceModel
from beleg.domain.contracts.records import ContractItem, ItemStatus
from beleg.domain.errors import Conflict, ValidationFailed

HUNDRED = Decimal(100)
QUANTITY_PLACES = 6
DISCOUNT_PLACES = 4
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class ItemInput:
    """A subscription item as sent: its option (an item of the plan) and what differs from
    the plan (quantity, special price, discount, texts, status)."""

    option: str
    quantity: Decimal | None = None
    special_price: PriceInput | None = None
    discount_percent: Decimal | None = None
    additional_text: str | None = None
    tax_exemption: Mapping[str, Any] | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class ContractInput:
    customer_id: uuid.UUID
    plan: str
    start_date: date
    contract_number: str | None = None
    items: Sequence[ItemInput] | None = None  # None: one item per item of the plan
    pricing_group: str | None = None
    billing_group: str | None = None
    invoice_recipient_email: str | None = None
    internal_identifier: str | None = None


@dataclass(frozen=True, slots=True)
class ItemChange:
    """A change of one existing item (PATCH ``items[]``), addressed by its ``id``."""

    id: uuid.UUID
    status: str | None = None
    additional_text: str | None = None
    special_price: PriceInput | None = None
    discount_percent: Decimal | None = None
    fields: frozenset[str] = field(default_factory=frozenset)  # the fields that were sent


def usable_plan(plan: Plan | None, code: str, field_name: str = "plan") -> Plan:
    """The plan ``code`` for a new contract or a plan change: it must exist and be active."""
    if plan is None:
        raise ValidationFailed("contracts.plan_unknown", field=field_name, plan=code)
    if plan.status is PlanStatus.CANCELLED:
        raise Conflict("contracts.plan_cancelled", field=field_name, plan=code)
    return plan


def build_items(
    plan: Plan, given: Sequence[ItemInput] | None, *, served_from: date
) -> tuple[ContractItem, ...]:
    """The items of a contract on ``plan`` from ``served_from``: those given (each an item
    of the plan, at most once) or, when none are given, one per item of the plan."""
    wanted = given if given is not None else [ItemInput(option=i.option) for i in plan.items]
    by_option = {item.option: item for item in plan.items}
    seen: set[str] = set()
    items = []
    for index, item in enumerate(wanted):
        at = f"items[{index}]"
        plan_item = by_option.get(item.option)
        if plan_item is None:
            raise ValidationFailed(
                "contracts.option_not_in_plan", field=f"{at}.option", option=item.option
            )
        if item.option in seen:
            raise ValidationFailed("contracts.item_twice", field=f"{at}.option", option=item.option)
        seen.add(item.option)
        quantity = item.quantity if item.quantity is not None else plan_item.quantity
        items.append(
            new_item(item, plan=plan.code, quantity=quantity, served_from=served_from, at=at)
        )
    return tuple(items)


def new_item(
    item: ItemInput, *, plan: str, quantity: Decimal | None, served_from: date, at: str
) -> ContractItem:
    return ContractItem(
        id=uuid.uuid4(),
        item_key=uuid.uuid4(),
        plan=plan,
        option=item.option,
        quantity=check_quantity(quantity if quantity is not None else Decimal(1), f"{at}.quantity"),
        status=item_status(item.status, f"{at}.status"),
        served_from=served_from,
        special_price=special_price(item.special_price, f"{at}.specialPrice"),
        discount_percent=discount(item.discount_percent, f"{at}.discountPercent"),
        tax_exemption=tax_exemption(item.tax_exemption, f"{at}.taxExemption"),
        additional_text=item.additional_text,
    )


def check_quantity(value: Decimal, field_name: str) -> Decimal:
    """Not negative, with at most 6 decimals (the stored scale)."""
    check_amount(value, field_name, places=QUANTITY_PLACES)
    if value < 0:
        raise ValidationFailed("contracts.quantity_negative", field=field_name)
    return value


def discount(value: Decimal | None, field_name: str) -> Decimal:
    """0 to 100 percent with at most 4 decimals (the stored scale)."""
    if value is None:
        return Decimal(0)
    check_amount(value, field_name, places=DISCOUNT_PLACES)
    if not 0 <= value <= HUNDRED:
        raise ValidationFailed("contracts.discount_range", field=field_name)
    return value


def special_price(given: PriceInput | None, field_name: str) -> PriceModel | None:
    return None if given is None else checked_model(given, field_name)


def tax_exemption(given: Mapping[str, Any] | None, field_name: str) -> dict[str, Any] | None:
    """An item's tax exemption in the option's shape (EN 16931 category, reason, VATEX code),
    checked by the catalogue's rule."""
    if given is None:
        return None
    try:
        category = TaxCategory(str(given.get("category")))
    except ValueError:
        allowed = ", ".join(c.value for c in TaxCategory)
        raise ValidationFailed(
            "catalog.choice_unknown",
            field=f"{field_name}.category",
            name="category",
            allowed=allowed,
            value=given.get("category"),
        ) from None
    unknown = set(given) - {"category", "reason", "vatexCode"}
    if unknown:
        raise ValidationFailed(
            "contracts.exemption_field_unknown", field=f"{field_name}.{min(unknown)}"
        )
    exemption = TaxExemption(category, _text(given.get("reason")), _text(given.get("vatexCode")))
    check_exemption(exemption, field_name)
    return {
        "category": category.value,
        "reason": exemption.reason,
        "vatexCode": exemption.vatex_code,
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def check_texts(given: ContractInput) -> None:
    """The contract's texts fit their columns; the invoice recipient is an e-mail address."""
    for value, field_name, limit in (
        (given.contract_number, "contractNumber", 50),
        (given.billing_group, "billingGroup", 50),
        (given.internal_identifier, "internalIdentifier", 100),
    ):
        check_length(value, field_name, limit)
    check_email(given.invoice_recipient_email)


def check_length(value: str | None, field_name: str, limit: int) -> None:
    if value is not None and not 1 <= len(value) <= limit:
        raise ValidationFailed("contracts.text_length", field=field_name, limit=limit)


def check_email(value: str | None, field_name: str = "invoiceRecipientEmail") -> None:
    check_length(value, field_name, 254)
    if value is not None and not EMAIL.match(value):
        raise ValidationFailed("contracts.email_invalid", field=field_name)


def item_status(value: str | None, field_name: str) -> ItemStatus:
    if value is None:
        return ItemStatus.ACTIVE
    try:
        return ItemStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ItemStatus)
        raise ValidationFailed(
            "contracts.item_status_unknown", field=field_name, allowed=allowed, value=value
        ) from None


def check_pricing_group(plan: Plan, code: str | None, field_name: str = "pricingGroup") -> None:
    if code is not None and code not in {group.code for group in plan.pricing_groups}:
        raise ValidationFailed(
            "contracts.pricing_group_unknown", field=field_name, group=code, plan=plan.code
        )
