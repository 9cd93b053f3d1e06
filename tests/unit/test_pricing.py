"""Price models: hand-computed tables, the input rules, and properties of graduated, volume and
package prices and of the free quota then cap (subscriptions issue, acceptance)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.catalog.price_rules import PriceInput, TierInput, price_model
from beleg.domain.catalog.pricing import (
    PriceModel,
    PriceModelKind,
    Tier,
    rate,
    usage_quantity,
)
from beleg.domain.errors import ValidationFailed

TIERS = (
    Tier(Decimal(10), Decimal("1.00")),
    Tier(Decimal(50), Decimal("0.80"), flat_fee=Decimal("5.00")),
    Tier(None, Decimal("0.50")),
)
GRADUATED = PriceModel(PriceModelKind.GRADUATED, tiers=TIERS)
VOLUME = PriceModel(PriceModelKind.VOLUME, tiers=TIERS)


@pytest.mark.parametrize(
    ("quantity", "graduated", "volume"),
    [
        (0, "0", "0"),
        (1, "1.00", "1.00"),
        (10, "10.00", "10.00"),
        (11, "15.80", "13.80"),  # 10 x 1.00 + 5.00 + 1 x 0.80 | 11 x 0.80 + 5.00
        (50, "47.00", "45.00"),  # 10.00 + 5.00 + 40 x 0.80 | 50 x 0.80 + 5.00
        (51, "47.50", "25.50"),  # ... + 1 x 0.50 | 51 x 0.50
        (200, "122.00", "100.00"),
    ],
)
def test_graduated_and_volume_match_the_hand_computed_table(
    quantity: int, graduated: str, volume: str
) -> None:
    assert rate(GRADUATED, Decimal(quantity)).amount == Decimal(graduated)
    assert rate(VOLUME, Decimal(quantity)).amount == Decimal(volume)


def test_flat_per_unit_and_package() -> None:
    assert rate(PriceModel(PriceModelKind.FLAT, amount=Decimal("29.00")), Decimal(7)).amount == (
        Decimal("29.00")
    )
    per_unit = PriceModel(PriceModelKind.PER_UNIT, unit_price=Decimal("0.12345"))
    assert rate(per_unit, Decimal(3)).amount == Decimal("0.37035")
    package = PriceModel(
        PriceModelKind.PACKAGE, package_size=Decimal(100), package_price=Decimal("5.00")
    )
    assert [rate(package, Decimal(q)).amount for q in (0, 1, 100, 101)] == [
        Decimal("0.00"),
        Decimal("5.00"),
        Decimal("5.00"),
        Decimal("10.00"),
    ]


def unit_price_of(unit: int) -> Decimal:
    """The price of the ``unit``-th unit under TIERS."""
    if unit <= 10:
        return Decimal("1.00")
    return Decimal("0.80") if unit <= 50 else Decimal("0.50")


@given(st.integers(min_value=0, max_value=300))
def test_graduated_prices_each_unit_at_its_tier(quantity: int) -> None:
    fees = Decimal("5.00") if quantity > 10 else Decimal(0)
    expected = sum((unit_price_of(u) for u in range(1, quantity + 1)), Decimal(0)) + fees
    assert rate(GRADUATED, Decimal(quantity)).amount == expected


@given(st.integers(min_value=1, max_value=300))
def test_volume_prices_all_units_at_the_tier_of_the_total(quantity: int) -> None:
    fee = Decimal("5.00") if 10 < quantity <= 50 else Decimal(0)
    assert rate(VOLUME, Decimal(quantity)).amount == quantity * unit_price_of(quantity) + fee


@given(st.integers(min_value=0, max_value=299))
def test_graduated_never_decreases_with_quantity(quantity: int) -> None:
    assert (
        rate(GRADUATED, Decimal(quantity)).amount <= rate(GRADUATED, Decimal(quantity + 1)).amount
    )


quantities = st.decimals(min_value=0, max_value=10**6, places=3)


@given(quantities, quantities, st.one_of(st.none(), quantities))
def test_free_quota_then_cap_never_charges_above_the_cap(
    aggregated: Decimal, free: Decimal, cap: Decimal | None
) -> None:
    usage = usage_quantity(aggregated, free_quota=free, cap=cap)
    assert usage.billable >= 0
    assert usage.billable <= max(aggregated - free, Decimal(0))
    if cap is not None:
        assert usage.billable <= cap
        assert rate(GRADUATED, usage.billable).amount <= rate(GRADUATED, cap).amount


def test_free_quota_is_taken_off_before_the_cap() -> None:
    usage = usage_quantity(Decimal(900), free_quota=Decimal(100), cap=Decimal(600))
    assert (usage.billable, usage.capped) == (Decimal(600), True)
    below = usage_quantity(Decimal(650), free_quota=Decimal(100), cap=Decimal(600))
    assert (below.billable, below.capped) == (Decimal(550), False)


def test_price_rules_name_the_field() -> None:
    def failure(given: PriceInput) -> tuple[str, str | None]:
        with pytest.raises(ValidationFailed) as raised:
            price_model(given)
        return raised.value.code, raised.value.field

    assert failure(PriceInput(model="TIERED")) == ("catalog.price_model_unknown", "price.model")
    assert failure(PriceInput(model="FLAT")) == ("catalog.field_required", "price.amount")
    assert failure(PriceInput(model="PER_UNIT", unit_price=Decimal(-1))) == (
        "catalog.negative",
        "price.unitPrice",
    )
    assert failure(
        PriceInput(model="PACKAGE", package_size=Decimal(0), package_price=Decimal(1))
    ) == ("catalog.not_positive", "price.packageSize")
    descending = (TierInput(Decimal(10), Decimal(1)), TierInput(Decimal(5), Decimal(1)))
    assert failure(
        PriceInput(model="GRADUATED", tiers=(*descending, TierInput(None, Decimal(1))))
    ) == (
        "catalog.tiers_not_ascending",
        "price.tiers[1].upTo",
    )
    assert failure(PriceInput(model="VOLUME", tiers=(TierInput(Decimal(10), Decimal(1)),))) == (
        "catalog.last_tier_bounded",
        "price.tiers[0].upTo",
    )
    assert failure(
        PriceInput(model="VOLUME", tiers=(TierInput(None, Decimal(1)), TierInput(None, Decimal(1))))
    ) == ("catalog.only_last_tier_unbounded", "price.tiers[0].upTo")


def test_price_rules_build_the_model() -> None:
    tiers = (TierInput(Decimal(10), Decimal("1.00")), TierInput(None, Decimal("0.50")))
    model = price_model(PriceInput(model="GRADUATED", tiers=tiers))
    assert model.tiers == (Tier(Decimal(10), Decimal("1.00")), Tier(None, Decimal("0.50")))
    assert rate(model, Decimal(12)).amount == Decimal("11.00")
