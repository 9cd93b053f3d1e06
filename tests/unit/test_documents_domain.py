"""Sales document rules without a database: line amounts, discounts, total discounts,
validation messages, normalisation, remaining amounts and corrections (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.documents.lines import LineSpec, compute_document, regular_line
from beleg.domain.documents.model import DiscountMode, LineType
from beleg.domain.documents.settlement import (
    correctable,
    correction_amounts,
    line_remainders,
)
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.tax import AmountType
from beleg.money import Currency

EUR = Currency.of("EUR")
D = Decimal


def spec(
    price: str,
    qty: str = "1",
    *,
    kind: str = "N",
    discount: str = "0",
    mode: DiscountMode = DiscountMode.CONSTANT,
    rate: str = "20",
    line_type: LineType = LineType.LINE,
    index: int = 0,
    given: tuple[str | None, str | None, str | None] = (None, None, None),
) -> LineSpec:
    return LineSpec(
        index,
        line_type,
        D(qty),
        D(price),
        AmountType(kind),
        D(discount),
        mode,
        D(rate),
        tuple(None if g is None else D(g) for g in given),
    )  # type: ignore[arg-type]


def amounts(line: LineSpec) -> tuple[Decimal, Decimal, Decimal]:
    return regular_line(line, EUR).values()


def test_seed_examples() -> None:
    assert amounts(spec("53.24")) == (D("53.24"), D("10.65"), D("63.89"))
    assert amounts(spec("53.24", "2")) == (D("106.48"), D("21.30"), D("127.78"))
    assert amounts(spec("53.24", "2", discount="10", mode=DiscountMode.RATE)) == (
        D("95.83"),
        D("19.17"),
        D("115.00"),
    )


def test_discount_modes_on_net_and_gross_prices() -> None:
    assert amounts(spec("100", discount="10")) == (D("90.00"), D("18.00"), D("108.00"))
    assert amounts(spec("100", discount="12", mode=DiscountMode.CONSTANT_TOTAL)) == (
        D("90.00"),
        D("18.00"),
        D("108.00"),
    )
    assert amounts(spec("120", kind="T", discount="10")) == (D("90.00"), D("18.00"), D("108.00"))
    assert amounts(spec("120", kind="T", discount="12", mode=DiscountMode.CONSTANT_TOTAL)) == (
        D("90.00"),
        D("18.00"),
        D("108.00"),
    )
    with pytest.raises(ValidationFailed) as error:
        amounts(spec("10", discount="11"))
    assert error.value.field == "lines[0].discount"


def test_total_discount_applies_to_lines_of_its_rate_and_prepayments_subtract() -> None:
    lines = [
        spec("100", given=("100.00", "20.00", "120.00")),
        spec("50", rate="10", index=1, given=("50.00", "5.00", "55.00")),
        spec(
            "0",
            discount="10",
            mode=DiscountMode.RATE,
            line_type=LineType.TOTAL_DISCOUNT,
            index=2,
            given=("-10.00", "-2.00", "-12.00"),
        ),
        spec(
            "30",
            kind="T",
            rate="20",
            line_type=LineType.ON_ACCT,
            index=3,
            given=("-25.00", "-5.00", "-30.00"),
        ),
        spec("99", line_type=LineType.OFFER_OPTION, index=4, given=("99.00", "19.80", "118.80")),
    ]
    result = compute_document(
        lines,
        EUR,
        validate=True,
        normalize=False,
        given_totals=(D("115.00"), D("18.00"), D("133.00")),
    )
    assert result.totals.values() == (D("115.00"), D("18.00"), D("133.00"))


def test_mismatch_names_line_expected_and_given() -> None:
    with pytest.raises(ValidationFailed) as error:
        compute_document(
            [spec("53.24", "2", given=("106.49", "21.30", "127.79"))],
            EUR,
            validate=True,
            normalize=False,
            given_totals=(D("106.49"), D("21.30"), D("127.79")),
        )
    assert error.value.field == "lines[0].netPrice"
    assert "106.49" in error.value.message and "106.48" in error.value.message


def test_staging_keeps_given_lines_and_normalize_moves_the_difference_to_the_last_line() -> None:
    staged = compute_document(
        [spec("23.65", kind="T", given=("12", "2.4", "14.4"))],
        EUR,
        validate=False,
        normalize=False,
        given_totals=(None,) * 3,
    )
    assert staged.totals.values() == (D("12"), D("2.4"), D("14.4"))
    lines = [
        spec("10", given=("10.00", "2.00", "12.00")),
        spec("10", index=1, given=("10.00", "2.00", "12.00")),
    ]
    normal = compute_document(
        lines, EUR, validate=True, normalize=True, given_totals=(D("20.01"), D("4.00"), D("24.01"))
    )
    assert normal.lines[1].values() == (D("10.01"), D("2.00"), D("12.01"))


@given(
    st.lists(st.integers(min_value=1, max_value=100_000), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=100),
)
def test_line_remainders_sum_to_the_remaining_amount(cents: list[int], percent: int) -> None:
    totals = [D(c) / 100 for c in cents]
    total = sum(totals, D(0))
    remaining = (total * percent / 100).quantize(D("0.01"))
    shares = line_remainders(totals, [True] * len(totals), remaining, total, EUR)
    assert sum(shares, D(0)) == remaining
    assert all(D(0) <= s <= t for s, t in zip(shares, totals, strict=True))


@given(
    st.integers(min_value=1, max_value=10_000_000),
    st.lists(st.integers(min_value=1, max_value=5_000_000), max_size=12),
    st.sampled_from(["20", "10", "13", "0", "19", "7"]),
)
def test_corrections_never_exceed_the_line(line_cents: int, attempts: list[int], rate: str) -> None:
    line_total = D(line_cents) / 100
    corrected = D(0)
    for cents in attempts:
        amount = D(cents) / 100
        available = correctable(line_total, corrected)
        if amount > available.remaining:
            with pytest.raises(ValidationFailed):
                correction_amounts(amount, available, D(rate), EUR)
            continue
        split = correction_amounts(amount, available, D(rate), EUR)
        assert split.net + split.tax == split.total == amount
        corrected += split.total
        assert correctable(line_total, corrected).remaining == line_total - corrected
    assert D(0) <= corrected <= line_total
