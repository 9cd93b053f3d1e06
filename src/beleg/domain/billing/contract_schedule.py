"""A contract and its plan's pricing as the charge calculation's ``Schedule``, and the
contract's prices at a date (``GET /v2/contracts/{id}/prices``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from beleg.domain.billing.days import discounted
from beleg.domain.billing.schedule import BillingTiming, ChargeItem, Schedule
from beleg.domain.catalog.plan_pricing import OptionPricing, PriceVersion
from beleg.domain.catalog.pricing import PriceModel, rate
from beleg.domain.contracts.periods import Period, Realignment, periods
from beleg.domain.contracts.records import Contract, ContractItem, ItemStatus
from beleg.domain.dates import LATEST
from beleg.domain.errors import ValidationFailed
from beleg.money import Currency

Pricing = Mapping[tuple[str, str], OptionPricing]


def schedule_for(contract: Contract, pricing: Pricing) -> Schedule:
    """The charge calculation's view of ``contract``; ``pricing`` maps (plan code, option
    code) to how that plan prices the option, for the plan of every item version (a large
    plan change leaves the old plan's versions in the history)."""
    return Schedule(
        currency=Currency.of(contract.frame.currency),
        start=contract.start,
        interval=contract.frame.interval,
        timing=BillingTiming(contract.frame.billing_timing),
        items=tuple(_charge_item(contract, item, pricing) for item in contract.items),
        end=contract.charged_until(),
        realignments=tuple(
            Realignment(r.next_period_start, r.invoice_text) for r in contract.realignments
        ),
        pauses=_free_days(contract),
    )


def _free_days(contract: Contract) -> tuple[Period, ...]:
    """Days not charged: the trial (the plan's TRIAL phase) and the pauses."""
    pauses = tuple(Period(p.paused_from, p.paused_to or LATEST) for p in contract.pauses)
    trial_end = contract.trial_end
    return pauses if trial_end is None else (Period(contract.start, trial_end), *pauses)


def _charge_item(contract: Contract, item: ContractItem, pricing: Pricing) -> ChargeItem:
    option = _pricing(pricing, item)
    return ChargeItem(
        key=str(item.item_key),
        option=item.option,
        description=option.name,
        kind=option.kind,
        quantity=item.quantity,
        prices=option.prices,
        tax_rate=Decimal(0) if item.tax_exemption else option.tax_rate,  # the item's own first
        served_from=item.served_from,
        served_to=item.served_to,
        special_price=item.special_price,
        discount_percent=item.discount_percent,
        free_quota=option.free_quota,
        cap=option.cap(contract.pricing_group),
        on_hold=item.status is ItemStatus.ON_HOLD,
        tax_exemption=item.tax_exemption or option.tax_exemption,
    )


def _pricing(pricing: Pricing, item: ContractItem) -> OptionPricing:
    found = pricing.get((item.plan, item.option))
    if found is None:
        raise ValidationFailed("contracts.option_not_in_plan", field="items", option=item.option)
    return found


@dataclass(frozen=True, slots=True)
class ItemPrice:
    """An item's price on a date: the version in force, the whole period's net amount (after
    special price and discount, exact) and its status."""

    item: ContractItem
    option: OptionPricing
    version: PriceVersion | None
    model: PriceModel | None
    period_amount: Decimal | None


def prices_at(contract: Contract, pricing: Pricing, day: date) -> tuple[ItemPrice, ...]:
    """The prices of the items current on ``day`` (usage items: their model, no amount): the
    price versions in force on the first day of the service period of ``day``, as the
    calculation bills them (a version starting mid-period applies from the next period)."""
    priced_on = _period_start(contract, day)
    found = []
    for item in contract.items_on(day):
        option = _pricing(pricing, item)
        valid = [v for v in option.prices if v.valid_from <= priced_on] or [
            v for v in option.prices if v.valid_from <= day
        ]
        version = max(valid, key=lambda v: v.valid_from) if valid else None
        model = item.special_price or (version.model if version else None)
        amount = None
        if model is not None and not option.kind.is_usage:
            amount = discounted(rate(model, item.quantity).amount, item.discount_percent)
        found.append(ItemPrice(item, option, version, model, amount))
    return tuple(found)


def _period_start(contract: Contract, day: date) -> date:
    """The first day of the grid period that serves ``day`` (``day`` itself before the start)."""
    found = day
    for service in periods(
        start=contract.start,
        interval=contract.frame.interval,
        realignments=[Realignment(r.next_period_start) for r in contract.realignments],
        until=day,
    ):
        if service.part.contains(day):
            found = service.grid.start
    return found
