"""Plans: terms, phases, pricing groups and items with their price versions
(spec/billing-api.md, "Plan"). Pure rules and records; every violation names its field
(``items[0].price.tiers[1].upTo``, ``pricingGroups[0].maxQuantity.CPU_HOURS``).

Price versions: an item keeps every price it ever had, each effective from its ``valid_from``
until the next one; the version in force on a day is the latest that started on or before it.
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from beleg.domain.amounts import check_amount
from beleg.domain.catalog.intervals import Interval, IntervalUnit
from beleg.domain.catalog.options import (
    NAME_LIMIT,
    OptionKind,
    check_code,
    check_text,
    choice,
)
from beleg.domain.catalog.price_rules import PriceInput, price_model
from beleg.domain.catalog.pricing import PriceModel
from beleg.domain.errors import ValidationFailed

MAX_COUNT = 1200  # a hundred years of months: no longer term is a business term
BILLING_UNITS = (IntervalUnit.MONTH, IntervalUnit.YEAR)
TERM_UNITS = (IntervalUnit.DAY, IntervalUnit.MONTH, IntervalUnit.YEAR)
NOTICE_UNITS = (IntervalUnit.DAY, IntervalUnit.MONTH)


class BillingTiming(StrEnum):
    """Recurring items are charged at the start of their period or after its end."""

    IN_ADVANCE = "IN_ADVANCE"
    IN_ARREARS = "IN_ARREARS"


class PlanStatus(StrEnum):
    """A cancelled plan is kept for the contracts that use it, but can't be changed or sold."""

    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"


class PhaseType(StrEnum):
    TRIAL = "TRIAL"
    FIXED = "FIXED"
    EVERGREEN = "EVERGREEN"


@dataclass(frozen=True, slots=True)
class IntervalInput:
    unit: str
    count: int


@dataclass(frozen=True, slots=True)
class Phase:
    type: PhaseType
    duration: Interval | None


@dataclass(frozen=True, slots=True)
class PhaseInput:
    type: str
    duration: IntervalInput | None = None


@dataclass(frozen=True, slots=True)
class PricingGroup:
    """A group of customers with its own caps: ``max_quantity`` per time-based usage option
    (seed 000: the free quota is taken off first, then the cap applies)."""

    code: str
    max_quantity: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class PlanTerms:
    billing_interval: Interval
    billing_timing: BillingTiming
    minimum_term: Interval
    renewal_term: Interval
    notice_period: Interval


@dataclass(frozen=True, slots=True)
class ItemPrice:
    """One price version of a plan item, effective from ``valid_from`` until the next one.
    The billing calculation's ``PriceVersion`` is (valid_from, model, valid_from's ISO date)."""

    valid_from: date
    model: PriceModel


@dataclass(frozen=True, slots=True)
class PlanItem:
    option_id: uuid.UUID
    option: str
    kind: OptionKind
    quantity: Decimal | None
    free_quota: Decimal | None
    prices: tuple[ItemPrice, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    id: uuid.UUID
    code: str
    name: str
    currency: str
    terms: PlanTerms
    phases: tuple[Phase, ...]
    pricing_groups: tuple[PricingGroup, ...]
    items: tuple[PlanItem, ...]
    status: PlanStatus
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ItemInput:
    """An item as a client sends it; ``price`` None keeps the price of an existing item."""

    option: str
    price: PriceInput | None = None
    quantity: Decimal | None = None
    free_quota: Decimal | None = None
    valid_from: date | None = None


def interval(
    given: IntervalInput, field: str, units: Sequence[IntervalUnit], least: int
) -> Interval:
    """An interval of one of ``units`` with ``least`` <= count <= MAX_COUNT."""
    unit = choice(IntervalUnit, given.unit, f"{field}.unit")
    if unit not in units:
        allowed = ", ".join(u.value for u in units)
        raise ValidationFailed(
            "catalog.choice_unknown",
            field=f"{field}.unit",
            name="unit",
            allowed=allowed,
            value=given.unit,
        )
    if not least <= given.count <= MAX_COUNT:
        raise ValidationFailed(
            "catalog.count_range", field=f"{field}.count", least=least, most=MAX_COUNT
        )
    return Interval(unit, given.count)


def check_plan_text(code: str, name: str) -> None:
    check_code(code)
    check_text(name, "name", NAME_LIMIT)


def phases(given: Sequence[PhaseInput]) -> tuple[Phase, ...]:
    """At most one TRIAL, and first; EVERGREEN only last and without a duration; TRIAL and
    FIXED need a duration."""
    result = []
    for index, phase in enumerate(given):
        at = f"phases[{index}]"
        kind = choice(PhaseType, phase.type, f"{at}.type")
        last = index == len(given) - 1
        if kind is PhaseType.TRIAL and index > 0:
            raise ValidationFailed("catalog.trial_first", field=f"{at}.type")
        if kind is PhaseType.EVERGREEN and not last:
            raise ValidationFailed("catalog.evergreen_last", field=f"{at}.type")
        if kind is PhaseType.EVERGREEN:
            if phase.duration is not None:
                raise ValidationFailed("catalog.evergreen_duration", field=f"{at}.duration")
            result.append(Phase(kind, None))
            continue
        if phase.duration is None:
            raise ValidationFailed(
                "catalog.field_required", field=f"{at}.duration", name="duration"
            )
        result.append(Phase(kind, interval(phase.duration, f"{at}.duration", TERM_UNITS, 1)))
    return tuple(result)


def pricing_groups(
    given: Sequence[PricingGroup], items: Sequence[PlanItem]
) -> tuple[PricingGroup, ...]:
    """Unique codes; a maximum only for a time-based usage option that is an item of the plan."""
    kinds = {item.option: item.kind for item in items}
    seen: set[str] = set()
    for index, group in enumerate(given):
        at = f"pricingGroups[{index}]"
        check_code(group.code, f"{at}.code")
        if group.code in seen:
            raise ValidationFailed("catalog.duplicate", field=f"{at}.code", value=group.code)
        seen.add(group.code)
        for option, quantity in group.max_quantity.items():
            field = f"{at}.maxQuantity.{option}"
            if kinds.get(option) is not OptionKind.TIME_BASED_USAGE:
                raise ValidationFailed("catalog.cap_not_time_based", field=field, option=option)
            _quantity(quantity, field)
    return tuple(given)


def _quantity(value: Decimal, field: str) -> Decimal:
    check_amount(value, field)
    if value < 0:
        raise ValidationFailed("catalog.negative", field=field, name=field.rsplit(".", 1)[-1])
    return value


def item_quantities(given: ItemInput, kind: OptionKind, at: str) -> tuple[Decimal | None, ...]:
    """The item's quantity and free quota, checked: not negative; a free quota only on usage."""
    quantity = None if given.quantity is None else _quantity(given.quantity, f"{at}.quantity")
    if given.free_quota is not None and not kind.is_usage:
        raise ValidationFailed(
            "catalog.free_quota_not_usage", field=f"{at}.freeQuota", kind=kind.value
        )
    quota = None if given.free_quota is None else _quantity(given.free_quota, f"{at}.freeQuota")
    return quantity, quota


def item_model(given: PriceInput, at: str) -> PriceModel:
    """The item's validated price model; its amounts have at most 5 decimals."""
    return checked_model(given, f"{at}.price")


def checked_model(given: PriceInput, field: str) -> PriceModel:
    """The validated price model of ``given`` (errors name ``field``.…): the model's rules,
    and every amount finite with at most 10 integer and 5 fractional digits."""
    model = price_model(given, field=field)
    for name in ("amount", "unit_price", "package_size", "package_price"):
        value = getattr(given, name)
        if value is not None:
            check_amount(value, f"{field}.{_camel(name)}")
    for index, tier in enumerate(given.tiers):
        for name in ("up_to", "unit_price", "flat_fee"):
            value = getattr(tier, name)
            if value is not None:
                check_amount(value, f"{field}.tiers[{index}].{_camel(name)}")
    return model


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def price_on(prices: Sequence[ItemPrice], day: date) -> ItemPrice | None:
    """The version in force on ``day``: the latest that started on or before it."""
    starts = [price.valid_from for price in prices]
    index = bisect.bisect_right(starts, day)
    return prices[index - 1] if index else None


def with_price(
    prices: Sequence[ItemPrice], model: PriceModel, valid_from: date
) -> tuple[ItemPrice, ...]:
    """``prices`` with ``model`` effective from ``valid_from``: a version starting that day is
    replaced, others stay; unchanged when the version in force that day already has ``model``."""
    current = price_on(prices, valid_from)
    if current is not None and current.model == model:
        return tuple(prices)
    kept = [price for price in prices if price.valid_from != valid_from]
    kept.append(ItemPrice(valid_from, model))
    return tuple(sorted(kept, key=lambda price: price.valid_from))
