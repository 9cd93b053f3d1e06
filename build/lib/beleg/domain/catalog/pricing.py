"""Price models and the rating of a quantity under them (spec/billing-api.md, "Plan").

- ``FLAT`` ``{amount}``: the amount per period whatever the quantity;
- ``PER_UNIT`` ``{unitPrice}``: quantity × unit price;
- ``GRADUATED`` ``{tiers}``: each unit at the price of its tier (plus the tier's flat fee once
  at least one unit falls in it);
- ``VOLUME`` ``{tiers}``: all units at the price of the tier the total falls in (plus that
  tier's flat fee; no units, no charge);
- ``PACKAGE`` ``{packageSize, packagePrice}``: per started package.

Rating is exact: amounts keep every decimal of the unit prices and are rounded once, per line,
by the billing calculation (``money.round_to_currency``). Tiers are counted from the first unit
of the quantity rated, which for usage is the quantity left after the free quota and the cap
(``usage_quantity``: seed 000, free quota first, then the pricing group's maximum).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from beleg.domain.errors import ValidationFailed

ZERO = Decimal(0)


class PriceModelKind(StrEnum):
    FLAT = "FLAT"
    PER_UNIT = "PER_UNIT"
    GRADUATED = "GRADUATED"
    VOLUME = "VOLUME"
    PACKAGE = "PACKAGE"


@dataclass(frozen=True, slots=True)
class Tier:
    """Units up to and including ``up_to`` (None: no upper bound) at ``unit_price`` each."""

    up_to: Decimal | None
    unit_price: Decimal
    flat_fee: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class PriceModel:
    """One price model. Only the fields of its ``kind`` are set (see ``price_model``)."""

    kind: PriceModelKind
    amount: Decimal | None = None
    unit_price: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    package_size: Decimal | None = None
    package_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TierCharge:
    """The part of a rating that fell in one tier (units ``first_unit``..``last_unit``)."""

    first_unit: Decimal
    last_unit: Decimal | None
    quantity: Decimal
    unit_price: Decimal
    flat_fee: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Rating:
    """A quantity priced under a model: the exact ``amount`` and, for tiered models, the
    tiers that contributed."""

    quantity: Decimal
    amount: Decimal
    tiers: tuple[TierCharge, ...] = ()


@dataclass(frozen=True, slots=True)
class UsageQuantity:
    """How an aggregated usage quantity became the billable one: the free quota is taken off
    first (never below zero), then the pricing group's maximum caps what is left."""

    aggregated: Decimal
    free_quota: Decimal
    cap: Decimal | None
    billable: Decimal

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.aggregated - self.free_quota > self.cap


def usage_quantity(
    aggregated: Decimal, *, free_quota: Decimal, cap: Decimal | None
) -> UsageQuantity:
    """Free quota first, then the cap (seed 000; spec "Order of evaluation for usage")."""
    after_quota = max(aggregated - free_quota, ZERO)
    billable = after_quota if cap is None else min(after_quota, cap)
    return UsageQuantity(aggregated=aggregated, free_quota=free_quota, cap=cap, billable=billable)


def rate(model: PriceModel, quantity: Decimal) -> Rating:
    """Price ``quantity`` (not negative) under ``model``; the amount is exact."""
    if quantity < 0:
        raise ValidationFailed("catalog.negative", field="quantity", name="quantity")
    if model.kind is PriceModelKind.FLAT:
        return Rating(quantity=quantity, amount=_required(model.amount))
    if model.kind is PriceModelKind.PER_UNIT:
        return Rating(quantity=quantity, amount=quantity * _required(model.unit_price))
    if model.kind is PriceModelKind.PACKAGE:
        size, price = _required(model.package_size), _required(model.package_price)
        packages = (quantity / size).to_integral_value(rounding=ROUND_CEILING)
        return Rating(quantity=quantity, amount=packages * price)
    if model.kind is PriceModelKind.GRADUATED:
        charges = tuple(_graduated(model.tiers, quantity))
    else:
        charges = _volume(model.tiers, quantity)
    return Rating(quantity=quantity, amount=sum((c.amount for c in charges), ZERO), tiers=charges)


def _required(value: Decimal | None) -> Decimal:
    if value is None:
        raise ValueError("price model field missing; build models with price_model()")
    return value


def _bounds(tiers: tuple[Tier, ...]) -> list[tuple[Decimal, Decimal | None, Tier]]:
    """Each tier with its first unit (exclusive lower bound) and upper bound."""
    lower = ZERO
    bounds = []
    for tier in tiers:
        bounds.append((lower, tier.up_to, tier))
        lower = tier.up_to if tier.up_to is not None else lower
    return bounds


def _graduated(tiers: tuple[Tier, ...], quantity: Decimal) -> list[TierCharge]:
    charges = []
    for lower, upper, tier in _bounds(tiers):
        in_tier = (quantity if upper is None else min(quantity, upper)) - lower
        if in_tier <= 0:
            break
        amount = in_tier * tier.unit_price + tier.flat_fee
        charges.append(TierCharge(lower, upper, in_tier, tier.unit_price, tier.flat_fee, amount))
    return charges


def _volume(tiers: tuple[Tier, ...], quantity: Decimal) -> tuple[TierCharge, ...]:
    if quantity == 0:
        return ()
    for lower, upper, tier in _bounds(tiers):
        if upper is None or quantity <= upper:
            amount = quantity * tier.unit_price + tier.flat_fee
            return (TierCharge(lower, upper, quantity, tier.unit_price, tier.flat_fee, amount),)
    raise ValueError("the last tier must be unbounded; build models with price_model()")
