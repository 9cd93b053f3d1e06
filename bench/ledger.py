"""Ledger benchmark: post invoices in bulk and time the trial balance over all postings.

    .venv/bin/python bench/ledger.py [--database-url URL] [--invoices 250000] [--batch 5000]

Each invoice is one income journal with four postings (receivable, two revenue lines, VAT),
so 250,000 invoices are 1,000,000 postings. The baseline, measured in the same run, is the
raw Core executemany rate of posting-shaped rows into an equally indexed scratch table: what
the database writes at all. The goal of issue 3: a trial balance over 1M postings in under
0.5 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Column, Date, Index, Integer, MetaData, String, Table, Uuid, insert
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.schema import upgrade_to_head
from beleg.db.types import ExactDecimal
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.money import Currency
from beleg.queries.ledger.accounts import BalanceQuery, balances
from beleg.queries.ledger.reports import trial_balance
from beleg.services.identity.api_keys import create_api_key
from beleg.services.ledger.posting import post_journals
from beleg.services.onboarding.tenants import TenantInput, create_tenant
from beleg.settings import Settings
from bench_support import system_actor

EUR = Currency.of("EUR")
START = date(2026, 1, 1)


def _invoice(i: int) -> JournalDraft:
    net_a = Decimal(100 + i % 900).scaleb(-2) * 7
    net_b = Decimal(i % 50 + 1)
    tax = ((net_a + net_b) * Decimal("0.2")).quantize(Decimal("0.01"))
    return JournalDraft(
        JournalType.INCOME,
        START + timedelta(days=i % 365),
        EUR,
        (
            Posting("2000", net_a + net_b + tax),
            Posting("4000", -net_a),
            Posting("4001", -net_b),
            Posting("3500", -tax, "020"),
        ),
        description=f"AR2026 {i + 1}",
    )


def raw_baseline(db: Database, rows: int) -> float:
    scratch = MetaData()
    table = Table(
        "bench_raw_postings",
        scratch,
        Column("tenant_id", Uuid, primary_key=True),
        Column("journal_id", Uuid, primary_key=True),
        Column("line_no", Integer, primary_key=True, autoincrement=False),
        Column("booking_date", Date),
        Column("account_code", String(10)),
        Column("amount", ExactDecimal(4)),
        Column("amount_main", ExactDecimal(4)),
        Column("tax_code", String(3)),
        Column("text", String(200)),
        Index("ix_bench_raw", "tenant_id", "booking_date", "account_code", "amount_main"),
    )
    scratch.drop_all(db.engine)
    scratch.create_all(db.engine)
    tenant = uuid.uuid4()
    batch = [
        {
            "tenant_id": tenant,
            "journal_id": uuid.uuid4(),
            "line_no": 1,
            "booking_date": START,
            "account_code": "4000",
            "amount": Decimal("-7.00"),
            "amount_main": Decimal("-7.00"),
            "tax_code": None,
            "text": "",
        }
        for _ in range(rows)
    ]
    started = time.perf_counter()
    with db.transaction() as session:
        for offset in range(0, rows, 20_000):
            session.execute(insert(table), batch[offset : offset + 20_000])
    rate = rows / (time.perf_counter() - started)
    scratch.drop_all(db.engine)
    return rate


def post_all(db: Database, tenant_id: uuid.UUID, invoices: int, batch: int) -> float:
    clock, actor = SystemClock(), system_actor(tenant_id)
    started = time.perf_counter()
    for offset in range(0, invoices, batch):
        drafts = [_invoice(i) for i in range(offset, min(offset + batch, invoices))]
        with db.transaction() as session:
            post_journals(session, actor=actor, tenant_id=tenant_id, drafts=drafts, clock=clock)
    return time.perf_counter() - started


def time_trial_balance(db: Database, tenant_id: uuid.UUID, runs: int = 5) -> tuple[float, int]:
    timings, rows = [], []
    for _ in range(runs):
        started = time.perf_counter()
        rows = trial_balance(
            db=db, tenant_id=tenant_id, date_from=START, date_to=date(2026, 12, 31)
        )
        timings.append(time.perf_counter() - started)
    assert sum(r.balance for r in rows) == 0, "trial balance does not sum to zero"
    return statistics.median(timings), len(rows)


def time_balances_endpoint(
    db: Database, tenant_id: uuid.UUID, runs: int = 5
) -> tuple[float, float]:
    """Median seconds of the balances query and of GET /api/1.1/accounts/balances."""
    query = BalanceQuery(date_from=START, date_to=date(2026, 12, 31))
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        balances(db=db, tenant_id=tenant_id, query=query)
        timings.append(time.perf_counter() - started)
    key = create_api_key(
        db=db,
        actor=system_actor(tenant_id),
        tenant_id=tenant_id,
        name="bench",
        scopes=["ledger:read"],
        validity_days=None,
        clock=SystemClock(),
    )
    url = db.engine.url.render_as_string(hide_password=False)
    app = create_app(settings=Settings(database_url=url, log_level="WARNING"), db=db)
    http = []
    with TestClient(app) as client:
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(
                "/api/1.1/accounts/balances?from=2026-01-01&to=2026-12-31",
                headers={"Authorization": f"Bearer {key.token}"},
            )
            http.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return statistics.median(timings), statistics.median(http)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--invoices", type=int, default=250_000)
    parser.add_argument("--batch", type=int, default=5_000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    db = Database(url)
    upgrade_to_head(db=db)
    clock = SystemClock()
    tenant = create_tenant(
        db=db,
        actor=system_actor(uuid.UUID(int=0)),
        clock=clock,
        spec=TenantInput(name="bench", country="AT", accounting_mode="DE"),
    )
    postings = args.invoices * 4
    raw_rate = raw_baseline(db, min(postings, 200_000))
    seconds = post_all(db, tenant.id, args.invoices, args.batch)
    if db.dialect == "postgresql":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE ledger_postings")
    median, accounts = time_trial_balance(db, tenant.id)
    query_median, http_median = time_balances_endpoint(db, tenant.id)
    rate = postings / seconds
    print(
        f"database: {db.dialect}; {args.invoices:,} invoices = {postings:,} postings "
        f"(+{args.invoices:,} journals, +{args.invoices:,} audit entries)"
    )
    print(f"{'measure':<52} {'value':>14} {'vs baseline':>12}")
    print(f"{'raw insert, posting-shaped rows/s (baseline)':<52} {raw_rate:>14,.0f} {1:>12.3f}")
    print(f"{'posted via post_journals, postings/s':<52} {rate:>14,.0f} {rate / raw_rate:>12.3f}")
    print(f"{'posted via post_journals, invoices/s':<52} {args.invoices / seconds:>14,.0f}")
    print(f"{'trial balance, median of 5 (s)':<52} {median:>14.3f}   ({accounts} accounts)")
    print(f"{'account balances query, median of 5 (s)':<52} {query_median:>14.3f}")
    print(f"{'GET /api/1.1/accounts/balances, median of 5 (s)':<52} {http_median:>14.3f}")


if __name__ == "__main__":
    main()
