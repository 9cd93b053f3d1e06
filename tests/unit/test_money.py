from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.money import (
    Currency,
    CurrencyMismatchError,
    Money,
    UnknownCurrencyError,
    allocate,
    allocate_amount,
    has_at_most_places,
    in_minor_units,
    round_to_currency,
    round_to_places,
    round_to_total,
    with_scale,
)

CURRENCIES = ["EUR", "JPY", "BHD", "CHF", "CLF"]


def test_minor_units_follow_iso_4217() -> None:
    assert Currency.of("EUR").minor_units == 2
    assert Currency.of("JPY").minor_units == 0
    assert Currency.of("BHD").minor_units == 3
    assert Currency.of("EUR").numeric == 978
    assert Currency.of("BHD").quantum == Decimal("0.001")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrencyError, match="XYZ"):
        Currency.of("XYZ")


def test_rounding_is_half_up_per_currency() -> None:
    assert round_to_currency(Decimal("2.345"), Currency.of("EUR")) == Decimal("2.35")
    assert round_to_currency(Decimal("-2.345"), Currency.of("EUR")) == Decimal("-2.35")
    assert round_to_currency(Decimal("2.5"), Currency.of("JPY")) == Decimal("3")
    assert round_to_currency(Decimal("1.0005"), Currency.of("BHD")) == Decimal("1.001")
    assert round_to_places(Decimal("0.123455"), 5) == Decimal("0.12346")


def test_money_refuses_float_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatchError):
        _ = Money.of("1", "EUR") + Money.of("1", "CHF")
    assert Money.of("0.10", "EUR") + Money.of("0.20", "EUR") == Money.of("0.30", "EUR")
    assert Money.zero("JPY").amount == Decimal("0")
    assert str(Money.of("12.5", "EUR").rounded()) == "12.50 EUR"


def test_allocation_example_distributes_leftover_cents_to_largest_remainders() -> None:
    shares = allocate(Money.of("100.00", "EUR"), [1, 1, 1])
    assert [s.amount for s in shares] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    shares = allocate(Money.of("0.05", "EUR"), [Decimal("0.3"), Decimal("0.7")])
    assert [s.amount for s in shares] == [Decimal("0.02"), Decimal("0.03")]  # tie: earlier first
    assert [s.amount for s in allocate(Money.of("-10.00", "EUR"), [1, 2])] == [
        Decimal("-3.33"),
        Decimal("-6.67"),
    ]


def test_allocation_rejects_bad_weights_and_unrounded_amounts() -> None:
    with pytest.raises(ValueError, match="empty"):
        allocate(Money.of("1", "EUR"), [])
    with pytest.raises(ValueError, match="zero"):
        allocate(Money.of("1", "EUR"), [0, 0])
    with pytest.raises(ValueError, match="negative"):
        allocate(Money.of("1", "EUR"), [1, -1])
    with pytest.raises(ValueError, match="more decimals"):
        allocate(Money.of("1.001", "EUR"), [1, 1])


amounts = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    allow_nan=False,
    allow_infinity=False,
    places=3,
)
weights = st.lists(
    st.decimals(
        min_value=Decimal(0),
        max_value=Decimal(10_000),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    ),
    min_size=1,
    max_size=12,
).filter(lambda ws: sum(ws) > 0)


@given(amount=amounts, weights=weights, code=st.sampled_from(CURRENCIES))
def test_allocation_always_sums_exactly(amount: Decimal, weights: list[Decimal], code: str) -> None:
    money = Money.of(amount, code).rounded()
    shares = allocate(money, weights)
    assert sum((s.amount for s in shares), Decimal(0)) == money.amount
    assert len(shares) == len(weights)
    total_weight = sum(weights)
    quantum = money.currency.quantum
    for share, weight in zip(shares, weights, strict=True):
        assert share.is_rounded()
        assert abs(share.amount - money.amount * weight / total_weight) < quantum
        if weight == 0:
            assert share.amount == 0


@given(
    amount=st.decimals(
        allow_nan=False, allow_infinity=False, min_value=Decimal("-1e12"), max_value=Decimal("1e12")
    ),
    code=st.sampled_from(CURRENCIES),
)
def test_rounding_never_exceeds_the_currency_decimals(amount: Decimal, code: str) -> None:
    currency = Currency.of(code)
    rounded = round_to_currency(amount, currency)
    assert has_at_most_places(rounded, currency.minor_units)
    assert abs(rounded - amount) <= currency.quantum / 2


@given(amount=amounts, weights=weights, code=st.sampled_from(CURRENCIES))
def test_allocate_amount_is_allocate_on_decimals(
    amount: Decimal, weights: list[Decimal], code: str
) -> None:
    currency = Currency.of(code)
    rounded = round_to_currency(amount, currency)
    shares = allocate_amount(rounded, currency, weights)
    assert shares == [s.amount for s in allocate(Money(rounded, currency), weights)]
    assert sum(shares, Decimal(0)) == rounded


def test_with_scale_writes_an_exact_amount_at_a_fixed_scale() -> None:
    assert str(with_scale(Decimal(12), 2)) == "12.00"
    assert str(with_scale(Decimal("2.40"), 2)) == "2.40"
    assert str(in_minor_units(Decimal("-7"), Currency.of("JPY"))) == "-7"
    assert str(in_minor_units(Decimal("1.5"), Currency.of("KWD"))) == "1.500"
    with pytest.raises(ValueError, match="more than 2 decimals"):
        with_scale(Decimal("0.005"), 2)  # a rescale never rounds


@given(amount=amounts, code=st.sampled_from(CURRENCIES))
def test_in_minor_units_keeps_the_value(amount: Decimal, code: str) -> None:
    currency = Currency.of(code)
    value = round_to_currency(amount, currency)
    scaled = in_minor_units(value, currency)
    assert scaled == value
    assert scaled.as_tuple().exponent == -currency.minor_units


@given(
    parts=st.lists(
        st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=6, allow_nan=False),
        min_size=1,
        max_size=20,
    ),
    code=st.sampled_from(CURRENCIES),
)
def test_round_to_total_keeps_the_rounded_sum_and_every_part_within_a_unit(
    parts: list[Decimal], code: str
) -> None:
    currency = Currency.of(code)
    total = round_to_currency(sum(parts, Decimal(0)), currency)
    rounded = round_to_total(parts, total, currency)
    assert sum(rounded, Decimal(0)) == total
    for exact, share in zip(parts, rounded, strict=True):
        assert has_at_most_places(share, currency.minor_units)
        assert abs(share - exact) < currency.quantum


def test_round_to_total_refuses_a_total_the_parts_cannot_reach() -> None:
    eur = Currency.of("EUR")
    assert round_to_total([Decimal("0.005")] * 2, Decimal("0.01"), eur) == [
        Decimal("0.01"),
        Decimal("0.00"),
    ]
    with pytest.raises(ValueError, match="cannot be split"):
        round_to_total([Decimal("0.005")] * 2, Decimal("0.05"), eur)
