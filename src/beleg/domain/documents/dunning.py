"""Dunning (receivables issue, item 6; ADR 0027): which open invoices are due for which
level of the tenant's dunning chain on a given day, and the notice per customer. Pure rules.

- Level 1 is due ``days`` of the first level after the due date; level n+1 is due ``days`` of
  that level after the notice of level n. An item never goes past the last level and rises
  by exactly one level per notice.
- An item stops when its remaining amount is 0 (paid, written off, decided).
- A blocked customer or item is skipped; so is an item in an active collection (a
  direct-debit item whose settlement window has not passed, seed 001) and a deposit invoice
  unless the tenant includes deposit invoices (seed 001, off by default).
- The fee of a notice is the fixed fee of its level plus the level's percentage of the dunned
  remaining amounts, rounded once to the currency.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from beleg.domain.errors import ValidationFailed
from beleg.money import Currency, round_to_currency

# A collection is active from its batch until this many days after its collection date:
# the window in which an R-transaction (reject or return) usually comes back (ADR 0027).
SETTLEMENT_DAYS = 5
MAX_PAST_DAYS = 366  # how far back a run's ``asOf`` may lie
HUNDRED = Decimal(100)
CUSTOMER, DOCUMENT = "CUSTOMER", "DOCUMENT"  # what a dunning block applies to


@dataclass(frozen=True, slots=True)
class Level:
    """One level of the chain, numbered from 1."""

    id: uuid.UUID
    number: int
    days: int
    fixed_fee: Decimal
    fee_percentage: Decimal
    subject: str
    line_text: str
    end_text: str
    account: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """An issued open invoice as dunning sees it."""

    document_id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    currency: str
    due_date: date
    remaining: Decimal
    last_level: int  # 0 = never dunned
    last_notice: date | None
    deposit: bool = False
    blocked: bool = False  # the document or its customer
    collecting_until: date | None = None  # an active collection ends after this day
    account: str | None = None  # the unpaid account the invoice is receivable on (DE)
    rate: Decimal = Decimal(1)  # the invoice's currency rate to the main currency


@dataclass(frozen=True, slots=True)
class DueItem:
    candidate: Candidate
    level: Level


@dataclass(frozen=True, slots=True)
class NoticePlan:
    """One notice: a customer's items of one currency, at the highest level among them."""

    customer_id: uuid.UUID
    currency: str
    level: Level
    items: tuple[DueItem, ...]
    fee: Decimal

    @property
    def total(self) -> Decimal:
        return sum((i.candidate.remaining for i in self.items), Decimal(0))


def checked_as_of(as_of: date, today: date) -> date:
    """A run looks at ``today`` or a past day within a year, never the future."""
    if as_of > today or as_of < today - timedelta(days=MAX_PAST_DAYS):
        raise ValidationFailed(
            "documents.dunning_as_of_out_of_range", field="asOf", today=today.isoformat()
        )
    return as_of


def next_level(item: Candidate, levels: Sequence[Level], day: date) -> Level | None:
    """The level ``item`` is due for on ``day``, or None."""
    if item.remaining <= 0 or item.blocked or item.last_level >= len(levels):
        return None
    if item.collecting_until is not None and day <= item.collecting_until:
        return None
    level = levels[item.last_level]
    base = item.due_date if item.last_level == 0 else (item.last_notice or item.due_date)
    if item.last_notice is not None and item.last_notice >= day:
        return None  # at most one notice per item and day
    return level if day >= base + timedelta(days=level.days) else None


def due_items(
    items: Iterable[Candidate], levels: Sequence[Level], day: date, *, include_deposits: bool
) -> list[DueItem]:
    """Every item due for a notice on ``day`` with its new level."""
    found = []
    for item in items:
        if item.deposit and not include_deposits:
            continue
        level = next_level(item, levels, day)
        if level is not None:
            found.append(DueItem(item, level))
    return found


def fee_of(level: Level, dunned: Decimal, currency: str) -> Decimal:
    """The fixed fee plus the percentage of the dunned amount, rounded to the currency."""
    return round_to_currency(
        level.fixed_fee + dunned * level.fee_percentage / HUNDRED, Currency.of(currency)
    )


def plan_notices(due: Sequence[DueItem]) -> list[NoticePlan]:
    """One notice per customer and currency; its level (texts, fee) is the highest level
    among its items, in a stable order (customer, currency)."""
    groups: dict[tuple[uuid.UUID, str], list[DueItem]] = {}
    for item in due:
        key = (item.candidate.customer_id, item.candidate.currency)
        groups.setdefault(key, []).append(item)
    plans = []
    for (customer, currency), items in sorted(groups.items(), key=lambda kv: str(kv[0])):
        level = max((i.level for i in items), key=lambda lv: lv.number)
        ordered = tuple(sorted(items, key=lambda i: (i.candidate.due_date, i.candidate.number)))
        dunned = sum((i.candidate.remaining for i in ordered), Decimal(0))
        fee = fee_of(level, dunned, currency)
        plans.append(NoticePlan(customer, currency, level, ordered, fee))
    return plans
