"""Invariants every billing scenario ends with (DESIGN.md invariants 1-4): the tenant's ledger
balances, its receivables account equals what its open documents still owe, every counter's
numbers are gapless, and the audit chain verifies."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from beleg.db.database import Database
from beleg.db.tables import ledger_postings, sales_documents, sequences, tenants
from beleg.domain.ledger.charts import CHARTS
from beleg.queries.audit.verification import verify_tenant_chain
from beleg.queries.ledger.reports import trial_balance

_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def assert_billing_invariants(db: Database, tenant_id: uuid.UUID) -> None:
    assert_trial_balance_is_zero(db, tenant_id)
    assert_receivables_match_open_documents(db, tenant_id)
    assert_numbers_gapless(db, tenant_id)
    result = verify_tenant_chain(db=db, tenant_id=tenant_id)
    assert result.intact, result.breaks


def assert_trial_balance_is_zero(db: Database, tenant_id: uuid.UUID) -> None:
    rows = trial_balance(
        db=db, tenant_id=tenant_id, date_from=date(1900, 1, 1), date_to=date(2999, 12, 31)
    )
    debit = sum((r.debit for r in rows), Decimal(0))
    credit = sum((r.credit for r in rows), Decimal(0))
    assert debit == credit, (debit, credit)
    with db.reader() as session:
        total = session.execute(
            select(func.coalesce(func.sum(ledger_postings.c.amount_main), 0)).where(
                ledger_postings.c.tenant_id == tenant_id
            )
        ).scalar_one()
    assert Decimal(total) == 0


def receivables_account(db: Database, tenant_id: uuid.UUID) -> str:
    with db.reader() as session:
        chart = session.execute(
            select(tenants.c.chart_of_accounts).where(tenants.c.id == tenant_id)
        ).scalar_one()
    return CHARTS[chart].receivables


def assert_receivables_match_open_documents(db: Database, tenant_id: uuid.UUID) -> None:
    """The receivables balance is the signed ``remaining`` of the finalised documents booked
    on it (invoices +, credit notes -; ``sign`` says which)."""
    account = receivables_account(db, tenant_id)
    d = sales_documents.c
    with db.reader() as session:
        booked = session.execute(
            select(func.coalesce(func.sum(ledger_postings.c.amount_main), 0)).where(
                ledger_postings.c.tenant_id == tenant_id,
                ledger_postings.c.account_code == account,
            )
        ).scalar_one()
        documents = session.execute(
            select(d.sign, d.remaining, d.currency_rate).where(
                d.tenant_id == tenant_id,
                d.state == "FINALIZED",
                d.unpaid_account == account,
            )
        ).all()
    owed = sum((row.sign * row.remaining * row.currency_rate for row in documents), Decimal(0))
    assert Decimal(booked) == owed, (booked, owed)


def assert_numbers_gapless(db: Database, tenant_id: uuid.UUID) -> None:
    """Per document type and number prefix the numbers are 1..n without a hole, and every
    document counter's last value is the count of its numbers (nothing taken and lost)."""
    d = sales_documents.c
    with db.reader() as session:
        numbers = session.execute(
            select(d.doc_type, d.number).where(d.tenant_id == tenant_id, d.number.is_not(None))
        ).all()
        last_values = (
            session.execute(
                select(sequences.c.last_value).where(
                    sequences.c.tenant_id == tenant_id,
                    sequences.c.series.like("document-counter:%"),
                )
            )
            .scalars()
            .all()
        )
    series: dict[tuple[str, str], list[int]] = defaultdict(list)
    for doc_type, number in numbers:
        match = _TRAILING_DIGITS.match(number)
        assert match is not None, number
        series[(doc_type, match.group(1))].append(int(match.group(2)))
    for key, values in series.items():
        assert sorted(values) == list(range(1, len(values) + 1)), (key, sorted(values))
    assert sorted(last_values) == sorted(len(v) for v in series.values()), (
        sorted(last_values),
        {k: len(v) for k, v in series.items()},
    )
