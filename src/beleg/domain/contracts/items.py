"""What clients send to the contract use cases, and the rules that build a contract's items
from its plan and check them (typed records; every rule names its field, e.g.
``items[1].quantity``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from beleg.domain.catalog.plans import Plan, PlanStatus
from beleg.domain.catalog.price_rules import PriceInput, price_model
from beleg.domain.contracts.records import ContractItem, ItemStatus
from beleg.domain.errors import Conflict, ValidationFailed

HUNDRED = Decimal(100)


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
        tax_exemption=dict(item.tax_exemption) if item.tax_exemption else None,
        additional_text=item.additional_text,
    )


def check_quantity(value: Decimal, field_name: str) -> Decimal:
    if not value.is_finite() or value < 0:
        raise ValidationFailed("contracts.quantity_negative", field=field_name)
    return value


def discount(value: Decimal | None, field_name: str) -> Decimal:
    if value is None:
        return Decimal(0)
    if not value.is_finite() or not 0 <= value <= HUNDRED:
        raise ValidationFailed("contracts.discount_range", field=field_name)
    return value


def special_price(given: PriceInput | None, field_name: str) -> Any:
    return None if given is None else price_model(given, field=field_name)


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
