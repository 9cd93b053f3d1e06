"""The charge calculation: what a contract owes up to a date, as desired minus billed.

For every item, service period and pricing variant, days desired but not billed become charges
and days billed but no longer desired become credits (``days.py`` says which days are which).
Amounts are slices of the period's exact amount with cumulative rounding
(``money.prorated_slice``), so a period split at any day, a credit and its re-charge, or a plan
change and its reversal add up to the cent. Usage is always billed in arrears (spec "Plan").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from beleg.domain.billing.days import (
    Explanation,
    Priced,
    Proration,
    billed_days,
    desired,
    is_unit,
    key_of,
    usage_periods,
)
from beleg.domain.billing.schedule import BilledLine, Schedule
from beleg.domain.catalog.options import OptionKind
from beleg.domain.catalog.plans import BillingTiming
from beleg.domain.contracts.periods import Period
from beleg.money import prorated_slice

__all__ = ["Charge", "Explanation", "Proration", "due_charges", "usage_periods"]
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Charge:
    """One line due: ``net_amount`` (currency scale, not negative) for ``service`` days of
    the grid period ``grid``, a credit when ``credit`` (on a credit note, or carried over
    onto an invoice as a negative line). ``unit_price`` is the price of one
    unit for the whole period (None for tiered prices of no units)."""

    item_key: str
    option: str
    description: str
    kind: OptionKind
    document_date: date
    grid: Period
    service: Period
    variant: str
    base_amount: Decimal
    quantity: Decimal
    unit_price: Decimal | None
    net_amount: Decimal
    tax_rate: Decimal
    credit: bool
    explanation: Explanation
    carried: bool = False  # late usage carried over onto an invoice (a credit: negative)
    tax_exemption: Mapping[str, Any] | None = None  # why a 0 % line is 0 % (e-invoice BT-151)


def due_charges(
    schedule: Schedule,
    *,
    billed: Sequence[BilledLine],
    usage: Mapping[tuple[str, date], Decimal],
    today: date,
    until: date,
) -> list[Charge]:
    """The charges due by ``until`` (document date on or before it), each dated no earlier
    than ``today``. ``usage`` maps (item key, first day of a usage window, see
    ``usage_periods``) to the window's aggregated quantity; no entry means nothing was used."""
    wanted = {key_of(p): p for p in desired(schedule, usage, until)}
    have = billed_days(line for line in billed if line.grid.start <= until)
    charges: list[Charge] = []
    for key in sorted(wanted.keys() | have.keys()):
        want = wanted.get(key)
        days, as_billed = have.get(key, (frozenset(), None))
        wanted_days = want.days if want is not None else frozenset()
        if want is not None:
            charges += _lines(want, wanted_days - days, schedule, credit=False)
        priced = want if want is not None else as_billed
        if priced is not None:
            charges += _lines(priced, days - wanted_days, schedule, credit=True)
    dated = [_dated(charge, today) for charge in charges]
    return sorted(
        (c for c in dated if c.document_date <= until),
        key=lambda c: (c.document_date, c.grid.start, c.item_key, c.credit, c.service.start),
    )


def _dated(charge: Charge, today: date) -> Charge:
    return charge if charge.document_date >= today else replace(charge, document_date=today)


def _lines(
    priced: Priced, days: frozenset[int], schedule: Schedule, *, credit: bool
) -> list[Charge]:
    return [_line(priced, run, schedule, credit=credit) for run in _runs(days)]


def _runs(days: frozenset[int]) -> Iterator[tuple[int, int]]:
    """Consecutive day numbers as (first, last) runs, in order."""
    ordered = sorted(days)
    start = previous = ordered[0] if ordered else 0
    for day in ordered[1:]:
        if day != previous + 1:
            yield start, previous
            start = day
        previous = day
    if ordered:
        yield start, previous


def _line(priced: Priced, run: tuple[int, int], schedule: Schedule, *, credit: bool) -> Charge:
    first, last = run
    grid = priced.grid
    service = priced.window or Period(
        grid.start + ONE_DAY * (first - 1), grid.start + ONE_DAY * (last - 1)
    )
    period_days = 1 if is_unit(priced.item.kind) else grid.days
    net = prorated_slice(
        priced.base_amount,
        schedule.currency,
        first_day=first,
        last_day=last,
        period_days=period_days,
    )
    prorated = priced.item.kind is OptionKind.RECURRING and service != grid
    explanation = replace(
        priced.explanation, proration=Proration(service.days, grid.days) if prorated else None
    )
    return Charge(
        item_key=priced.item.key,
        option=priced.item.option,
        description=priced.item.description,
        kind=priced.item.kind,
        document_date=_natural_date(priced, service, schedule, credit=credit),
        grid=grid,
        service=service,
        variant=priced.variant,
        base_amount=priced.base_amount,
        quantity=priced.quantity,
        unit_price=priced.unit_price,
        net_amount=net,
        tax_rate=priced.item.tax_rate,
        credit=credit,
        explanation=explanation,
        tax_exemption=priced.item.tax_exemption,
    )


def _natural_date(priced: Priced, service: Period, schedule: Schedule, *, credit: bool) -> date:
    """In advance: the first day charged; in arrears (and usage): the day after the served
    days end; a credit is due at once (its period was billed already)."""
    if credit:
        return priced.grid.start
    kind = priced.item.kind
    if kind.is_usage or (
        kind is OptionKind.RECURRING and schedule.timing is BillingTiming.IN_ARREARS
    ):
        return service.end + ONE_DAY
    return service.start
