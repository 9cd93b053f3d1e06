"""The worked examples of spec/billing-api.md and the subscriptions issue's acceptance, on the
pure charge calculation (DE tenant, 19 %)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from beleg.domain.billing.charges import Charge, due_charges, usage_periods
from beleg.domain.billing.documents import PreviewType, documents_for
from beleg.domain.billing.runs import billed_line_of
from beleg.domain.billing.schedule import (
    BilledLine,
    BillingTiming,
    ChargeItem,
    PriceVersion,
    Schedule,
)
from beleg.domain.catalog.intervals import Interval, IntervalUnit
from beleg.domain.catalog.options import OptionKind
from beleg.domain.catalog.pricing import PriceModel, PriceModelKind, Tier
from beleg.domain.contracts.periods import Period, Realignment
from beleg.domain.contracts.terms import Terms
from beleg.money import Currency

EUR = Currency.of("EUR")
MONTHLY = Interval(IntervalUnit.MONTH, 1)
VAT = Decimal(19)


def flat(amount: str) -> tuple[PriceVersion, ...]:
    model = PriceModel(PriceModelKind.FLAT, amount=Decimal(amount))
    return (PriceVersion(date(2020, 1, 1), model, "v1"),)


def base_item(**changes: object) -> ChargeItem:
    fields: dict[str, object] = {
        "key": "base",
        "option": "BASE",
        "description": "Base fee",
        "kind": OptionKind.RECURRING,
        "quantity": Decimal(1),
        "prices": flat("29.00"),
        "tax_rate": VAT,
        "served_from": date(2026, 5, 15),
    }
    fields.update(changes)
    return ChargeItem(**fields)  # type: ignore[arg-type]


def schedule(*items: ChargeItem, start: date, **changes: object) -> Schedule:
    fields: dict[str, object] = {
        "currency": EUR,
        "start": start,
        "interval": MONTHLY,
        "timing": BillingTiming.IN_ADVANCE,
        "items": items,
    }
    fields.update(changes)
    return Schedule(**fields)  # type: ignore[arg-type]


def billed(charge: Charge) -> BilledLine:
    """The line a billing run wrote for ``charge``."""
    return billed_line_of(charge)


def test_example_1_service_cycle_aligned_to_the_month() -> None:
    contract = schedule(
        base_item(),
        start=date(2026, 5, 15),
        realignments=(Realignment(date(2026, 6, 1)),),
    )
    charges = due_charges(
        contract, billed=(), usage={}, today=date(2026, 5, 15), until=date(2026, 6, 30)
    )
    first, second = documents_for(charges, EUR)
    assert (first.type, first.date) == (PreviewType.INVOICE, date(2026, 5, 15))
    (line,) = first.lines
    assert line.service == Period(date(2026, 5, 15), date(2026, 5, 31))
    assert str(line.explanation.proration) == "17/31"
    assert (first.net_amount, first.tax_amount, first.total_amount) == (
        Decimal("15.90"),
        Decimal("3.02"),
        Decimal("18.92"),
    )
    assert second.date == date(2026, 6, 1)
    assert second.lines[0].service == Period(date(2026, 6, 1), date(2026, 6, 30))
    assert second.lines[0].explanation.proration is None
    assert (second.net_amount, second.tax_amount, second.total_amount) == (
        Decimal("29.00"),
        Decimal("5.51"),
        Decimal("34.51"),
    )


def usage_item(key: str, model: PriceModel, **changes: object) -> ChargeItem:
    return base_item(
        key=key,
        option=key.upper(),
        kind=changes.pop("kind", OptionKind.USAGE),
        prices=(PriceVersion(date(2020, 1, 1), model, "v1"),),
        served_from=date(2026, 5, 1),
        **changes,
    )


def test_example_2_graduated_usage_after_a_free_quota() -> None:
    tiers = (
        Tier(Decimal(1000), Decimal("0.010")),
        Tier(Decimal(10000), Decimal("0.008")),
        Tier(None, Decimal("0.005")),
    )
    item = usage_item(
        "api_calls", PriceModel(PriceModelKind.GRADUATED, tiers=tiers), free_quota=Decimal(500)
    )
    contract = schedule(item, start=date(2026, 5, 1))
    (window,) = [w for _, w in usage_periods(contract, until=date(2026, 6, 1))]
    assert window == Period(date(2026, 5, 1), date(2026, 5, 31))
    usage = {("api_calls", window.start): Decimal(12500)}
    (line,) = due_charges(
        contract, billed=(), usage=usage, today=date(2026, 6, 1), until=date(2026, 6, 1)
    )
    assert line.document_date == date(2026, 6, 1)
    assert line.explanation.aggregated_quantity == Decimal(12500)
    assert line.explanation.free_quota == Decimal(500)
    assert line.quantity == Decimal(12000)
    assert [tier.amount for tier in line.explanation.tiers] == [
        Decimal("10.000"),
        Decimal("72.000"),
        Decimal("10.000"),
    ]
    assert line.net_amount == Decimal("92.00")


def test_example_3_cap_on_time_based_usage() -> None:
    item = usage_item(
        "cpu_hours",
        PriceModel(PriceModelKind.PER_UNIT, unit_price=Decimal("0.05")),
        kind=OptionKind.TIME_BASED_USAGE,
        free_quota=Decimal(100),
        cap=Decimal(600),
    )
    contract = schedule(item, start=date(2026, 5, 1))
    usage = {("cpu_hours", date(2026, 5, 1)): Decimal(900)}
    (line,) = due_charges(
        contract, billed=(), usage=usage, today=date(2026, 6, 1), until=date(2026, 6, 1)
    )
    assert (line.quantity, line.net_amount) == (Decimal(600), Decimal("30.00"))
    assert line.explanation.capped_quantity == Decimal(600)


def test_example_4_no_automatic_renewal_charges_nothing_after_the_minimum_term() -> None:
    terms = Terms(
        start=date(2026, 1, 1),
        minimum=Interval(IntervalUnit.MONTH, 12),
        renewal=Interval(IntervalUnit.MONTH, 0),
        notice=Interval(IntervalUnit.MONTH, 1),
        billing=MONTHLY,
    )
    assert terms.minimum_term_end == date(2026, 12, 31)
    contract = schedule(
        base_item(served_from=date(2026, 1, 1)),
        start=date(2026, 1, 1),
        end=terms.charged_until(),
    )
    charges = due_charges(
        contract, billed=(), usage={}, today=date(2026, 1, 1), until=date(2027, 3, 31)
    )
    assert [c.service.start.month for c in charges] == list(range(1, 13))
    assert all(c.service.start.year == 2026 for c in charges)
    assert sum(c.net_amount for c in charges) == Decimal("348.00")


def test_extraordinary_termination_after_march_was_billed_credits_21_31() -> None:
    item = base_item(served_from=date(2026, 1, 1))
    running = schedule(item, start=date(2026, 1, 1))
    march = due_charges(
        running, billed=(), usage={}, today=date(2026, 3, 1), until=date(2026, 3, 1)
    )
    history = [billed(c) for c in march]
    assert [c.net_amount for c in march] == [Decimal("29.00")] * 3
    terminated = schedule(item, start=date(2026, 1, 1), end=date(2026, 3, 10))
    (credit,) = due_charges(
        terminated, billed=history, usage={}, today=date(2026, 3, 5), until=date(2026, 3, 31)
    )
    assert credit.credit
    assert credit.service == Period(date(2026, 3, 11), date(2026, 3, 31))
    assert str(credit.explanation.proration) == "21/31"
    assert credit.net_amount == Decimal("19.65")
    assert credit.document_date == date(2026, 3, 5)  # issued when the termination is
    (note,) = documents_for([credit], EUR)
    assert (note.type, note.net_amount, note.tax_amount) == (
        PreviewType.CREDIT_NOTE,
        Decimal("19.65"),
        Decimal("3.73"),
    )
    # after the credit note is issued nothing more is due, and nothing after the end
    settled = [*history, billed(credit)]
    assert (
        due_charges(
            terminated, billed=settled, usage={}, today=date(2026, 3, 11), until=date(2026, 9, 1)
        )
        == []
    )


def test_revoked_termination_after_the_credit_charges_the_days_again() -> None:
    item = base_item(served_from=date(2026, 3, 1))
    terminated = schedule(item, start=date(2026, 3, 1), end=date(2026, 3, 10))
    full = due_charges(
        schedule(item, start=date(2026, 3, 1)),
        billed=(),
        usage={},
        today=date(2026, 3, 1),
        until=date(2026, 3, 1),
    )
    (credit,) = due_charges(
        terminated,
        billed=[billed(c) for c in full],
        usage={},
        today=date(2026, 3, 5),
        until=date(2026, 3, 31),
    )
    history = [*map(billed, full), billed(credit)]
    (again,) = due_charges(
        schedule(item, start=date(2026, 3, 1)),
        billed=history,
        usage={},
        today=date(2026, 3, 6),
        until=date(2026, 3, 31),
    )
    assert not again.credit
    assert again.service == Period(date(2026, 3, 11), date(2026, 3, 31))
    assert again.net_amount == credit.net_amount == Decimal("19.65")


def test_quantity_change_mid_period_credits_the_old_days_and_charges_the_new() -> None:
    old = base_item(
        served_from=date(2026, 3, 1),
        served_to=date(2026, 3, 15),
        prices=(
            PriceVersion(
                date(2020, 1, 1), PriceModel(PriceModelKind.PER_UNIT, unit_price=Decimal(10)), "v1"
            ),
        ),
    )
    new = base_item(
        key="base",
        served_from=date(2026, 3, 16),
        quantity=Decimal(3),
        prices=old.prices,
    )
    before = schedule(
        base_item(served_from=date(2026, 3, 1), prices=old.prices), start=date(2026, 3, 1)
    )
    march = due_charges(before, billed=(), usage={}, today=date(2026, 3, 1), until=date(2026, 3, 1))
    after = schedule(old, new, start=date(2026, 3, 1))
    changes = due_charges(
        after,
        billed=[billed(c) for c in march],
        usage={},
        today=date(2026, 3, 16),
        until=date(2026, 3, 16),
    )
    credit = next(c for c in changes if c.credit)
    charge = next(c for c in changes if not c.credit)
    assert credit.service == charge.service == Period(date(2026, 3, 16), date(2026, 3, 31))
    assert credit.net_amount == Decimal("5.16")  # 10.00 - round(10 * 15/31) = 10.00 - 4.84
    assert charge.net_amount == Decimal("15.48")  # 30.00 - round(30 * 15/31) = 30.00 - 14.52


def test_a_recharge_after_a_credit_is_billed_once_whatever_the_order_of_lines() -> None:
    item = base_item(served_from=date(2026, 3, 1))
    running = schedule(item, start=date(2026, 3, 1))
    full = due_charges(running, billed=(), usage={}, today=date(2026, 3, 1), until=date(2026, 3, 1))
    ended = schedule(item, start=date(2026, 3, 1), end=date(2026, 3, 10))
    (credit,) = due_charges(
        ended,
        billed=[billed(c) for c in full],
        usage={},
        today=date(2026, 3, 5),
        until=date(2026, 3, 31),
    )
    history = [*map(billed, full), billed(credit)]
    (again,) = due_charges(
        running, billed=history, usage={}, today=date(2026, 3, 6), until=date(2026, 3, 31)
    )
    settled = [*history, billed(again)]
    for lines in (settled, list(reversed(settled))):
        assert (
            due_charges(
                running, billed=lines, usage={}, today=date(2026, 3, 7), until=date(2026, 3, 31)
            )
            == []
        )


def test_late_usage_after_an_earlier_end_credits_the_whole_line() -> None:
    model = PriceModel(PriceModelKind.PER_UNIT, unit_price=Decimal("0.10"))
    item = usage_item("calls", model)
    june = schedule(item, start=date(2026, 5, 1))
    (first,) = due_charges(
        june,
        billed=(),
        usage={("calls", date(2026, 6, 1)): Decimal(300)},
        today=date(2026, 7, 1),
        until=date(2026, 7, 1),
    )
    ended = schedule(item, start=date(2026, 5, 1), end=date(2026, 6, 20))
    lines = due_charges(
        ended,
        billed=[billed(first)],
        usage={("calls", date(2026, 6, 1)): Decimal(200)},
        today=date(2026, 7, 2),
        until=date(2026, 7, 2),
    )
    credit = next(c for c in lines if c.credit and c.grid.start == date(2026, 6, 1))
    charge = next(c for c in lines if not c.credit and c.grid.start == date(2026, 6, 1))
    assert (credit.net_amount, credit.service) == (Decimal("30.00"), first.service)
    assert (charge.net_amount, charge.service) == (
        Decimal("20.00"),
        Period(date(2026, 6, 1), date(2026, 6, 20)),
    )


def test_a_discounted_line_shows_the_discounted_unit_price() -> None:
    model = PriceModel(PriceModelKind.PER_UNIT, unit_price=Decimal("10.00"))
    item = base_item(
        served_from=date(2026, 3, 1),
        quantity=Decimal(3),
        discount_percent=Decimal(10),
        prices=(PriceVersion(date(2020, 1, 1), model, "v1"),),
    )
    (line,) = due_charges(
        schedule(item, start=date(2026, 3, 1)),
        billed=(),
        usage={},
        today=date(2026, 3, 1),
        until=date(2026, 3, 1),
    )
    assert (line.unit_price, line.net_amount) == (Decimal("9.0000"), Decimal("27.00"))
    assert line.quantity * line.unit_price == line.net_amount
