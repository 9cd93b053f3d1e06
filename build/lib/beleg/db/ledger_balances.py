"""The maintained ledger balances (table ``ledger_balances``, ADR 0017).

Every posting write adds its postings to the balance rows of their (tenant, account, month,
currency) in the same transaction (``add_to_balances``, called by ``db/ledger.py``
``insert_journals``, the only writer of postings), so the rows always equal the sums of the
postings: a rollback takes both back. The batch's postings are summed in Python first and
written with one upsert, ``INSERT ... ON CONFLICT (key) DO UPDATE SET debit = debit +
excluded.debit, ...``; the increment is atomic on both databases (PostgreSQL locks the
conflicting row, SQLite has one writer), so concurrent batches never lose an addition. The rows
go in key order, so two batches that touch the same rows lock them in the same order and
cannot deadlock each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from beleg.db.tables import ledger_balances

BalanceKey = tuple[uuid.UUID, str, date, str]  # tenant, account, period, currency
SUMS = ("debit", "credit", "debit_main", "credit_main", "debit_gross", "credit_gross", "postings")
MAX_ROWS_PER_STATEMENT = 2_000  # bind parameters stay below SQLite's 32,766 (11 per row)


def period_of(day: date) -> date:
    """The balance period of a posting dated ``day``: the first day of its month."""
    return day.replace(day=1)


@dataclass(slots=True)
class BalanceDelta:
    """What a batch adds to one balance row (the split of each amount by its sign)."""

    sums: list[Any] = field(default_factory=lambda: [Decimal(0)] * 6 + [0])

    def add(self, amount: Decimal, amount_main: Decimal, tax_main: Decimal) -> None:
        gross = amount_main + tax_main
        s = self.sums
        for index, value in ((0, amount), (2, amount_main), (4, gross)):
            if value > 0:
                s[index] += value
            else:
                s[index + 1] -= value
        s[6] += 1


def deltas(postings: Iterable[Mapping[str, Any]], currency: Mapping[Any, str]) -> dict:
    """The balance deltas of posting rows (as inserted), ``currency`` by journal id."""
    found: dict[BalanceKey, BalanceDelta] = {}
    for p in postings:
        key = (
            p["tenant_id"],
            p["account_code"],
            period_of(p["booking_date"]),
            currency[p["journal_id"]],
        )
        delta = found.get(key)
        if delta is None:
            delta = found[key] = BalanceDelta()
        delta.add(p["amount"], p["amount_main"], p["tax_main"])
    return found


def add_to_balances(session: Session, found: Mapping[BalanceKey, BalanceDelta]) -> None:
    """Add ``found`` to the balance rows with one upsert (one per 2,000 rows), in key order."""
    rows = [
        {
            "tenant_id": key[0],
            "account_code": key[1],
            "period": key[2],
            "currency": key[3],
            **dict(zip(SUMS, found[key].sums, strict=True)),
        }
        for key in sorted(found, key=lambda k: (str(k[0]), k[1], k[2], k[3]))
    ]
    for offset in range(0, len(rows), MAX_ROWS_PER_STATEMENT):
        session.execute(_upsert(session, rows[offset : offset + MAX_ROWS_PER_STATEMENT]))


def _upsert(session: Session, rows: list[dict[str, Any]]) -> Insert:
    dialect = session.connection().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(ledger_balances).values(rows)
    table = ledger_balances.c
    return statement.on_conflict_do_update(
        index_elements=[table.tenant_id, table.account_code, table.period, table.currency],
        set_={name: table[name] + statement.excluded[name] for name in SUMS},
    )
