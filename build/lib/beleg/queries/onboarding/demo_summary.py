"""What ``beleg demo`` prints and writes: the documents per month, revenue, usage (``demo_usage``),
MRR, open receivables, the trial balance and the audit chain of one tenant, and every
finalized document as a row of ``documents.csv``.

Definitions (amounts in the tenant's currency, exact, never rounded here):
- revenue of a month: the net of its invoices minus the net of its credit notes (by date),
  its usage the part of it from usage lines;
- MRR on a day D: the recurring billed lines whose served period contains D, each at its
  full-period amount (``base_amount``, before proration) divided by the months of its grid
  period (1 for monthly, 12 for yearly), credits negative: a contract terminated before D
  adds nothing, one upgraded adds its new price;
- open receivables: the remaining amounts of finalized documents (credit notes negative),
  and beside it the balance of the ledger accounts those documents were booked to
  (DESIGN.md invariant 2: the two are equal).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from beleg.db.database import Database
from beleg.db.tables import billed_lines, ledger_postings, sales_documents
from beleg.queries.audit.verification import verify_tenant_chain
from beleg.queries.onboarding.demo_usage import UsageFigures, usage_figures

ZERO = Decimal(0)
INVOICE = "INVOICE"
CREDIT_MEMO = "CREDIT_MEMO"
FINALIZED = "FINALIZED"


@dataclass(frozen=True, slots=True)
class Month:
    month: str  # YYYY-MM
    invoices: int
    credit_notes: int
    revenue: Decimal  # net
    usage: Decimal = ZERO  # net of the usage lines


@dataclass(frozen=True, slots=True)
class DemoSummary:
    months: tuple[Month, ...]
    documents: int
    revenue: Decimal
    usage: UsageFigures
    mrr: Decimal
    mrr_on: date
    open_items: Decimal
    receivables_balance: Decimal
    trial_balance: Decimal  # the sum of every posting: 0 when every journal balances
    audit_entries: int
    chain_intact: bool


def _issued(tenant_id: uuid.UUID) -> Any:
    d = sales_documents.c
    return (d.tenant_id == tenant_id) & (d.state == FINALIZED)


def months(*, db: Database, tenant_id: uuid.UUID) -> tuple[Month, ...]:
    """Invoices, credit notes and net revenue per month of the document date."""
    d = sales_documents.c
    query = (
        select(d.doc_date, d.doc_type, d.sign, d.net)
        .where(_issued(tenant_id), d.doc_type.in_((INVOICE, CREDIT_MEMO)))
        .order_by(d.doc_date)
    )
    counts: dict[str, list[Any]] = defaultdict(lambda: [0, 0, ZERO])
    with db.reader() as session:
        for row in session.execute(query):
            entry = counts[row.doc_date.strftime("%Y-%m")]
            entry[0 if row.doc_type == INVOICE else 1] += 1
            entry[2] += row.sign * row.net
    return tuple(Month(m, *counts[m]) for m in sorted(counts))


def _grid_months(start: date, end: date) -> int:
    return max(1, (end.year - start.year) * 12 + end.month - start.month + 1)


def mrr(*, db: Database, tenant_id: uuid.UUID, on: date) -> Decimal:
    """The monthly recurring revenue on ``on`` (see the module's definition)."""
    b = billed_lines.c
    query = select(b.base_amount, b.grid_start, b.grid_end, b.credit).where(
        b.tenant_id == tenant_id,
        b.kind == "RECURRING",
        b.served_start <= on,
        b.served_end >= on,
    )
    total = ZERO
    with db.reader() as session:
        for row in session.execute(query):
            amount = Decimal(row.base_amount) / _grid_months(row.grid_start, row.grid_end)
            total += -amount if row.credit else amount
    return total


def receivables(*, db: Database, tenant_id: uuid.UUID) -> tuple[Decimal, Decimal]:
    """(open items, balance of the accounts they were booked to)."""
    d = sales_documents.c
    p = ledger_postings.c
    with db.reader() as session:
        open_items = session.execute(
            select(func.coalesce(func.sum(d.sign * d.remaining), ZERO)).where(_issued(tenant_id))
        ).scalar_one()
        accounts = select(d.unpaid_account).where(_issued(tenant_id)).distinct()
        balance = session.execute(
            select(func.coalesce(func.sum(p.amount_main), ZERO)).where(
                p.tenant_id == tenant_id, p.account_code.in_(accounts.scalar_subquery())
            )
        ).scalar_one()
    return Decimal(open_items), Decimal(balance)


def posting_total(*, db: Database, tenant_id: uuid.UUID) -> Decimal:
    """The sum of all postings in the main currency (debits positive, credits negative)."""
    p = ledger_postings.c
    with db.reader() as session:
        total = session.execute(
            select(func.coalesce(func.sum(p.amount_main), ZERO)).where(p.tenant_id == tenant_id)
        ).scalar_one()
    return Decimal(total)


def demo_summary(*, db: Database, tenant_id: uuid.UUID, mrr_on: date) -> DemoSummary:
    usage = usage_figures(db=db, tenant_id=tenant_id)
    by_month = tuple(
        replace(m, usage=usage.by_month.get(m.month, ZERO))
        for m in months(db=db, tenant_id=tenant_id)
    )
    open_items, balance = receivables(db=db, tenant_id=tenant_id)
    chain = verify_tenant_chain(db=db, tenant_id=tenant_id)
    return DemoSummary(
        months=by_month,
        documents=sum(m.invoices + m.credit_notes for m in by_month),
        revenue=sum((m.revenue for m in by_month), ZERO),
        usage=usage,
        mrr=mrr(db=db, tenant_id=tenant_id, on=mrr_on),
        mrr_on=mrr_on,
        open_items=open_items,
        receivables_balance=balance,
        trial_balance=posting_total(db=db, tenant_id=tenant_id),
        audit_entries=chain.entries,
        chain_intact=chain.intact,
    )


CSV_COLUMNS = ("number", "type", "date", "customer", "net", "tax", "total", "state")


def document_rows(*, db: Database, tenant_id: uuid.UUID) -> Iterator[tuple[Any, ...]]:
    """Every document of the tenant with a number, in number order within its type."""
    d = sales_documents.c
    query = (
        select(d.number, d.doc_type, d.doc_date, d.customer_name, d.net, d.tax, d.total, d.state)
        .where(d.tenant_id == tenant_id, d.number.is_not(None))
        .order_by(d.doc_type, d.doc_date, d.number)
    )
    with db.reader() as session:
        yield from session.execute(query).tuples()


def sample_documents(*, db: Database, tenant_id: uuid.UUID, count: int) -> list[tuple[Any, ...]]:
    """(id, type, number) of a few documents to print: the first invoices with the most
    lines and the first credit notes."""
    d = sales_documents.c
    picked: list[tuple[Any, ...]] = []
    with db.reader() as session:
        for doc_type, share in ((INVOICE, count - 1), (CREDIT_MEMO, 1)):
            query = (
                select(d.id, d.doc_type, d.number)
                .where(_issued(tenant_id), d.doc_type == doc_type)
                .order_by(d.total.desc(), d.number)
                .limit(share)
            )
            picked += [tuple(row) for row in session.execute(query)]
    return picked
