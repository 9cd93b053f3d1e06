"""The charge calculation: what a contract owes up to a date, as desired minus billed.

For every item and service period the calculation knows which days are *desired* (served:
within the contract's and the item version's dates, not paused, not on hold) and which days
are *billed* (on issued documents, credit notes taking theirs back), per pricing *variant* (price
version, quantity, special price, discount). Days desired but not billed become charges; days
billed but no longer desired become credits. Amounts are slices of the period's exact amount
with cumulative rounding (``money.prorated_slice``), so a period split at any day, a credit and
its re-charge, or a plan change and its reversal add up to the cent.

Usage and one-time items are not prorated: a usage item's "period" is the served part of its
service period and its variant includes the billable quantity, so a changed quantity credits the
billed line and charges the new one (late usage as a correction). A recurring item uses the
price version in force on its grid period's first day (a new version applies from the next
period); usage is always billed in arrears (spec "Plan").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from beleg.domain.billing.schedule import (
    BilledLine,
    ChargeItem,
    PriceVersion,
    Schedule,
)
from beleg.domain.catalog.options import OptionKind
from beleg.domain.catalog.plans import BillingTiming
from beleg.domain.catalog.pricing import (
    ZERO,
    PriceModel,
    PriceModelKind,
    TierCharge,
    rate,
    usage_quantity,
)
from beleg.domain.contracts.periods import Period, ServicePeriod, periods
from beleg.money import prorated_slice, round_to_places

HUNDRED = Decimal(100)
UNIT_PRICE_PLACES = 6
ONE_DAY = timedelta(days=1)
UNIT = frozenset({1})  # a line that is not prorated: one-time and usage items


@dataclass(frozen=True, slots=True)
class Proration:
    """``days`` served of a period of ``period_days`` days (shown as ``17/31``)."""

    days: int
    period_days: int

    def __str__(self) -> str:
        return f"{self.days}/{self.period_days}"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a line costs what it costs (spec: DocumentPreview ``explanation``)."""

    price_version: str
    aggregated_quantity: Decimal | None = None
    free_quota: Decimal | None = None
    capped_quantity: Decimal | None = None
    tiers: tuple[TierCharge, ...] = ()
    proration: Proration | None = None


@dataclass(frozen=True, slots=True)
class Charge:
    """One line due: ``net_amount`` (currency scale, not negative) for ``service`` days of
    the grid period ``grid``, a credit when ``credit``. ``unit_price`` is the price of one
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


@dataclass(frozen=True, slots=True)
class _Priced:
    """What the days of one (item, period, variant) are charged from."""

    item: ChargeItem
    grid: Period
    variant: str
    base_amount: Decimal
    quantity: Decimal
    unit_price: Decimal | None
    explanation: Explanation
    days: frozenset[int]
    window: Period | None = None  # usage: the served days; the line is one unit, not days


_Key = tuple[str, date, str]


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
    desired = {_key(p): p for p in _desired(schedule, usage, until)}
    billed_days = _billed_days(line for line in billed if line.grid.start <= until)
    charges: list[Charge] = []
    for key in sorted(desired.keys() | billed_days.keys()):
        want = desired.get(key)
        days, as_billed = billed_days.get(key, (frozenset(), None))
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


def _key(priced: _Priced) -> _Key:
    return (priced.item.key, priced.grid.start, priced.variant)


def _dated(charge: Charge, today: date) -> Charge:
    return charge if charge.document_date >= today else replace(charge, document_date=today)


def usage_periods(schedule: Schedule, *, until: date) -> list[tuple[ChargeItem, Period]]:
    """The usage windows that end before ``until`` and are billed by then: for each usage
    item, the served part of each service period (whose events the caller aggregates and
    passes to ``due_charges`` keyed by (item key, window start))."""
    windows = []
    for service in _service_periods(schedule, until):
        for item in schedule.items:
            if item.kind.is_usage:
                served = _served_days(schedule, item, service)
                if served:
                    windows.append((item, _window(service.grid, served)))
    return [(item, window) for item, window in windows if window.end < until]


def _service_periods(schedule: Schedule, until: date) -> Iterator[ServicePeriod]:
    return periods(
        start=schedule.start,
        interval=schedule.interval,
        realignments=schedule.realignments,
        until=until,
    )


def _desired(
    schedule: Schedule, usage: Mapping[tuple[str, date], Decimal], until: date
) -> Iterator[_Priced]:
    for service in _service_periods(schedule, until):
        for item in schedule.items:
            served = _served_days(schedule, item, service)
            version = _version(item, service.grid.start, served)
            if version is None:
                continue
            if item.kind.is_usage:
                window = _window(service.grid, served)
                aggregated = usage.get((item.key, window.start), ZERO)
                if aggregated == 0:
                    continue  # nothing used: no line (a late event later is a new charge)
                yield _usage_priced(item, service.grid, window, aggregated, version)
            else:
                yield _subscribed_priced(item, service.grid, served, version)


def _served_days(schedule: Schedule, item: ChargeItem, service: ServicePeriod) -> frozenset[int]:
    """Day numbers (1-based in the grid period) the item is served in this period: within
    the period's part, the contract's and the item version's dates, outside every pause. A
    one-time item is served on its first day only."""
    first = max(service.part.start, schedule.start, item.served_from)
    last = min(d for d in (service.part.end, schedule.end, item.served_to) if d is not None)
    if item.on_hold or first > last:
        return frozenset()
    if item.kind is OptionKind.ONE_TIME:
        begins = max(schedule.start, item.served_from)
        return frozenset({service.grid.day_number(begins)}) if first == begins else frozenset()
    return frozenset(
        service.grid.day_number(first + ONE_DAY * offset)
        for offset in range((last - first).days + 1)
        if not any(pause.contains(first + ONE_DAY * offset) for pause in schedule.pauses)
    )


def _version(item: ChargeItem, period_start: date, served: frozenset[int]) -> PriceVersion | None:
    """The price version in force on the period's first day, else on the first served day."""
    if not served:
        return None
    first_served = period_start + ONE_DAY * (min(served) - 1)
    for day in (period_start, first_served):
        valid = [v for v in item.prices if v.valid_from <= day]
        if valid:
            return max(valid, key=lambda v: v.valid_from)
    return None


def _window(grid: Period, served: frozenset[int]) -> Period:
    return Period(
        grid.start + ONE_DAY * (min(served) - 1), grid.start + ONE_DAY * (max(served) - 1)
    )


def _subscribed_priced(
    item: ChargeItem, grid: Period, served: frozenset[int], version: PriceVersion
) -> _Priced:
    model, label = _model(item, version)
    rating = rate(model, item.quantity)
    base = _discounted(rating.amount, item.discount_percent)
    if item.kind is OptionKind.ONE_TIME:
        grid = Period(
            grid.start + ONE_DAY * (min(served) - 1), grid.start + ONE_DAY * (min(served) - 1)
        )
    return _Priced(
        item=item,
        grid=grid,
        variant=_variant(label, item.quantity, item.discount_percent),
        base_amount=base,
        quantity=item.quantity,
        unit_price=_unit_price(model, base, item.quantity, item.discount_percent),
        explanation=Explanation(price_version=label, tiers=rating.tiers),
        days=served if item.kind is OptionKind.RECURRING else frozenset({1}),
    )


def _usage_priced(
    item: ChargeItem, grid: Period, window: Period, aggregated: Decimal, version: PriceVersion
) -> _Priced:
    """A usage line: keyed by its grid period, one unit whose variant holds the billable
    quantity (another quantity credits the billed line whole and charges the new one)."""
    model, label = _model(item, version)
    quantity = usage_quantity(aggregated, free_quota=item.free_quota, cap=item.cap)
    rating = rate(model, quantity.billable)
    base = _discounted(rating.amount, item.discount_percent)
    explanation = Explanation(
        price_version=label,
        aggregated_quantity=aggregated,
        free_quota=item.free_quota,
        capped_quantity=quantity.billable,
        tiers=rating.tiers,
    )
    return _Priced(
        item=item,
        grid=grid,
        variant=_variant(label, quantity.billable, item.discount_percent),
        base_amount=base,
        quantity=quantity.billable,
        unit_price=_unit_price(model, base, quantity.billable, item.discount_percent),
        explanation=explanation,
        days=UNIT,
        window=window,
    )


def _model(item: ChargeItem, version: PriceVersion) -> tuple[PriceModel, str]:
    if item.special_price is None:
        return version.model, version.label
    return item.special_price, f"{version.label}+special"


def _discounted(amount: Decimal, percent: Decimal) -> Decimal:
    return amount if percent == 0 else amount * (HUNDRED - percent) / HUNDRED


def _variant(label: str, quantity: Decimal, discount: Decimal) -> str:
    return f"{label}|{quantity.normalize()}|{discount.normalize()}"


def _unit_price(
    model: PriceModel, base: Decimal, quantity: Decimal, discount: Decimal
) -> Decimal | None:
    """The price of one unit for the whole period, after the discount as the amount is."""
    if model.kind is PriceModelKind.PER_UNIT and model.unit_price is not None:
        return _discounted(model.unit_price, discount)
    if model.kind is PriceModelKind.FLAT or quantity == 0:
        return base if model.kind is PriceModelKind.FLAT else None
    return round_to_places(base / quantity, UNIT_PRICE_PLACES)


def _billed_days(billed: Iterable[BilledLine]) -> dict[_Key, tuple[frozenset[int], _Priced]]:
    """Per (item, period, variant): the days billed net of credits, and how they were priced.
    Each day counts its charges minus its credits, so the order of the lines does not matter
    (a credit, then a re-charge of the same days, leaves them billed once)."""
    counts: dict[_Key, Counter[int]] = {}
    templates: dict[_Key, _Priced] = {}
    for line in billed:
        key = (line.item_key, line.grid.start, line.variant)
        days = UNIT if _unit(line.kind) else _days_of(line.grid, line.served)
        counts.setdefault(key, Counter()).update({day: -1 if line.credit else 1 for day in days})
        templates.setdefault(key, _from_billed(line))
    return {
        key: (frozenset(day for day, n in count.items() if n > 0), templates[key])
        for key, count in counts.items()
    }


def _unit(kind: OptionKind) -> bool:
    return kind.is_usage or kind is OptionKind.ONE_TIME


def _days_of(grid: Period, served: Period) -> range:
    first = grid.day_number(served.start)
    return range(first, first + served.days)


def _from_billed(line: BilledLine) -> _Priced:
    item = ChargeItem(
        key=line.item_key,
        option=line.option,
        description=line.description,
        kind=line.kind,
        quantity=line.quantity,
        prices=(),
        tax_rate=line.tax_rate,
        served_from=line.grid.start,
    )
    return _Priced(
        item=item,
        grid=line.grid,
        variant=line.variant,
        base_amount=line.base_amount,
        quantity=line.quantity,
        unit_price=line.unit_price,
        explanation=Explanation(price_version=line.variant.split("|", 1)[0]),
        days=frozenset(),
        window=line.served if line.kind.is_usage else None,
    )


def _lines(
    priced: _Priced, days: frozenset[int], schedule: Schedule, *, credit: bool
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


def _line(priced: _Priced, run: tuple[int, int], schedule: Schedule, *, credit: bool) -> Charge:
    first, last = run
    grid = priced.grid
    service = priced.window or Period(
        grid.start + ONE_DAY * (first - 1), grid.start + ONE_DAY * (last - 1)
    )
    period_days = 1 if _unit(priced.item.kind) else grid.days
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
    )


def _natural_date(priced: _Priced, service: Period, schedule: Schedule, *, credit: bool) -> date:
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
