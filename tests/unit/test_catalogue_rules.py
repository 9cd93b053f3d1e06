"""Rules of options and plans (domain/catalog/options.py, plans.py): price versions, phase
order, tax exemptions, and the stored form of a price model, which keeps every digit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.db.plan_documents import price_document, price_model_of
from beleg.domain.catalog.options import TaxCategory, TaxExemption, check_exemption
from beleg.domain.catalog.plans import (
    IntervalInput,
    ItemPrice,
    PhaseInput,
    phases,
    price_on,
    with_price,
)
from beleg.domain.catalog.price_rules import PriceInput, TierInput, price_model
from beleg.domain.catalog.pricing import PriceModel, PriceModelKind
from beleg.domain.errors import ValidationFailed

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
AMOUNTS = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)


def flat(amount: Decimal) -> PriceModel:
    return PriceModel(PriceModelKind.FLAT, amount=amount)


@given(st.lists(st.tuples(DAYS, AMOUNTS), min_size=1, max_size=8), DAYS)
def test_the_version_in_force_is_the_latest_started_one(
    changes: list[tuple[date, Decimal]], day: date
) -> None:
    prices: tuple[ItemPrice, ...] = ()
    for start, amount in changes:
        prices = with_price(prices, flat(amount), start)
    starts = [p.valid_from for p in prices]
    assert starts == sorted(set(starts))
    started = [p for p in prices if p.valid_from <= day]
    assert price_on(prices, day) == (started[-1] if started else None)
    # the last change given for a day is the price from that day (unless equal to the one before)
    last_start, last_amount = changes[-1]
    in_force = price_on(prices, last_start)
    assert in_force is not None and in_force.model == flat(last_amount)


@given(DAYS, AMOUNTS, st.integers(min_value=0, max_value=400))
def test_a_price_sent_twice_adds_one_version(start: date, amount: Decimal, later: int) -> None:
    first = with_price((), flat(amount), start)
    assert with_price(first, flat(amount), start + timedelta(days=later)) == first
    assert with_price(first, flat(amount + 1), start + timedelta(days=later + 1))[:1] == first


def test_phases_come_in_order() -> None:
    trial = PhaseInput("TRIAL", IntervalInput("DAY", 14))
    fixed = PhaseInput("FIXED", IntervalInput("MONTH", 12))
    assert len(phases([trial, fixed, PhaseInput("EVERGREEN")])) == 3
    for wrong, field in (
        ([fixed, trial], "phases[1].type"),
        ([trial, trial], "phases[1].type"),
        ([PhaseInput("EVERGREEN"), fixed], "phases[0].type"),
        ([PhaseInput("EVERGREEN", IntervalInput("MONTH", 1))], "phases[0].duration"),
        ([PhaseInput("FIXED")], "phases[0].duration"),
        ([PhaseInput("FIXED", IntervalInput("MONTH", 0))], "phases[0].duration.count"),
    ):
        with pytest.raises(ValidationFailed) as failed:
            phases(wrong)
        assert failed.value.field == field


@pytest.mark.parametrize("code", ["VATEX-EU-IC", "VATEX-EU-AE", "VATEX-EU-O", "VATEX-EU-132-1A"])
def test_vatex_codes_are_accepted(code: str) -> None:
    check_exemption(TaxExemption(TaxCategory.E, None, code))


@pytest.mark.parametrize("code", ["EU-IC", "VATEX-IC", "vatex-eu-ic", "VATEX-EU-", "VATEX-EU-IC "])
def test_malformed_vatex_codes_are_refused(code: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        check_exemption(TaxExemption(TaxCategory.E, None, code))
    assert failed.value.field == "taxExemption.vatexCode"


def test_an_exemption_outside_the_standard_rate_needs_a_reason_or_code() -> None:
    with pytest.raises(ValidationFailed):
        check_exemption(TaxExemption(TaxCategory.AE, None, None))
    check_exemption(TaxExemption(TaxCategory.Z, None, None))


@pytest.mark.parametrize(
    "given",
    [
        PriceInput("FLAT", amount=Decimal("29.00")),
        PriceInput("PER_UNIT", unit_price=Decimal("0.05")),
        PriceInput("PACKAGE", package_size=Decimal("100"), package_price=Decimal("4.50")),
        PriceInput(
            "GRADUATED",
            tiers=[
                TierInput(Decimal("1000"), Decimal("0.010")),
                TierInput(Decimal("10000"), Decimal("0.008"), Decimal("1.5")),
                TierInput(None, Decimal("0.005")),
            ],
        ),
    ],
)
def test_a_stored_price_model_keeps_every_digit(given: PriceInput) -> None:
    model = price_model(given)
    stored = price_model_of(price_document(model))
    assert stored == model
    assert price_document(stored) == price_document(model)
