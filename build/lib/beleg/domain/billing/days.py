"""Which days of a contract's items are desired and which are billed, and what each is
priced from: the two sides the charge calculation (``charges.py``) subtracts.

*Desired* days are served: within the contract's and the item version's dates, not paused, not
on hold, not in the trial. *Billed* days are on issued lines, each day counting its charges
minus its credits. Both are grouped per (item, grid period, pricing variant); the variant holds
the price version, quantity and discount, so another price is another group. Usage and one-time
items are one unit, not days: a usage line is keyed by its service period and its variant holds
the billable quantity. A recurring item uses the price version in force on its grid period's
first day (a new version applies from the next period).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from beleg.domain.billing.schedule import BilledLine, ChargeItem, PriceVersion, Schedule
from beleg.domain.catalog.options import OptionKind
from beleg.domain.catalog.pricing import (
    ZERO,
    PriceModel,
    PriceModelKind,
    TierCharge,
    rate,
    usage_quantity,
)
from beleg.domain.contracts.periods import Period, ServicePeriod, periods
from beleg.money import round_to_places

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
class Priced:
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


Key = tuple[str, date, str]


def key_of(priced: Priced) -> Key:
    return (priced.item.key, priced.grid.start, priced.variant)


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


def desired(
    schedule: Schedule, usage: Mapping[tuple[str, date], Decimal], until: date
) -> Iterator[Priced]:
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
    grid = service.grid
    days = range(grid.day_number(first), grid.day_number(last) + 1)
    pauses = [p for p in schedule.pauses if p.start <= last and p.end >= first]
    if not pauses:
        return frozenset(days)
    return frozenset(
        n for n in days if not any(p.contains(grid.start + ONE_DAY * (n - 1)) for p in pauses)
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
) -> Priced:
    model, label = _model(item, version)
    rating = rate(model, item.quantity)
    base = discounted(rating.amount, item.discount_percent)
    if item.kind is OptionKind.ONE_TIME:
        grid = Period(
            grid.start + ONE_DAY * (min(served) - 1), grid.start + ONE_DAY * (min(served) - 1)
        )
    return Priced(
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
) -> Priced:
    """A usage line: keyed by its grid period, one unit whose variant holds the billable
    quantity (another quantity credits the billed line whole and charges the new one)."""
    model, label = _model(item, version)
    quantity = usage_quantity(aggregated, free_quota=item.free_quota, cap=item.cap)
    rating = rate(model, quantity.billable)
    base = discounted(rating.amount, item.discount_percent)
    explanation = Explanation(
        price_version=label,
        aggregated_quantity=aggregated,
        free_quota=item.free_quota,
        capped_quantity=quantity.billable,
        tiers=rating.tiers,
    )
    return Priced(
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


def discounted(amount: Decimal, percent: Decimal) -> Decimal:
    """``amount`` less ``percent`` (0-100), exact."""
    return amount if percent == 0 else amount * (HUNDRED - percent) / HUNDRED


def _variant(label: str, quantity: Decimal, discount: Decimal) -> str:
    return f"{label}|{quantity.normalize()}|{discount.normalize()}"


def _unit_price(
    model: PriceModel, base: Decimal, quantity: Decimal, discount: Decimal
) -> Decimal | None:
    """The price of one unit for the whole period, after the discount as the amount is."""
    if model.kind is PriceModelKind.PER_UNIT and model.unit_price is not None:
        return discounted(model.unit_price, discount)
    if model.kind is PriceModelKind.FLAT or quantity == 0:
        return base if model.kind is PriceModelKind.FLAT else None
    return round_to_places(base / quantity, UNIT_PRICE_PLACES)


def billed_days(billed: Iterable[BilledLine]) -> dict[Key, tuple[frozenset[int], Priced]]:
    """Per (item, period, variant): the days billed net of credits, and how they were priced.
    Each day counts its charges minus its credits, so the order of the lines does not matter
    (a credit, then a re-charge of the same days, leaves them billed once)."""
    counts: dict[Key, Counter[int]] = {}
    templates: dict[Key, Priced] = {}
    for line in billed:
        key = (line.item_key, line.grid.start, line.variant)
        days = UNIT if is_unit(line.kind) else _days_of(line.grid, line.served)
        counts.setdefault(key, Counter()).update({day: -1 if line.credit else 1 for day in days})
        templates.setdefault(key, _from_billed(line))
    return {
        key: (frozenset(day for day, n in count.items() if n > 0), templates[key])
        for key, count in counts.items()
    }


def is_unit(kind: OptionKind) -> bool:
    return kind.is_usage or kind is OptionKind.ONE_TIME


def _days_of(grid: Period, served: Period) -> range:
    first = grid.day_number(served.start)
    return range(first, first + served.days)


def _from_billed(line: BilledLine) -> Priced:
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
    return Priced(
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
