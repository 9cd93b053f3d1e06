"""Collection dates and file splitting of SEPA direct debits.

Lead time: the SEPA Core and B2B rulebooks (since November 2016) want a collection in the
debtor bank at least one TARGET2 business day before its due date (D-1), for FRST, RCUR,
OOFF and FNAL alike. Beleg asks for at least ``LEAD_DAYS`` TARGET2 business days after the day
the batch is made, so a file handed to the bank that day reaches the debtor bank in time.
TARGET2 closing days (weekends, New Year, Good Friday, Easter Monday, 1 May, 25 and 26
December) are taken from ``holidays.financial_holidays("XECB")``. A collection falling on a
closing day moves to the next TARGET2 business day.

Files: one file per (collection date, sequence type, CORE/B2B), at most ``FILE_ITEMS``
transactions each (seed 002: 800 items per collective direct-debit file).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import TypeVar

import holidays

LEAD_DAYS = 1  # TARGET2 business days between the day of the batch and the collection (D-1)
FILE_ITEMS = 800  # seed 002

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@lru_cache(maxsize=32)
def _closing_days(year: int) -> frozenset[date]:
    return frozenset(holidays.financial_holidays("XECB", years=year))


def is_target2_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closing_days(day.year)


def next_target2_day(day: date) -> date:
    """``day`` itself when TARGET2 is open, else the next day it is."""
    while not is_target2_day(day):
        day += timedelta(days=1)
    return day


def add_target2_days(day: date, days: int) -> date:
    for _ in range(days):
        day = next_target2_day(day + timedelta(days=1))
    return day


def collection_date(*, today: date, requested: date | None, due: date | None = None) -> date:
    """The collection date of a batch: the requested date (else the due date, else the
    earliest possible), never before ``today`` + ``LEAD_DAYS`` TARGET2 business days, and
    moved to the next TARGET2 business day when it falls on a closing day."""
    earliest = add_target2_days(today, LEAD_DAYS)
    wanted = requested or due or earliest
    return next_target2_day(max(wanted, earliest))


def split_files(items: Sequence[T], key: Callable[[T], K]) -> list[tuple[K, list[T]]]:
    """The items grouped by ``key`` (in sorted key order, items in their given order), each
    group cut into parts of at most ``FILE_ITEMS``."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    parts: list[tuple[K, list[T]]] = []
    for k in sorted(groups, key=str):
        members = groups[k]
        for start in range(0, len(members), FILE_ITEMS):
            parts.append((k, members[start : start + FILE_ITEMS]))
    return parts
