"""The typed input of the charge calculation: a contract's billing schedule, its items and
what has already been billed. Built by the services from contracts, the catalogue and the
billed documents; nothing here reads a database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from beleg.domain.catalog.intervals import Interval
from beleg.domain.catalog.options import OptionKind
from beleg.domain.catalog.plan_pricing import PriceVersion
from beleg.domain.catalog.plans import BillingTiming, ItemPrice
from beleg.domain.catalog.pricing import PriceModel
from beleg.domain.contracts.periods import Period, Realignment
from beleg.money import Currency

__all__ = ["BilledLine", "BillingTiming", "ChargeItem", "PriceVersion", "Schedule"]


def price_versions(prices: Iterable[ItemPrice]) -> tuple[PriceVersion, ...]:
    """A plan item's price versions (the catalogue's) as the charge calculation takes them,
    each labelled by its first day."""
    return tuple(PriceVersion(p.valid_from, p.model, p.valid_from.isoformat()) for p in prices)


@dataclass(frozen=True, slots=True)
class ChargeItem:
    """One subscription item as it is charged from ``served_from`` to ``served_to`` (None:
    open). A plan change ends one item version and starts another.

    ``quantity`` is the subscribed quantity (recurring, one-time); usage items take theirs from
    the period's events. ``special_price`` replaces the catalogue price; ``discount_percent``
    (0-100) reduces the period's amount; ``tax_rate`` is a percentage (19 for 19 %).
    ``free_quota`` and ``cap`` apply to usage: free quota first, then the cap (seed 000)."""

    key: str
    option: str
    description: str
    kind: OptionKind
    quantity: Decimal
    prices: tuple[PriceVersion, ...]
    tax_rate: Decimal
    served_from: date
    served_to: date | None = None
    special_price: PriceModel | None = None
    discount_percent: Decimal = Decimal(0)
    free_quota: Decimal = Decimal(0)
    cap: Decimal | None = None
    on_hold: bool = False
    tax_exemption: Mapping[str, Any] | None = None  # {category, reason, vatexCode}: 0 %


@dataclass(frozen=True, slots=True)
class Schedule:
    """A contract's billing terms. ``end`` is the last day of service: the termination's
    date, or the end of the minimum term when the contract does not renew (renewal term 0:
    no charges afterwards, though the contract stays active, seed 002)."""

    currency: Currency
    start: date
    interval: Interval
    timing: BillingTiming
    items: tuple[ChargeItem, ...]
    end: date | None = None
    realignments: tuple[Realignment, ...] = ()
    pauses: tuple[Period, ...] = ()


@dataclass(frozen=True, slots=True)
class BilledLine:
    """A line already on an issued document: ``served`` days of the period ``grid`` of item
    ``item_key``, priced as ``variant`` from the whole period's exact ``base_amount``. A
    ``credit`` line (of a credit note) takes its days back. The other fields describe the
    item as it was billed, for a credit of a variant the contract no longer has."""

    item_key: str
    option: str
    description: str
    kind: OptionKind
    grid: Period
    served: Period
    variant: str
    base_amount: Decimal
    quantity: Decimal
    unit_price: Decimal | None
    net_amount: Decimal
    tax_rate: Decimal
    credit: bool = False
