"""Billing-run benchmark (issue 14 item 8): one monthly run over many contracts, worked by two
processes, against the raw COPY rate of the same rows from two connections, in one run.

    .venv/bin/python bench/billing_run.py --database-url postgresql+psycopg://.../beleg_bench_run
                                          [--contracts 100000] [--api-batches 10]

PostgreSQL only (the database is wiped first; its name must start with ``beleg_bench`` or
``beleg_test``). Setup, not timed: a DE double-entry tenant; a monthly in-arrears plan with
three items (a flat base fee, 3 seats per seat, API calls per call); one customer with one
active contract from 2026-10-01 made through the API; the other customers, contracts and
items cloned from it in SQL. Each contract gets 10 usage events in October: ``--api-batches``
batches of 10,000 through ``POST /v2/usages/batch`` (timed, against a bare COPY of the same
events into an equally indexed scratch table: ``usage_ingest.py``), the rest inserted in SQL.

Timed: ``start_run`` as of 2026-11-01 with its chunks handed to the workers (as ``POST
/v2/billing-runs {wait: false}`` does) until the run is completed, worked by two ``beleg
worker`` processes (``run_worker``: the task-queue worker, one job at a time each; started
and idle before the clock starts): rated, numbered, posted, PDF queued. Each process counts
its SQL statements (COPY included; the queue's own connections not) and reports its peak RSS.

Baseline: the rows the run wrote to the documents, their lines, the journals and their
postings, copied out and written again with COPY into scratch tables ``LIKE ... INCLUDING
ALL`` (same keys and indexes, no foreign keys), half from each of two connections at once.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import resource
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, text
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.cli.worker_process import run_worker
from beleg.clock import SystemClock
from beleg.db import bulk
from beleg.db.database import Database
from beleg.services.billing.runs import run_counters, start_run
from beleg.settings import Settings
from bench_support import fresh_database, system_actor
from usage_ingest import BATCH, copy_baseline, post_batches, stored_rows, tenant

CLOCK = SystemClock()
AS_OF = date(2026, 11, 1)
EVENTS_PER_CONTRACT = 10
WORKERS = 2
POLL_SECONDS = 2.0  # how often an idle worker looks for work (beleg worker's default)
SETTLE_SECONDS = 5.0
TARGET_SECONDS_PER_100K = 30.0
TARGET_RATIO = 0.2
BASELINE_TABLES = ("sales_documents", "sales_document_lines", "ledger_journals", "ledger_postings")
WRITTEN_TABLES = (
    *BASELINE_TABLES,
    "ledger_balances",
    "billed_lines",
    "billing_run_results",
    "audit_entries",
    "outbox_events",
)
OPTIONS = (
    {"code": "BASE", "name": "Base fee", "type": "RECURRING", "taxRate": "19"},
    {"code": "SEATS", "name": "Seats", "type": "RECURRING", "unit": "C62", "taxRate": "19"},
    {"code": "API_CALLS", "name": "API calls", "type": "USAGE", "aggregation": "SUM",
     "taxRate": "19"},
)  # fmt: skip
PLAN = {
    "code": "BENCH",
    "name": "Bench",
    "currency": "EUR",
    "billingInterval": {"unit": "MONTH", "count": 1},
    "billingTiming": "IN_ARREARS",
    "items": [
        {"option": "BASE", "price": {"model": "FLAT", "amount": "19.00"}},
        {"option": "SEATS", "quantity": "3", "price": {"model": "PER_UNIT", "unitPrice": "7.50"}},
        {"option": "API_CALLS", "price": {"model": "PER_UNIT", "unitPrice": "0.0125"}},
    ],
}


def _post(client: TestClient, headers: dict[str, str], path: str, body: object) -> dict:  # type: ignore[type-arg]
    response = client.post(path, json=body, headers=headers)
    if response.status_code >= 300:
        raise SystemExit(f"{path}: {response.status_code} {response.text}")
    return response.json() if response.content else {}


def _template(client: TestClient, headers: dict[str, str]) -> str:
    """The catalogue and the one contract the others are cloned from; its id."""
    for option in OPTIONS:
        _post(client, headers, "/v2/options", option)
    _post(client, headers, "/v2/plans", PLAN)
    customer = _post(
        client, headers, "/api/1.1/customers", {"companyName": "Bench GmbH", "customerNumber": "B0"}
    )["id"]
    contract = {"customer": customer, "plan": "BENCH", "startDate": "2026-10-01"}
    made = _post(client, headers, "/v2/contracts", contract)
    _post(client, headers, f"/v2/contracts/{made['id']}/activate", None)
    return str(made["id"])


def _clone(db: Database, tenant_id: uuid.UUID, template: str, count: int) -> list[str]:
    """``count - 1`` customers with one contract each, copied from the template in SQL; the
    ids of all contracts, in the order of their ids."""
    params = {"tenant": tenant_id, "template": uuid.UUID(template), "n": count - 1}
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TEMP TABLE clones ON COMMIT DROP AS SELECT g,"
                " gen_random_uuid() AS customer, gen_random_uuid() AS contract"
                " FROM generate_series(1, :n) AS g"
            ),
            params,
        )
        for statement in _clone_statements(db):
            connection.execute(text(statement), params)
        ids = connection.execute(
            text("SELECT id FROM contracts WHERE tenant_id = :tenant ORDER BY id"),
            params,
        ).scalars()
        return [str(i) for i in ids]


def _columns(db: Database, table: str, replaced: dict[str, str]) -> tuple[str, str]:
    with db.engine.connect() as connection:
        names = connection.execute(
            text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = :t"
                " ORDER BY ordinal_position"
            ),
            {"t": table},
        ).scalars()
        names = list(names)
    return ", ".join(names), ", ".join(replaced.get(n, f"t.{n}") for n in names)


def _clone_statements(db: Database) -> list[str]:
    """INSERT ... SELECT per table: every column copied from the template's row but its ids
    and numbers (the columns as the migrated schema has them)."""
    specs = (
        ("contacts", "t.id = (SELECT customer_id FROM contracts WHERE id = :template)",
         {"id": "c.customer", "number": "'B' || c.g", "display_name": "'Bench ' || c.g"}),
        ("contact_addresses",
         "t.contact_id = (SELECT customer_id FROM contracts WHERE id = :template)",
         {"id": "gen_random_uuid()", "contact_id": "c.customer"}),
        ("contracts", "t.id = :template",
         {"id": "c.contract", "customer_id": "c.customer",
          "contract_number": "t.contract_number || '-' || c.g"}),
        ("contract_items", "t.contract_id = :template",
         {"id": "gen_random_uuid()", "item_key": "gen_random_uuid()", "contract_id": "c.contract"}),
    )  # fmt: skip
    statements = []
    for table, where, replaced in specs:
        names, values = _columns(db, table, replaced)
        statements.append(  # the bench's own constants, no input
            f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} t CROSS JOIN clones c"  # noqa: S608
            f" WHERE t.tenant_id = :tenant AND {where}"
        )
    return statements


def _usage_in_sql(db: Database, tenant_id: uuid.UUID, skip: int) -> int:
    """10 October events for every contract but the first ``skip`` (those got theirs through
    the API); the number inserted."""
    with db.engine.begin() as connection:
        inserted = connection.execute(
            text(
                "INSERT INTO usage_events (tenant_id, id, event_id, contract_id, option_code,"
                " quantity, occurred_at, properties, status, received_at)"
                " SELECT :tenant, gen_random_uuid(), 's-' || k.id || '-' || e, k.id, 'API_CALLS',"
                " e * 37 % 97 + 1, TIMESTAMPTZ '2026-10-01 00:00:00+00'"
                "  + make_interval(hours => e * 70), '{\"region\": \"eu\"}', 'ACTIVE', now()"
                " FROM (SELECT id FROM contracts WHERE tenant_id = :tenant ORDER BY id"
                "       OFFSET :skip) AS k CROSS JOIN generate_series(1, :per) AS e"
            ),
            {"tenant": tenant_id, "skip": skip, "per": EVENTS_PER_CONTRACT},
        )
        return inserted.rowcount


def _api_events(contracts: list[str]) -> list[dict[str, object]]:
    """The 10 October events of each of ``contracts``, as the batch API takes them."""
    return [
        {
            "id": f"a-{contract}-{e}",
            "contract": contract,
            "option": "API_CALLS",
            "quantity": str(e * 37 % 97 + 1),
            "timestamp": f"2026-10-{e * 70 // 24 + 1:02d}T{e * 70 % 24:02d}:00:00+00:00",
            "properties": {"region": "eu"},
        }
        for contract in contracts
        for e in range(1, EVENTS_PER_CONTRACT + 1)
    ]


@dataclass(frozen=True, slots=True)
class Ingestion:
    events: int
    api_seconds: float
    copy_seconds: float


def _ingest(
    client: TestClient, headers: dict[str, str], db: Database, *, tenant_id: uuid.UUID,
    contracts: list[str], batches: int,
) -> Ingestion:  # fmt: skip
    """Usage of the first contracts through the batch API (timed), then the same events with
    a bare COPY into a scratch table (timed), then the other contracts' usage in SQL."""
    per_batch = BATCH // EVENTS_PER_CONTRACT
    through_api = contracts[: batches * per_batch]
    events = _api_events(through_api)
    split = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    bodies = [json.dumps({"events": batch}).encode() for batch in split]
    api_seconds, accepted = post_batches(client, headers, bodies)
    if accepted != len(events):
        raise SystemExit(f"the API accepted {accepted} of {len(events)} events")
    by_id = {c: uuid.UUID(c) for c in through_api}
    copy_seconds = copy_baseline(db, [stored_rows(tenant_id, batch, by_id) for batch in split])
    _usage_in_sql(db, tenant_id, len(through_api))
    return Ingestion(len(events), api_seconds, copy_seconds)


@dataclass(frozen=True, slots=True)
class WorkerReport:
    statements: int
    peak_rss_mib: float


def _worker(url: str, ready: object, out: object) -> None:
    """One ``beleg worker`` (the task-queue worker with one job at a time) in this process,
    counting its statements, until SIGTERM; then its statements and peak RSS."""
    db = Database(url)
    count = [0]

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(*_: object) -> None:
        count[0] += 1

    copy = bulk._copy  # a COPY runs on the driver connection: count it here

    def counted_copy(*args: object) -> None:
        count[0] += 1
        copy(*args)  # type: ignore[arg-type]

    bulk._copy = counted_copy
    settings = Settings(database_url=url, log_level="WARNING", embedded_worker=False)
    ready.set()  # type: ignore[attr-defined]
    run_worker(db=db, settings=settings, interval=POLL_SECONDS, concurrency=1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put(WorkerReport(count[0], peak))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class RunFigures:
    seconds: float
    documents: int
    contracts: int
    failed: int
    chunks: int
    workers: list[WorkerReport]


def _bill(db: Database, url: str, tenant_id: uuid.UUID, count: int) -> RunFigures:
    """Start ``count`` workers, let them settle, then time the run from ``start_run`` (its chunks
    handed to the workers as jobs) until it is completed."""
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    readiness = [spawn.Event() for _ in range(count)]
    workers = [spawn.Process(target=_worker, args=(url, ready, out)) for ready in readiness]
    for process in workers:
        process.start()
    for ready in readiness:
        ready.wait()
    time.sleep(SETTLE_SECONDS)  # the task-queue workers start and poll; the run starts later
    began = time.perf_counter()
    run = start_run(db=db, actor=system_actor(tenant_id), tenant_id=tenant_id, as_of=AS_OF,
                    billing_group=None, clock=CLOCK, dispatch=True)  # fmt: skip
    while _status(db, run.id) != "COMPLETED":
        time.sleep(0.05)
    seconds = time.perf_counter() - began
    for process in workers:
        process.terminate()  # SIGTERM: the worker stops after the job at hand
    reports = [out.get() for _ in workers]
    for process in workers:
        process.join()
    counters = run_counters(db=db, tenant_id=tenant_id, run_id=run.id)
    return RunFigures(seconds, counters.documents, counters.contracts_done,
                      counters.contracts_failed, run.chunks_total, reports)  # fmt: skip


def _status(db: Database, run_id: uuid.UUID) -> str:
    with db.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT status FROM billing_runs WHERE id = :id"), {"id": run_id}
            ).scalar_one()
        )


def _copied_out(db: Database, tenant_id: uuid.UUID) -> dict[str, list[bytes]]:
    """The run's rows of the baseline tables as COPY text, each table's lines in two halves."""
    halves: dict[str, list[bytes]] = {}
    with db.engine.connect() as connection:
        driver = connection.connection.driver_connection
        for table in BASELINE_TABLES:
            buffer = io.BytesIO()
            query = f"COPY (SELECT * FROM {table} WHERE tenant_id = '{tenant_id}') TO STDOUT"  # noqa: S608 -- constants
            with driver.cursor() as cursor, cursor.copy(query) as copy:  # type: ignore[union-attr]
                for block in copy:
                    buffer.write(block)
            lines = buffer.getvalue().splitlines(keepends=True)
            middle = len(lines) // 2
            halves[table] = [b"".join(lines[:middle]), b"".join(lines[middle:])]
    return halves


def _baseline(db: Database, halves: dict[str, list[bytes]]) -> float:
    """Seconds to COPY ``halves`` into scratch tables, one half from each of two connections
    at once, each table in its own transaction."""
    with db.engine.begin() as connection:
        for table in BASELINE_TABLES:
            connection.execute(text(f"DROP TABLE IF EXISTS scratch_{table}"))
            connection.execute(text(f"CREATE TABLE scratch_{table} (LIKE {table} INCLUDING ALL)"))

    def write(half: int) -> None:
        with db.engine.connect() as connection:
            driver = connection.connection.driver_connection
            for table in BASELINE_TABLES:
                with (
                    driver.cursor() as cursor,
                    cursor.copy(f"COPY scratch_{table} FROM STDIN") as copy,
                ):  # type: ignore[union-attr]
                    copy.write(halves[table][half])
                driver.commit()  # type: ignore[union-attr]

    threads = [threading.Thread(target=write, args=(half,)) for half in range(WORKERS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    with db.engine.begin() as connection:
        for table in BASELINE_TABLES:
            connection.execute(text(f"DROP TABLE scratch_{table}"))
    return seconds


def _written(db: Database, tenant_id: uuid.UUID) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table: connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"),  # noqa: S608 -- constants
                {"t": tenant_id},
            ).scalar_one()
            for table in WRITTEN_TABLES
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--api-batches", type=int, default=10)
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    db = fresh_database(args.database_url)
    if db.engine.dialect.name != "postgresql":
        raise SystemExit("the billing-run benchmark needs PostgreSQL")
    url = db.engine.url.render_as_string(hide_password=False)
    tenant_id, token = tenant(db)
    settings = Settings(database_url=url, log_level="WARNING", embedded_worker=False,
                        rate_limit_per_ip="100000000/minute",
                        rate_limit_per_credential="100000000/minute")  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings=settings, db=db)) as client:
        template = _template(client, headers)
        contracts = _clone(db, tenant_id, template, args.contracts)
        ingestion = _ingest(
            client, headers, db, tenant_id=tenant_id, contracts=contracts, batches=args.api_batches
        )
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    figures = _bill(db, url, tenant_id, args.workers)
    written = _written(db, tenant_id)
    baseline = _baseline(db, _copied_out(db, tenant_id))
    _report(args, figures, written, baseline, ingestion)


def _report(
    args: argparse.Namespace, run: RunFigures, written: dict[str, int], baseline: float,
    ingestion: Ingestion,
) -> None:  # fmt: skip
    invoices_per_s = run.documents / run.seconds
    baseline_per_s = written["sales_documents"] / baseline
    statements = sum(w.statements for w in run.workers)
    print(f"PostgreSQL; {args.contracts:,} contracts (3 items, one metered with "
          f"{EVENTS_PER_CONTRACT} events each), {len(run.workers)} worker processes, "
          f"{run.chunks} chunks; Python {sys.version.split()[0]}")  # fmt: skip
    print("| measure | value |")
    print("| --- | ---: |")
    rows = (
        ("run: seconds (start_run + chunks)", f"{run.seconds:.1f}"),
        ("run: contracts billed / failed", f"{run.contracts:,} / {run.failed:,}"),
        ("run: invoices", f"{run.documents:,}"),
        ("run: contracts/s", f"{run.contracts / run.seconds:,.0f}"),
        ("run: invoices/s", f"{invoices_per_s:,.0f}"),
        ("baseline: COPY of the same rows, 2 connections, seconds", f"{baseline:.2f}"),
        ("baseline: invoices/s", f"{baseline_per_s:,.0f}"),
        ("ratio run / baseline", f"{invoices_per_s / baseline_per_s:.3f}"),
        ("SQL statements per invoice (workers, polling included)",
         f"{statements / run.documents:.2f}"),
        *((f"worker {n}: peak RSS MiB", f"{w.peak_rss_mib:,.0f}")
          for n, w in enumerate(run.workers, start=1)),
        ("usage: events through POST /v2/usages/batch", f"{ingestion.events:,}"),
        ("usage: API events/s", f"{ingestion.events / ingestion.api_seconds:,.0f}"),
        ("usage: bare COPY events/s", f"{ingestion.events / ingestion.copy_seconds:,.0f}"),
        ("usage: ratio API / COPY", f"{ingestion.copy_seconds / ingestion.api_seconds:.2f}"),
    )  # fmt: skip
    for name, value in rows:
        print(f"| {name} | {value} |")
    print("rows written by the run: " + ", ".join(f"{t} {n:,}" for t, n in written.items()))
    seconds_per_100k = run.seconds * 100_000 / max(run.contracts, 1)
    print(f"target <= {TARGET_SECONDS_PER_100K:.0f} s per 100,000 contracts: "
          f"{'holds' if seconds_per_100k <= TARGET_SECONDS_PER_100K else 'MISSED'} "
          f"({seconds_per_100k:.1f} s)")  # fmt: skip
    ratio = invoices_per_s / baseline_per_s
    print(f"target ratio >= {TARGET_RATIO}: {'holds' if ratio >= TARGET_RATIO else 'MISSED'}")
    per_invoice = statements / run.documents
    print(f"target <= 3 statements per invoice: {'holds' if per_invoice <= 3 else 'MISSED'}")


if __name__ == "__main__":
    main()
