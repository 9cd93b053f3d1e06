"""Reconciliation benchmark: statement lines reconciled per second against many open items.

    PYTHONPATH=src .venv/bin/python bench/receivables.py [--database-url URL]
                                                        [--lines 10000] [--items 100000]

Issues ``--items`` one-line invoices (``issue_documents`` in batches of 1,000, the billing-run
path), appends a statement of ``--lines`` credit transfers each naming one of them in its
remittance text (``append_lines``), and times ``reconcile_statement`` over the whole
statement: one transaction that locks the lines, reads every open item, matches each line
(``domain/banking/matching.py``) and pays each invoice through ``record_payment`` (DE booking
bank against receivable, history entry, audit entries, the assignment row). Reported beside
it, in the same run: the matching alone (index the open items, match every line, no
writes), and as the baseline a bare indexed lookup of the same document numbers, one
``SELECT`` per line on ``sales_documents``' unique (tenant, type, number) key in one
transaction: what finding the documents costs at all. Without ``--database-url`` a fresh
SQLite file is used; a PostgreSQL database is wiped first (``beleg_bench*``/``beleg_test*``).
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from beleg.clock import SystemClock
from beleg.db.banking.reconciliation import lock_lines
from beleg.db.database import Database
from beleg.db.receivables.candidates import open_items
from beleg.db.schema import upgrade_to_head
from beleg.db.tables import bank_accounts, sales_documents
from beleg.domain.banking.matching import Candidates, match_line
from beleg.domain.banking.statements import LineInput
from beleg.domain.documents.drafts import DocumentDraft, DraftLine
from beleg.domain.numbering.counters import DocumentType
from beleg.services.banking.statements import append_lines, create_statement
from beleg.services.documents.issue import issue_documents
from beleg.services.onboarding.tenants import TenantInput, create_tenant
from beleg.services.pos.payments import CASH_POINT
from beleg.services.receivables.reconciliation import bank_line, reconcile_statement
from bench_support import fresh_database, system_actor

CLOCK = SystemClock()
BATCH = 1_000


def _issue(db: Database, tenant_id: uuid.UUID, count: int) -> float:
    """One-line invoices of varying amounts; returns invoices per second."""
    actor = system_actor(tenant_id)
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        drafts = [
            DocumentDraft(
                DocumentType.INVOICE,
                date(2026, 11, 2),
                (DraftLine("Abo", Decimal(1), Decimal(10 + n % 997) / 4, "4000", "020"),),
                customer_name=f"Kunde {n}",
            )
            for n in range(first, min(first + BATCH, count))
        ]
        with db.transaction() as session:
            issue_documents(session, actor=actor, tenant_id=tenant_id, drafts=drafts, clock=CLOCK)
    return count / (time.perf_counter() - start)


def _chosen(db: Database, tenant_id: uuid.UUID, count: int) -> list[tuple[str, Decimal]]:
    d = sales_documents.c
    with db.reader() as session:
        rows = session.execute(
            select(d.number, d.total).where(d.tenant_id == tenant_id, d.doc_type == "INVOICE")
        ).all()
    return [(r.number, r.total) for r in random.Random(7).sample(rows, count)]


def _statement(db: Database, tenant_id: uuid.UUID, paid: list[tuple[str, Decimal]]) -> uuid.UUID:
    actor = system_actor(tenant_id)
    a = bank_accounts.c
    with db.transaction() as session:
        account = session.execute(
            select(a.id).where(a.tenant_id == tenant_id, a.account_code == "2800")
        ).scalar_one()
        session.execute(update(bank_accounts).where(a.id == account).values(iban="AT1"))
    header = create_statement(
        db=db,
        actor=actor,
        tenant_id=tenant_id,
        bank_account_id=account,
        file_name="bench",
        statement_date=date(2026, 11, 30),
        clock=CLOCK,
    )
    lines = [
        LineInput(
            value_date=date(2026, 11, 30),
            booking_date=date(2026, 11, 30),
            amount=total,
            transaction_id=f"T{n}",
            texts={"reasonForTransfer": f"Rechnung {number} Kunde {n}"},
        )
        for n, (number, total) in enumerate(paid)
    ]
    append_lines(
        db=db, actor=actor, tenant_id=tenant_id, statement_id=header.id, lines=lines, clock=CLOCK
    )
    return header.id


def _bare_lookup(db: Database, tenant_id: uuid.UUID, paid: list[tuple[str, Decimal]]) -> float:
    d = sales_documents.c
    start = time.perf_counter()
    with db.reader() as session:
        for number, _ in paid:
            session.execute(
                select(d.id, d.remaining).where(
                    d.tenant_id == tenant_id, d.doc_type == "INVOICE", d.number == number
                )
            ).one()
    return len(paid) / (time.perf_counter() - start)


def _matching_only(db: Database, tenant_id: uuid.UUID, statement_id: uuid.UUID) -> float:
    start = time.perf_counter()
    with db.reader() as session:
        lines = lock_lines(session, tenant_id, statement_id, lock=False)
        candidates = Candidates.of(open_items(session, tenant_id, {"EUR"}))
    matched = sum(1 for ln in lines if match_line(bank_line(ln), candidates).assignments)
    assert matched == len(lines), (matched, len(lines))
    return len(lines) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    db = fresh_database(args.database_url)
    upgrade_to_head(db=db)
    tenant = create_tenant(
        db=db,
        actor=system_actor(uuid.UUID(int=0)),
        clock=CLOCK,
        spec=TenantInput(name="Bench", country="AT", accounting_mode="DE"),
    )
    issued = _issue(db, tenant.id, args.items)
    paid = _chosen(db, tenant.id, args.lines)
    statement_id = _statement(db, tenant.id, paid)
    bare = _bare_lookup(db, tenant.id, paid)
    matching = _matching_only(db, tenant.id, statement_id)
    start = time.perf_counter()
    results = reconcile_statement(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        statement_id=statement_id,
        cash_point=CASH_POINT,
        clock=CLOCK,
    )
    full = len(results) / (time.perf_counter() - start)
    assert all(r.match.assignments for r in results)
    backend = db.engine.url.get_backend_name()
    print(f"database: {backend}, {args.lines:,} lines against {args.items:,} open items")
    print(f"{'measure':48} {'lines/s':>10} {'vs lookup':>10}")
    for name, rate in (
        ("bare indexed lookup of the numbers (baseline)", bare),
        ("matching only (read items, index, match)", matching),
        ("reconcile_statement (match, pay, book, audit)", full),
    ):
        print(f"{name:48} {rate:10.1f} {rate / bare:10.3f}")
    print(f"{'invoices issued for the run, per second':48} {issued:10.1f}")


if __name__ == "__main__":
    main()
