"""Ledger benchmark: post invoices in bulk, then time the trial balance from the maintained
balances against ``ledger balance`` (ledger-cli) on the same journal.

    .venv/bin/python bench/ledger.py [--database-url URL] [--invoices 250000] [--batch 5000]
                                     [--large | --no-large] [--large-postings 10000000]

Each invoice is one income journal with four postings (receivable, two revenue lines, VAT),
so 250,000 invoices are 1,000,000 postings, posted through ``post_journals`` (numbers, audit
entries, balances: the billing run's path). The baseline, measured in the same run, is the
raw Core executemany rate of posting-shaped rows into an equally indexed scratch table. With
``--large`` (default on PostgreSQL) the journal is then filled up to ``--large-postings`` with
COPY (``load_more``: journals, postings and their balances, without audit entries and with the
foreign-key triggers of the load's transaction off, ``session_replication_role = replica``)
and measured again. At each size the journal is exported as a ledger file
(``formats/ledger_cli.py``) and ``ledger -f FILE balance`` is timed (Debian package
``ledger``). Goals of issue 14: trial balance < 50 ms at 10M postings, ≥ 20× ledger-cli.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
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
from bench_ledger_load import export_ledger, load_more
from bench_support import fresh_database, system_actor

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


def time_ledger_cli(path: str, runs: int) -> float:
    """Median seconds of ``ledger -f path balance`` (output checked to balance to zero)."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - fixed arguments, ledger from PATH
            ["ledger", "-f", path, "balance"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        )
        timings.append(time.perf_counter() - started)
        assert done.stdout.rstrip().endswith("0"), done.stdout[-200:]
    return statistics.median(timings)


def compare(db: Database, tenant_id: uuid.UUID, postings: int, workdir: str) -> tuple:  # type: ignore[type-arg]
    """(postings, trial balance s, export s, ledger-cli s) at the journal's current size."""
    if db.dialect == "postgresql":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE ledger_balances")
    trial, _accounts = time_trial_balance(db, tenant_id)
    path = f"{workdir}/journal-{postings}.ledger"
    started = time.perf_counter()
    written = export_ledger(db, tenant_id, path)
    exported = time.perf_counter() - started
    assert written == postings, (written, postings)
    cli = time_ledger_cli(path, 3 if postings <= 2_000_000 else 1)
    return postings, trial, exported, cli


def print_comparison(results: list[tuple]) -> None:  # type: ignore[type-arg]
    print(
        f"{'postings':>12} {'trial balance (ms)':>19} {'ledger balance (s)':>19} "
        f"{'ratio':>9} {'export (s)':>11}"
    )
    for postings, trial, exported, cli in results:
        print(
            f"{postings:>12,} {trial * 1000:>19.2f} {cli:>19.2f} {cli / trial:>8,.0f}x "
            f"{exported:>11.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--invoices", type=int, default=250_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--large", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--large-postings", type=int, default=10_000_000)
    args = parser.parse_args()
    if shutil.which("ledger") is None:
        sys.exit("ledger-cli is missing: apt-get install -y ledger (Debian package 'ledger')")
    workdir = tempfile.mkdtemp()
    db = fresh_database(args.database_url, workdir)
    large = args.large if args.large is not None else db.dialect == "postgresql"
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
    results = [compare(db, tenant.id, postings, workdir)]
    if large and args.large_postings > postings:
        started = time.perf_counter()
        load_more(db, tenant.id, first=args.invoices, count=(args.large_postings - postings) // 4)
        load_seconds = time.perf_counter() - started
        results.append(
            compare(
                db,
                tenant.id,
                args.invoices * 4 + (args.large_postings - postings) // 4 * 4,
                workdir,
            )
        )
    rate = postings / seconds
    print(
        f"database: {db.dialect}; {args.invoices:,} invoices = {postings:,} postings "
        f"(+{args.invoices:,} journals, +{args.invoices:,} audit entries)"
    )
    print(f"{'measure':<52} {'value':>14} {'vs baseline':>12}")
    print(f"{'raw insert, posting-shaped rows/s (baseline)':<52} {raw_rate:>14,.0f} {1:>12.3f}")
    print(f"{'posted via post_journals, postings/s':<52} {rate:>14,.0f} {rate / raw_rate:>12.3f}")
    print(f"{'posted via post_journals, invoices/s':<52} {args.invoices / seconds:>14,.0f}")
    print(f"{'trial balance, median of 5 (s)':<52} {median:>14.4f}   ({accounts} accounts)")
    print(f"{'account balances query, median of 5 (s)':<52} {query_median:>14.4f}")
    print(f"{'GET /api/1.1/accounts/balances, median of 5 (s)':<52} {http_median:>14.4f}")
    if len(results) > 1:
        loaded = results[1][0] - postings
        print(f"{'COPY load of the large journal, postings/s':<52} {loaded / load_seconds:>14,.0f}")
    print()
    print_comparison(results)


if __name__ == "__main__":
    main()
