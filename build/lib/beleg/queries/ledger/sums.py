"""Debit and credit per account over a date range, from the maintained balances (ADR 0017).

The whole months of the range come from ``ledger_balances`` (one row per account, month and
currency); only a cut month at either end, if the range does not start on a 1st or end on a
month's last day, is summed from the postings dated within the range (an index range scan of
``ix_ledger_postings_balance``, at most two partial months). Debit sums the positive, credit
the negated negative amounts, posting by posting, exactly as the postings give them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from beleg.db.tables import ledger_balances, ledger_postings


class Amount(Enum):
    """Which amount the sums add up (all in the tenant's main currency)."""

    MAIN = "main"
    GROSS = "gross"  # the amount plus the VAT booked for it (seed 003 method T)


@dataclass(slots=True)
class Sums:
    debit: Decimal
    credit: Decimal
    postings: int  # 0: no posting left in the range (the account is not listed)


@dataclass(frozen=True, slots=True)
class Span:
    """What to sum: one tenant's postings dated ``date_from``..``date_to`` (inclusive)."""

    tenant_id: uuid.UUID
    date_from: date
    date_to: date
    amount: Amount = Amount.MAIN


@dataclass(frozen=True, slots=True)
class Split:
    """A date range as whole months (first days, inclusive) and cut parts at its ends."""

    months: tuple[date, date] | None
    cuts: tuple[tuple[date, date], ...]


def split(date_from: date, date_to: date) -> Split:
    """``date_from``..``date_to`` as whole months plus the days of a cut month at each end."""
    first = date_from if date_from.day == 1 else _next_month(date_from)
    after = date_to + timedelta(days=1)
    end = date_to if after.day == 1 else after.replace(day=1) - timedelta(days=1)
    if first > end:
        return Split(None, ((date_from, date_to),) if date_from <= date_to else ())
    cuts = []
    if date_from < first:
        cuts.append((date_from, first - timedelta(days=1)))
    if end < date_to:
        cuts.append((end + timedelta(days=1), date_to))
    return Split((first, end.replace(day=1)), tuple(cuts))


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def account_sums(session: Session, span: Span) -> dict[str, Sums]:
    """Debit, credit and posting count per account of the postings dated in the span."""
    parts = split(span.date_from, span.date_to)
    found: dict[str, Sums] = {}
    if parts.months is not None:
        b = ledger_balances.c
        gross = span.amount is Amount.GROSS
        debit, credit = (b.debit_gross, b.credit_gross) if gross else (b.debit_main, b.credit_main)
        statement = (
            select(b.account_code, func.sum(debit), func.sum(credit), func.sum(b.postings))
            .where(b.tenant_id == span.tenant_id, b.period.between(*parts.months))
            .group_by(b.account_code)
        )
        _add(found, list(session.execute(statement).all()), 1)
    for start, end in parts.cuts:
        cut = Span(span.tenant_id, start, end, span.amount)
        _add(found, _posting_sums(session, cut, None), 1)
    return found


def subtract_journals(
    found: dict[str, Sums], session: Session, span: Span, journals: Collection[uuid.UUID]
) -> None:
    """Take the postings of ``journals`` dated in the span out of ``found`` (a few opening
    balance and closing journals: summed from their postings)."""
    if journals:
        _add(found, _posting_sums(session, span, journals), -1)


def posting_amount(amount: Amount) -> Any:
    p = ledger_postings.c
    return p.amount_main + p.tax_main if amount is Amount.GROSS else p.amount_main


def _posting_sums(
    session: Session, span: Span, journals: Collection[uuid.UUID] | None
) -> list[Any]:
    p = ledger_postings.c
    value = posting_amount(span.amount)
    statement = (
        select(
            p.account_code,
            func.sum(case((value > 0, value), else_=Decimal(0))),
            func.sum(case((value < 0, -value), else_=Decimal(0))),
            func.count(),
        )
        .where(
            p.tenant_id == span.tenant_id,
            p.booking_date >= span.date_from,
            p.booking_date <= span.date_to,
        )
        .group_by(p.account_code)
    )
    if journals is not None:
        statement = statement.where(p.journal_id.in_(list(journals)))
    return list(session.execute(statement).all())


def _add(found: dict[str, Sums], rows: list[Any], sign: int) -> None:
    for code, debit, credit, count in rows:
        sums = found.setdefault(code, Sums(Decimal(0), Decimal(0), 0))
        sums.debit += sign * Decimal(debit)
        sums.credit += sign * Decimal(credit)
        sums.postings += sign * int(count)
    for code in [c for c, s in found.items() if s.postings == 0]:
        del found[code]
