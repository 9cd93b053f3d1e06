"""The one number allocator: gapless numbers per (tenant, series, period), one at a time or
in blocks (DESIGN.md "Decisions": numbers are allocated at finalisation, inside that
transaction, from a row-locked counter; invariant 4: unique and gapless under concurrency).

``allocate`` increments the series row with ``UPDATE ... RETURNING``: the row lock and the
new value in one round trip. The row stays locked until the caller's transaction ends, so
concurrent writers queue on it and a rolled-back transaction gives its numbers back; nothing
is ever skipped. A series' first use inserts its row in a savepoint (an IntegrityError means
a concurrent writer was first, and the increment is retried). On SQLite the single writer
(``BEGIN IMMEDIATE``) serialises the same way. A batch takes ``count`` numbers at once and
holds the row only for its own transaction: still gapless, since it commits whole or not at
all.

Every series has its name built here, so that one file shows everything that is numbered.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import BigInteger, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables.sequences import sequences

PLATFORM = uuid.UUID(int=0)  # the scope of series that belong to no tenant
NO_PERIOD = ""


def journal_series(journal_type: str) -> str:
    """Journal numbers ``E2026 1`` per type (E, A, U) and year (seed 003 §3.2)."""
    return f"journal:{journal_type}"


def cash_invoice_series(prefix: str) -> str:
    """Cash-based invoice sequences ``ER2026 1`` / ``AR2026 1`` per year (seed 003 §3.2)."""
    return f"cash-invoice:{prefix}"


def document_counter_series(counter_id: uuid.UUID) -> str:
    """A document counter's values; the period follows the counter's reset rule."""
    return f"document-counter:{counter_id}"


def receipt_series(register_no: int, series: str) -> str:
    """A cash register's receipt numbers of one number series per year (RKSV)."""
    return f"receipt:{register_no}:{series}"


def receipt_position_series(register_no: int) -> str:
    """The order of a register's receipts in its chain (the DEP export order)."""
    return f"receipt-position:{register_no}"


def statement_line_series(statement_id: uuid.UUID) -> str:
    """Line numbers within one bank statement."""
    return f"statement-line:{statement_id}"


def dunning_notice_series() -> str:
    """Dunning notice numbers ``M2026-1`` per year (ADR 0027)."""
    return "dunning-notice"


TENANT_NUMBERS = "tenant-number"  # platform-wide, under PLATFORM
CUSTOMER_NUMBERS = "customer-number"  # a tenant's customer numbers when none is given


_S = sequences.c
# Built once: a statement object per call costs more than the round trip on SQLite.
_BUMP = (
    update(sequences)
    .where(
        _S.tenant_id == bindparam("tenant"),
        _S.series == bindparam("name"),
        _S.period == bindparam("span"),
    )
    .values(last_value=_S.last_value + bindparam("count", type_=BigInteger))
    .returning(_S.last_value)
)


def allocate(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    series: str,
    period: str = NO_PERIOD,
    count: int = 1,
    start: int = 1,
) -> int:
    """Reserve ``count`` consecutive values of (tenant, series, period) in the caller's
    transaction and return the first; a series (or a new period of it) starts at ``start``."""
    if count < 1:
        raise ValueError("count must be at least 1")
    params = {"tenant": tenant_id, "name": series, "span": period, "count": count}
    last = session.execute(_BUMP, params).scalar_one_or_none()
    if last is None:
        try:
            with session.begin_nested():
                session.execute(
                    insert(sequences).values(
                        tenant_id=tenant_id,
                        series=series,
                        period=period,
                        last_value=start - 1 + count,
                    )
                )
        except IntegrityError:  # a concurrent transaction opened the series first
            last = session.execute(_BUMP, params).scalar_one()
        else:
            return start
    return int(last) - count + 1


def last_values(session: Session, *, tenant_id: uuid.UUID, series: str) -> Mapping[str, int]:
    """The last value of every period of a series (period -> value), oldest period first."""
    rows = session.execute(
        select(_S.period, _S.last_value)
        .where(_S.tenant_id == tenant_id, _S.series == series)
        .order_by(_S.period)
    ).all()
    return {period: int(value) for period, value in rows}
