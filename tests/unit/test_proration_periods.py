"""Proration, service periods, contract terms and the charge calculation's invariants
(subscriptions issue: "a period split at any day prorates to exactly the full price", "a plan
change and its reversal on the same day net to zero")."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.billing.charges import Charge, due_charges
from beleg.domain.billing.schedule import BilledLine, BillingTiming, PriceVersion, Schedule
from beleg.domain.catalog.intervals import Interval, IntervalUnit, add_months
from beleg.domain.catalog.pricing import PriceModel, PriceModelKind
from beleg.domain.contracts.periods import Period, Realignment, periods
from beleg.domain.contracts.terms import Terms
from beleg.money import Currency, prorated_slice, round_to_currency
from tests.unit.test_billing_examples import EUR, MONTHLY, base_item, billed, schedule

amounts = st.decimals(min_value=Decimal("-10000"), max_value=Decimal("10000"), places=4)
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(amounts, st.integers(min_value=1, max_value=366), st.data())
def test_any_split_of_a_period_sums_to_the_rounded_whole(
    amount: Decimal, period_days: int, data: st.DataObject
) -> None:
    cuts = sorted(
        data.draw(st.sets(st.integers(1, period_days - 1), max_size=6)) if period_days > 1 else []
    )
    bounds = [0, *cuts, period_days]
    slices = [
        prorated_slice(amount, EUR, first_day=a + 1, last_day=b, period_days=period_days)
        for a, b in itertools.pairwise(bounds)
    ]
    assert sum(slices, Decimal(0)) == round_to_currency(amount, EUR)
    for (a, b), part in zip(itertools.pairwise(bounds), slices, strict=True):
        assert abs(part - amount * (b - a) / period_days) < EUR.quantum


def test_a_first_slice_is_rounded_once_half_up() -> None:
    assert prorated_slice(Decimal("29.00"), EUR, first_day=1, last_day=17, period_days=31) == (
        Decimal("15.90")
    )
    yen = Currency.of("JPY")
    assert prorated_slice(Decimal(1000), yen, first_day=1, last_day=1, period_days=3) == Decimal(
        333
    )


@given(starts, st.sampled_from([1, 2, 3, 12]))
def test_periods_follow_each_other_and_month_ends_stay_month_ends(start: date, months: int) -> None:
    grid = [
        p.grid
        for p in periods(
            start=start,
            interval=Interval(IntervalUnit.MONTH, months),
            realignments=(),
            until=add_months(start, months * 24),
        )
    ]
    for earlier, later in itertools.pairwise(grid):
        assert later.start == earlier.end + timedelta(days=1)
    for index, period in enumerate(grid):
        assert period.start == add_months(start, months * index)
    if start.day == 31:  # an anchor on the 31st: every period starts on its month's last day
        assert all((p.start + timedelta(days=1)).day == 1 for p in grid)


def test_a_31st_anchor_returns_to_the_31st() -> None:
    grid = [
        p.grid
        for p in periods(
            start=date(2026, 1, 31), interval=MONTHLY, realignments=(), until=date(2026, 4, 30)
        )
    ]
    assert grid[:4] == [
        Period(date(2026, 1, 31), date(2026, 2, 27)),
        Period(date(2026, 2, 28), date(2026, 3, 30)),
        Period(date(2026, 3, 31), date(2026, 4, 29)),
        Period(date(2026, 4, 30), date(2026, 5, 30)),
    ]


def test_a_realignment_cuts_the_running_period() -> None:
    served = list(
        periods(
            start=date(2026, 5, 15),
            interval=MONTHLY,
            realignments=(Realignment(date(2026, 6, 1)),),
            until=date(2026, 7, 1),
        )
    )
    assert [(s.grid, s.part) for s in served] == [
        (
            Period(date(2026, 5, 15), date(2026, 6, 14)),
            Period(date(2026, 5, 15), date(2026, 5, 31)),
        ),
        (Period(date(2026, 6, 1), date(2026, 6, 30)), Period(date(2026, 6, 1), date(2026, 6, 30))),
        (Period(date(2026, 7, 1), date(2026, 7, 31)), Period(date(2026, 7, 1), date(2026, 7, 31))),
    ]


def months(count: int) -> Interval:
    return Interval(IntervalUnit.MONTH, count)


def test_earliest_end_respects_minimum_term_renewal_and_notice() -> None:
    terms = Terms(
        start=date(2026, 1, 1),
        minimum=months(12),
        renewal=months(12),
        notice=months(3),
        billing=MONTHLY,
    )
    assert terms.earliest_end(date(2026, 9, 30)) == date(2026, 12, 31)  # 30.09. + 3 months = 31.12.
    assert terms.earliest_end(date(2026, 10, 1)) == date(2027, 12, 31)
    no_renewal = Terms(
        start=date(2026, 1, 1),
        minimum=months(12),
        renewal=months(0),
        notice=months(1),
        billing=MONTHLY,
    )
    assert no_renewal.charged_until() == date(2026, 12, 31)
    # past the minimum term nothing is charged: it is the earliest (and only) end
    assert no_renewal.earliest_end(date(2027, 3, 10)) == date(2026, 12, 31)
    assert no_renewal.earliest_end(date(2026, 11, 30)) == date(2026, 12, 31)
    evergreen = Terms(
        start=date(2026, 5, 15),
        minimum=months(0),
        renewal=months(0),
        notice=Interval(IntervalUnit.DAY, 14),
        billing=MONTHLY,
    )
    assert evergreen.charged_until() is None
    assert evergreen.earliest_end(date(2026, 6, 5)) == date(2026, 7, 14)


def net(lines: Iterable[Charge | BilledLine]) -> Decimal:
    """Charges minus credits."""
    return sum((-c.net_amount if c.credit else c.net_amount for c in lines), Decimal(0))


PER_UNIT = (
    PriceVersion(
        date(2020, 1, 1), PriceModel(PriceModelKind.PER_UNIT, unit_price=Decimal("9.99")), "v1"
    ),
)


@given(st.integers(min_value=2, max_value=31), st.integers(min_value=2, max_value=9))
def test_a_plan_change_and_its_reversal_on_the_same_day_net_to_zero(
    day: int, quantity: int
) -> None:
    start, change = date(2026, 3, 1), date(2026, 3, day)
    original = base_item(served_from=start, prices=PER_UNIT)
    history = [billed(c) for c in _due(schedule(original, start=start), [], start)]
    changed = schedule(
        base_item(served_from=start, served_to=change - timedelta(days=1), prices=PER_UNIT),
        base_item(served_from=change, quantity=Decimal(quantity), prices=PER_UNIT),
        start=start,
    )
    history += [billed(c) for c in _due(changed, history, change)]
    assert net(_due(changed, history, change)) == 0
    reverted = _due(schedule(original, start=start), history, change)
    assert net([*history, *reverted]) == Decimal("9.99")


@given(st.integers(min_value=1, max_value=30))
def test_a_termination_at_any_day_and_its_revocation_restore_the_full_price(last: int) -> None:
    start = date(2026, 3, 1)
    item = base_item(served_from=start, prices=PER_UNIT, quantity=Decimal(7))
    history = [billed(c) for c in _due(schedule(item, start=start), [], start)]
    ended = schedule(item, start=start, end=date(2026, 3, last))
    history += [billed(c) for c in _due(ended, history, start)]
    assert net(history) == prorated_slice(
        Decimal("69.93"), EUR, first_day=1, last_day=last, period_days=31
    )
    revoked = due_charges(
        schedule(item, start=start), billed=history, usage={}, today=start, until=date(2026, 3, 31)
    )
    assert net([*history, *revoked]) == Decimal("69.93")


def test_in_arrears_charges_after_the_period() -> None:
    contract = schedule(
        base_item(served_from=date(2026, 5, 1)),
        start=date(2026, 5, 1),
        timing=BillingTiming.IN_ARREARS,
    )
    assert _due(contract, [], date(2026, 5, 31)) == []
    (line,) = _due(contract, [], date(2026, 6, 1))
    assert (line.document_date, line.net_amount) == (date(2026, 6, 1), Decimal("29.00"))


def _due(contract: Schedule, history: list[BilledLine], today: date) -> list[Charge]:
    return due_charges(contract, billed=history, usage={}, today=today, until=today)


def test_term_ends_stay_on_the_period_grid_at_month_ends() -> None:
    monthly = Terms(
        start=date(2026, 1, 31),
        minimum=months(1),
        renewal=months(1),
        notice=months(0),
        billing=MONTHLY,
    )
    ends = monthly.term_ends()
    assert [next(ends) for _ in range(4)] == [
        date(2026, 2, 27),
        date(2026, 3, 30),
        date(2026, 4, 29),
        date(2026, 5, 30),
    ]
    grid = [
        p.grid.end
        for p in periods(
            start=date(2026, 1, 31), interval=MONTHLY, realignments=(), until=date(2026, 5, 1)
        )
    ]
    assert grid[:4] == [date(2026, 2, 27), date(2026, 3, 30), date(2026, 4, 29), date(2026, 5, 30)]
