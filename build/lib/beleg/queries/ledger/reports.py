"""Read side of the ledger: trial balance and journal lines."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import ledger_accounts, ledger_journals, ledger_postings, tenants
from beleg.money import Currency, in_minor_units
from beleg.queries.ledger.sums import Span, account_sums
from beleg.queries.listing import ListSpec


@dataclass(frozen=True, slots=True)
class BalanceRow:
    account: str
    name: str
    account_type: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def trial_balance(
    *, db: Database, tenant_id: uuid.UUID, date_from: date, date_to: date
) -> list[BalanceRow]:
    """Debit and credit totals (main currency) per account for postings dated within
    [date_from, date_to]: the whole months from the maintained balances, a cut month at
    either end from its postings (``sums.py``), so the cost does not grow with the postings."""
    a = ledger_accounts.c
    with db.reader() as session:
        main = Currency.of(
            session.execute(
                select(tenants.c.currency).where(tenants.c.id == tenant_id)
            ).scalar_one()
        )
        found = account_sums(session, Span(tenant_id, date_from, date_to))
        accounts = {
            r.code: r
            for r in session.execute(
                select(a.code, a.name, a.account_type).where(
                    a.tenant_id == tenant_id, a.code.in_(list(found))
                )
            )
        }
    return [
        BalanceRow(
            code,
            accounts[code].name,
            accounts[code].account_type,
            in_minor_units(found[code].debit, main),
            in_minor_units(found[code].credit, main),
        )
        for code in sorted(found)
    ]


def journal_lines(tenant_id: uuid.UUID) -> ListSpec:
    """Every posting with its journal: the journal (Buchungsjournal) as a list."""
    j, p = ledger_journals.c, ledger_postings.c
    reversal = ledger_journals.alias("reversal")
    reversed_by = (
        select(reversal.c.number)
        .where(reversal.c.tenant_id == tenant_id, reversal.c.reverses_id == j.id)
        .scalar_subquery()
    )
    statement = (
        select(
            j.number,
            j.journal_type,
            j.booking_date,
            j.currency,
            j.description,
            p.line_no,
            p.account_code,
            p.amount,
            p.amount_main,
            p.tax_code,
            reversed_by.label("cancelled_by"),
            tenants.c.currency.label("main"),
        )
        .join(ledger_postings, (p.tenant_id == j.tenant_id) & (p.journal_id == j.id))
        .join(tenants, tenants.c.id == j.tenant_id)
        .where(j.tenant_id == tenant_id)
    )
    return ListSpec(
        statement=statement,
        filters={
            "number": FilterField(j.number),
            "account": FilterField(p.account_code),
            "bookingDate": FilterField(j.booking_date, Kind.DATE),
            "type": FilterField(j.journal_type, Kind.ENUM, ("A", "E", "U")),
        },
        sortable={"bookingDate": j.booking_date, "number": j.number},
        default_sort=[j.booking_date, j.created_at, p.line_no],
        to_item=_journal_line,
        columns=[
            "number",
            "type",
            "bookingDate",
            "account",
            "amount",
            "currency",
            "amountMain",
            "taxCode",
            "description",
            "cancelledBy",
        ],
    )


def _journal_line(row: Any) -> dict[str, Any]:
    currency, main = Currency.of(row.currency), Currency.of(row.main)
    return {
        "number": row.number,
        "type": row.journal_type,
        "bookingDate": row.booking_date,
        "account": row.account_code,
        "amount": in_minor_units(row.amount, currency),
        "currency": row.currency,
        "amountMain": in_minor_units(row.amount_main, main),
        "taxCode": row.tax_code,
        "description": row.description,
        "cancelledBy": row.cancelled_by,
        "line": row.line_no,
    }
