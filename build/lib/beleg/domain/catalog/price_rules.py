"""Building a price model from input, with every rule named by its field (``price.tiers[1].upTo``).

Rules: every price and fee is not negative; a package has a positive size; tiers have strictly
ascending upper bounds and only the last tier is unbounded (``upTo`` null), so that every
quantity falls in exactly one tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beleg.domain.catalog.pricing import ZERO, PriceModel, PriceModelKind, Tier
from beleg.domain.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class TierInput:
    up_to: Decimal | None
    unit_price: Decimal | None
    flat_fee: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PriceInput:
    """A price as a client sends it: the model's name and the fields it may carry."""

    model: str
    amount: Decimal | None = None
    unit_price: Decimal | None = None
    tiers: Sequence[TierInput] = ()
    package_size: Decimal | None = None
    package_price: Decimal | None = None


def price_model(given: PriceInput, *, field: str = "price") -> PriceModel:
    """The validated model of ``given``; a ValidationFailed names the field and the rule."""
    kind = _kind(given.model, f"{field}.model")
    if kind is PriceModelKind.FLAT:
        return PriceModel(kind, amount=_price(given.amount, f"{field}.amount"))
    if kind is PriceModelKind.PER_UNIT:
        return PriceModel(kind, unit_price=_price(given.unit_price, f"{field}.unitPrice"))
    if kind is PriceModelKind.PACKAGE:
        size = _price(given.package_size, f"{field}.packageSize")
        if size == 0:
            raise ValidationFailed(
                "catalog.not_positive", field=f"{field}.packageSize", name="packageSize"
            )
        price = _price(given.package_price, f"{field}.packagePrice")
        return PriceModel(kind, package_size=size, package_price=price)
    return PriceModel(kind, tiers=_tiers(given.tiers, f"{field}.tiers"))


def _kind(name: str, field: str) -> PriceModelKind:
    try:
        return PriceModelKind(name)
    except ValueError:
        allowed = ", ".join(kind.value for kind in PriceModelKind)
        raise ValidationFailed(
            "catalog.price_model_unknown", field=field, name="model", allowed=allowed, value=name
        ) from None


def _price(value: Decimal | None, field: str) -> Decimal:
    name = field.rsplit(".", 1)[-1]
    if value is None:
        raise ValidationFailed("catalog.field_required", field=field, name=name)
    if not value.is_finite() or value < 0:
        raise ValidationFailed("catalog.negative", field=field, name=name)
    return value


def _tiers(given: Sequence[TierInput], field: str) -> tuple[Tier, ...]:
    if not given:
        raise ValidationFailed("catalog.field_required", field=field, name="tiers")
    tiers: list[Tier] = []
    for index, tier in enumerate(given):
        at = f"{field}[{index}]"
        last = index == len(given) - 1
        up_to = _upper_bound(tier.up_to, last=last, previous=tiers[-1] if tiers else None, at=at)
        fee = ZERO if tier.flat_fee is None else _price(tier.flat_fee, f"{at}.flatFee")
        tiers.append(Tier(up_to, _price(tier.unit_price, f"{at}.unitPrice"), fee))
    return tuple(tiers)


def _upper_bound(
    up_to: Decimal | None, *, last: bool, previous: Tier | None, at: str
) -> Decimal | None:
    if last:
        if up_to is not None:
            raise ValidationFailed("catalog.last_tier_bounded", field=f"{at}.upTo", name="upTo")
        return None
    if up_to is None:
        raise ValidationFailed("catalog.only_last_tier_unbounded", field=f"{at}.upTo", name="upTo")
    lower = previous.up_to if previous is not None and previous.up_to is not None else ZERO
    if not up_to.is_finite() or up_to <= lower:
        raise ValidationFailed(
            "catalog.tiers_not_ascending", field=f"{at}.upTo", name="upTo", lower=lower
        )
    return up_to
