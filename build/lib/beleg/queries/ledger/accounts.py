"""Read side of the chart and the balances (seed 003 CashBasedSetup, §3.7).

Balances are sums of posted main-currency amounts over a period. ``sum`` is debit minus
credit, shown positive for income accounts (E, M) as the seed's example does (revenue 4000:
``sum 92.55``). Opening balances (BALANCE rebooks) and closing entries (FINALIZATION rebooks)
count only when asked for. Method ``T`` adds the VAT booked for each amount (gross).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from beleg.db.database import Database
from beleg.db.tables import (
    contacts,
    ledger_accounts,
    ledger_balances,
    ledger_postings,
    ledger_rebooks,
    tenants,
)
from beleg.db.tables import ledger_tax_entries as entries
from beleg.domain.errors import NotFound
from beleg.domain.ledger.charts import Account, AccountType, Modifier, chart_named
from beleg.domain.ledger.charts.model import MODIFIER_NAMES
from beleg.domain.ledger.rebooks import RebookType, allowed
from beleg.money import Currency, in_minor_units
from beleg.queries.ledger.sums import (
    Amount,
    Span,
    account_sums,
    posting_amount,
    subtract_journals,
)

INCOME_TYPES = (AccountType.REVENUE.value, AccountType.REVENUE_GASTRONOMY.value)


def account_item(row: Any) -> dict[str, Any]:
    return {
        "id": row.code,
        "name": row.name,
        "type": row.account_type,
        "defaultTaxClassEntry": row.default_tax_code,
        "forcedTaxClass": row.forced_tax,
    }


def _accounts(session: Session, tenant_id: uuid.UUID) -> list[Any]:
    return list(
        session.execute(
            select(ledger_accounts)
            .where(ledger_accounts.c.tenant_id == tenant_id)
            .order_by(ledger_accounts.c.code)
        ).all()
    )


def list_accounts(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    types: tuple[str, ...] | None = None,
    rebook: RebookType | None = None,
    exclude: str | None = None,
    search: str | None = None,
    receivables: bool = False,
) -> list[dict[str, Any]]:
    """Accounts of the tenant, optionally of some types (plus the chart's receivables account
    with ``receivables``), usable in a rebook, or matching ``search`` (code prefix or name
    substring)."""
    with db.reader() as session:
        rows = _accounts(session, tenant_id)
        extra = set()
        if receivables:
            chart = session.execute(
                select(tenants.c.chart_of_accounts).where(tenants.c.id == tenant_id)
            ).scalar_one()
            extra.add(chart_named(chart).receivables)
    items = []
    for row in rows:
        if types and row.account_type not in types and row.code not in extra:
            continue
        if rebook and (row.code == exclude or not allowed(rebook, _domain(row))):
            continue
        if search and not (row.code.startswith(search) or search.lower() in row.name.lower()):
            continue
        items.append(account_item(row))
    return items


def _domain(row: Any) -> Account:
    return Account.stored(row.code, row.name, row.account_type, row.tax_codes, row.forced_tax)


def get_account(*, db: Database, tenant_id: uuid.UUID, code: str) -> dict[str, Any]:
    with db.reader() as session:
        return account_item(_account_row(session, tenant_id, code))


def _account_row(session: Session, tenant_id: uuid.UUID, code: str) -> Any:
    row = session.execute(
        select(ledger_accounts).where(
            ledger_accounts.c.tenant_id == tenant_id, ledger_accounts.c.code == code
        )
    ).one_or_none()
    if row is None:
        raise NotFound("ledger.account_not_found", field="account", code=code)
    return row


def tax_class_entries(
    *, db: Database, tenant_id: uuid.UUID, code: str, language: str, entry: str | None = None
) -> list[dict[str, Any]]:
    """The tax class entries an account allows (its default first), with their modifiers."""
    with db.reader() as session:
        account = _account_row(session, tenant_id, code)
        rows = {
            r.code: r
            for r in session.execute(select(entries).where(entries.c.tenant_id == tenant_id)).all()
        }
    codes = account.tax_codes.split(",")[:1] if account.forced_tax else account.tax_codes.split(",")
    if entry is not None:
        if entry not in codes:
            raise NotFound(
                "ledger.tax_entry_not_on_account", field="taxClassEntry", entry=entry, code=code
            )
        codes = [entry]
    english = language == "en"
    return [
        {
            "id": c,
            "name": rows[c].name_en if english else rows[c].name_de,
            "taxRate": rows[c].rate.normalize() if rows[c].rate else Decimal(0),
            "taxClassEntryModifierList": [
                {"id": m, "name": MODIFIER_NAMES[Modifier(m)][1 if english else 0]}
                for m in rows[c].modifiers.split(",")
                if m
            ],
        }
        for c in codes
    ]


@dataclass(frozen=True, slots=True)
class BalanceQuery:
    date_from: date
    date_to: date
    gross: bool = False  # method T
    account_type: str | None = None
    opening_balances: bool = False
    closing_entries: bool = False
    hide_zero: bool = False
    compact_receivables: bool = False


def _excluded_journals(
    session: Session, tenant_id: uuid.UUID, query: BalanceQuery
) -> list[uuid.UUID]:
    """Journals of opening balances and closing entries that the query leaves out (read
    first, so the usual case, none, keeps the balance an index-only scan)."""
    kinds = [
        t
        for t, wanted in (
            (RebookType.BALANCE.value, query.opening_balances),
            (RebookType.FINALIZATION.value, query.closing_entries),
        )
        if not wanted
    ]
    return list(
        session.execute(
            select(ledger_rebooks.c.journal_id).where(
                ledger_rebooks.c.tenant_id == tenant_id, ledger_rebooks.c.rebook_type.in_(kinds)
            )
        ).scalars()
    )


def _kind(query: BalanceQuery) -> Amount:
    return Amount.GROSS if query.gross else Amount.MAIN


def balances(*, db: Database, tenant_id: uuid.UUID, query: BalanceQuery) -> list[dict[str, Any]]:
    """Seed 003 AccountBalanceDto per account with bookings in the period: the maintained
    balances of the period (``sums.py``) less the postings of the journals it leaves out."""
    span = Span(tenant_id, query.date_from, query.date_to, _kind(query))
    with db.reader() as session:
        found = account_sums(session, span)
        subtract_journals(found, session, span, _excluded_journals(session, tenant_id, query))
        main, names, merge = _context(session, tenant_id, query.compact_receivables)
    sums: dict[str, list[Decimal]] = {}
    for code, entry in found.items():
        pair = sums.setdefault(merge.get(code, code), [Decimal(0), Decimal(0)])
        pair[0] += entry.debit
        pair[1] += entry.credit
    items = []
    for code, (debit, credit) in sorted(sums.items()):
        name, kind = names[code]
        if query.account_type and kind != query.account_type:
            continue
        total = debit - credit if kind not in INCOME_TYPES else credit - debit
        if query.hide_zero and not total:
            continue
        items.append(
            {
                "accountCode": code,
                "accountName": name,
                "credit": in_minor_units(credit, main),
                "debit": in_minor_units(debit, main),
                "sum": in_minor_units(total, main),
            }
        )
    return items


def _context(
    session: Session, tenant_id: uuid.UUID, compact: bool
) -> tuple[Currency, dict[str, tuple[str, str]], dict[str, str]]:
    tenant = session.execute(select(tenants).where(tenants.c.id == tenant_id)).one()
    names = {r.code: (r.name, r.account_type) for r in _accounts(session, tenant_id)}
    merge: dict[str, str] = {}
    if compact:  # personal contra accounts count on the chart's receivables/payables
        chart = chart_named(tenant.chart_of_accounts)
        for code, kind in session.execute(
            select(contacts.c.contra_account, contacts.c.kind).where(
                contacts.c.tenant_id == tenant_id, contacts.c.contra_account.is_not(None)
            )
        ):
            merge[code] = chart.receivables if kind == "CUSTOMER" else chart.payables
    return Currency.of(tenant.currency), names, merge


def balances_per_month(
    *, db: Database, tenant_id: uuid.UUID, year: int, query: BalanceQuery, totals: bool
) -> list[dict[str, Any]]:
    """Seed 003 AccountLineDto: monthly sums of one fiscal (calendar) year per account, from
    the maintained balances; the postings of opening-balance and closing journals (a few)
    move from their month to ``opening`` and ``closing``."""
    b = ledger_balances.c
    net = b.debit_gross - b.credit_gross if query.gross else b.debit_main - b.credit_main
    months = (
        select(b.account_code, b.period, func.sum(net))
        .where(b.tenant_id == tenant_id, b.period.between(date(year, 1, 1), date(year, 12, 1)))
        .group_by(b.account_code, b.period)
    )
    with db.reader() as session:
        main, names, merge = _context(session, tenant_id, query.compact_receivables)
        month_rows = session.execute(months).all()
        rebook_rows = session.execute(_rebook_sums(tenant_id, year, query)).all()
    lines: dict[str, dict[str, Any]] = {}

    def line_of(code: str) -> dict[str, Any]:
        return lines.setdefault(
            merge.get(code, code),
            {"months": [Decimal(0)] * 12, "opening": Decimal(0), "closing": Decimal(0)},
        )

    for code, period, amount in month_rows:
        line_of(code)["months"][_as_date(period).month - 1] += Decimal(amount)
    for code, month_no, rebook_type, amount in rebook_rows:
        line = line_of(code)
        line["months"][int(month_no) - 1] -= Decimal(amount)
        kind = "opening" if rebook_type == RebookType.BALANCE.value else "closing"
        line[kind] += Decimal(amount)
    return [
        item
        for code, line in sorted(lines.items())
        if (
            item := _month_line(
                code, line, names=names, main=main, year=year, query=query, totals=totals
            )
        )
        is not None
    ]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _rebook_sums(tenant_id: uuid.UUID, year: int, query: BalanceQuery) -> Any:
    """Sums per account, month and kind of the year's opening-balance and closing journals."""
    p, r = ledger_postings.c, ledger_rebooks.c
    month = extract("month", p.booking_date)
    return (
        select(p.account_code, month, r.rebook_type, func.sum(posting_amount(_kind(query))))
        .join(ledger_rebooks, (r.tenant_id == p.tenant_id) & (r.journal_id == p.journal_id))
        .where(
            p.tenant_id == tenant_id,
            r.rebook_type.in_([RebookType.BALANCE.value, RebookType.FINALIZATION.value]),
            p.booking_date >= date(year, 1, 1),
            p.booking_date <= date(year, 12, 31),
        )
        .group_by(p.account_code, month, r.rebook_type)
    )


def _month_line(
    code: str,
    line: dict[str, Any],
    *,
    names: dict[str, tuple[str, str]],
    main: Currency,
    year: int,
    query: BalanceQuery,
    totals: bool,
) -> dict[str, Any] | None:
    name, kind = names[code]
    if query.account_type and kind != query.account_type:
        return None
    sign = Decimal(-1) if kind in INCOME_TYPES else Decimal(1)
    months = [in_minor_units(sign * m, main) for m in line["months"]]
    item: dict[str, Any] = {
        "account": code,
        "accountName": name,
        "accountClass": account_class(code),
        "monthSums": [{"year": year, "month": n + 1, "sum": m} for n, m in enumerate(months)],
    }
    total = sum(months, Decimal(0))
    if query.opening_balances:
        item["openingBalance"] = in_minor_units(sign * line["opening"], main)
        total += item["openingBalance"]
    if query.closing_entries:
        item["balanceSum"] = in_minor_units(sign * line["closing"], main)
        total += item["balanceSum"]
    if totals:
        item["totalSum"] = total
    if query.hide_zero and not total and not any(months):
        return None
    return item


def account_class(code: str) -> str:
    """Seed 003 AccountLineDto.accountClass: the group of the code's first digit; in class 4
    changes in inventory (45-49), in class 8 financial gains (80-81), losses (82-84) and other
    financial items (EKR)."""
    first, second = code[0], code[1:2]
    if first == "4" and second >= "5":
        return "GROUP_4_CHANGES"
    if first == "8":
        if second in ("0", "1"):
            return "GROUP_8_GAINS"
        if second in ("2", "3", "4"):
            return "GROUP_8_LOSSES"
        return "GROUP_8_OTHER"
    return f"GROUP_{first}"
