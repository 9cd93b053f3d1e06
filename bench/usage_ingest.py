"""Usage ingestion benchmark: batches of 10,000 events through the real API against a bare
COPY of the same events, in one run.

    .venv/bin/python bench/usage_ingest.py --database-url postgresql+psycopg://.../beleg_bench_usage
                                           [--batches 10] [--contracts 200]

The database named by ``--database-url`` is wiped first (its name must start with
``beleg_bench`` or ``beleg_test``); without it a temporary SQLite file is used (then the
baseline is one executemany, as the API's write there). It creates a tenant, a usage option,
a plan and ``--contracts`` active contracts, then:

* API: posts ``--batches`` batches of 10,000 distinct events (JSON bodies encoded before the
  clock starts) to ``POST /v2/usages/batch`` through the ASGI application in process
  (Starlette's TestClient: routing, authentication, Idempotency-Key-free POST, checks, COPY,
  audit entry and outbox event, commit), then one batch again, all duplicates;
* COPY: the same rows, formatted as COPY text before the clock starts, into a scratch table
  created ``LIKE usage_events INCLUDING ALL`` (the same primary key, unique constraint and
  aggregation index), one COPY per 10,000, each in its own transaction: the database's write
  alone, the ceiling of any ingestion path.

It prints events per second of both, their ratio, and whether the target of the usage issue
holds (at least 50,000 events/s through the API). The machine is shared: ratios within one run
count.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.schema import upgrade_to_head
from beleg.db.tables import usage_events
from beleg.domain.identity.scopes import TENANT_SCOPES
from beleg.domain.usage.records import sequential_keys
from beleg.services.identity.api_keys import create_api_key
from beleg.services.onboarding.bootstrap import bootstrap_if_empty
from beleg.services.onboarding.tenants import TenantInput, create_tenant
from beleg.settings import Settings
from bench_support import fresh_database, system_actor

CLOCK = SystemClock()
BATCH = 10_000
TARGET = 50_000  # events/s through the API (usage issue)
START = datetime(2026, 5, 1, tzinfo=UTC)


def tenant(db: Database) -> tuple[uuid.UUID, str]:
    upgrade_to_head(db=db)
    bootstrap_if_empty(db=db, clock=CLOCK)
    tenant = create_tenant(
        db=db,
        actor=system_actor(uuid.UUID(int=0)),
        clock=CLOCK,
        spec=TenantInput(name="Bench", country="DE", accounting_mode="DE"),
    )
    key = create_api_key(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        name="bench",
        scopes=sorted(TENANT_SCOPES),
        validity_days=None,
        clock=CLOCK,
    )
    return tenant.id, key.token


def _call(client: TestClient, headers: dict[str, str], path: str, body: Any) -> Any:
    response = client.post(f"/v2{path}", json=body, headers=headers)
    if response.status_code >= 300:
        raise SystemExit(f"{path}: {response.status_code} {response.text}")
    return response.json()


def _contracts(client: TestClient, headers: dict[str, str], count: int) -> list[str]:
    option = {
        "code": "API_CALLS",
        "name": "API calls",
        "type": "USAGE",
        "aggregation": "SUM",
        "taxRate": "19",
    }
    _call(client, headers, "/options", option)
    plan = {
        "code": "METER",
        "name": "Metered",
        "currency": "EUR",
        "billingInterval": {"unit": "MONTH", "count": 1},
        "billingTiming": "IN_ARREARS",
        "items": [{"option": "API_CALLS", "price": {"model": "PER_UNIT", "unitPrice": "0.01"}}],
    }
    _call(client, headers, "/plans", plan)
    customer = client.post(
        "/api/1.1/customers",
        json={"companyName": "Bench GmbH", "customerNumber": "K-1"},
        headers=headers,
    ).json()["id"]
    ids = []
    for _ in range(count):
        made = _call(
            client,
            headers,
            "/contracts",
            {"customer": customer, "plan": "METER", "startDate": "2026-05-01"},
        )
        _call(client, headers, f"/contracts/{made['id']}/activate", None)
        ids.append(made["id"])
    return ids


def batch_events(contracts: list[str], batch: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"b{batch}-{n}",
            "contract": contracts[n % len(contracts)],
            "option": "API_CALLS",
            "quantity": str(n % 97 + 1),
            "timestamp": (START + timedelta(seconds=batch * BATCH + n)).isoformat(),
            "properties": {"region": "eu", "node": n % 13},
        }
        for n in range(BATCH)
    ]


def post_batches(
    client: TestClient, headers: dict[str, str], bodies: list[bytes]
) -> tuple[float, int]:
    json_headers = {**headers, "content-type": "application/json"}
    accepted, began = 0, time.perf_counter()
    for body in bodies:
        response = client.post("/v2/usages/batch", content=body, headers=json_headers)
        if response.status_code != 200:
            raise SystemExit(f"batch: {response.status_code} {response.text[:500]}")
        accepted += response.json()["accepted"]
    return time.perf_counter() - began, accepted


def stored_rows(
    tenant_id: uuid.UUID, events: list[dict[str, Any]], contracts: dict[str, uuid.UUID]
) -> list[tuple[Any, ...]]:
    """The rows the API stores for ``events`` (time-ordered ids, as the API makes them)."""
    now = datetime.now(UTC)
    keys = sequential_keys(now, len(events), secrets.randbits(42))
    return [
        (
            tenant_id,
            key,
            e["id"],
            contracts[e["contract"]],
            e["option"],
            Decimal(e["quantity"]),
            datetime.fromisoformat(e["timestamp"]),
            None,
            json.dumps(e["properties"]),
            "ACTIVE",
            now,
        )
        for e, key in zip(events, keys, strict=True)
    ]


def _copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    """COPY text of ``rows``, made before the clock starts: the baseline is the database's
    write alone (no value in these rows needs escaping)."""
    return "".join(
        "\t".join("\\N" if v is None else str(v) for v in row) + "\n" for row in rows
    ).encode()


def copy_baseline(db: Database, batches: list[list[tuple[Any, ...]]]) -> float:
    """A bare write of the same rows into an equally indexed scratch table: COPY of prepared
    text on PostgreSQL, one executemany on SQLite; one transaction per batch."""
    columns = ", ".join(c.name for c in usage_events.columns if c.name != "cancelled_at")
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS usage_scratch"))
            connection.execute(text("CREATE TABLE usage_scratch (LIKE usage_events INCLUDING ALL)"))
    prepared = [_copy_text(rows) for rows in batches] if postgres else []
    names = columns.split(", ")
    began = time.perf_counter()
    for n, rows in enumerate(batches):
        with db.engine.begin() as connection:
            if postgres:
                driver = connection.connection.driver_connection
                statement = f"COPY usage_scratch ({columns}) FROM STDIN"
                with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                    copy.write(prepared[n])
            else:
                connection.execute(
                    insert(usage_events), [dict(zip(names, r, strict=True)) for r in rows]
                )
    elapsed = time.perf_counter() - began
    if postgres:
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE usage_scratch"))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--contracts", type=int, default=200)
    args = parser.parse_args()
    db = fresh_database(args.database_url)
    tenant_id, token = tenant(db)
    settings = Settings(
        database_url=str(db.engine.url.render_as_string(hide_password=False)),
        log_level="WARNING",
        embedded_worker=False,
        rate_limit_per_ip="100000000/minute",
        rate_limit_per_credential="100000000/minute",
    )
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings=settings, db=db)) as client:
        contracts = _contracts(client, headers, args.contracts)
        events = [batch_events(contracts, b) for b in range(args.batches)]
        bodies = [json.dumps({"events": e}).encode() for e in events]
        post_batches(
            client, headers, [json.dumps({"events": batch_events(contracts, 999)[:100]}).encode()]
        )
        api_seconds, accepted = post_batches(client, headers, bodies)
        duplicate_seconds, again = post_batches(client, headers, bodies[:1])
    if accepted != args.batches * BATCH or again != 0:
        raise SystemExit(f"accepted {accepted}, then {again} of a repeated batch")
    by_id = {c: uuid.UUID(c) for c in contracts}
    baseline = [stored_rows(tenant_id, e, by_id) for e in events]
    if db.engine.dialect.name != "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM usage_events"))
    copy_seconds = copy_baseline(db, baseline)
    _report(args, db, accepted, api_seconds, duplicate_seconds, copy_seconds)


def _report(  # noqa: PLR0917 -- the figures of one run
    args: Any, db: Database, events: int, api: float, duplicate: float, copy: float
) -> None:
    api_rate, copy_rate = events / api, events / copy
    write = "COPY" if db.engine.dialect.name == "postgresql" else "executemany"
    print(
        f"database: {db.engine.dialect.name}; {args.batches} batches of {BATCH:,} events, "
        f"{args.contracts} contracts; Python {sys.version.split()[0]}"
    )
    print("| path | events | seconds | events/s |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| API POST /v2/usages/batch | {events:,} | {api:.2f} | {api_rate:,.0f} |")
    print(
        f"| API, a batch of duplicates | {BATCH:,} | {duplicate:.2f} | {BATCH / duplicate:,.0f} |"
    )
    print(f"| bare {write}, same rows, same indexes | {events:,} | {copy:.2f} | {copy_rate:,.0f} |")
    print(f"ratio API / bare write: {api_rate / copy_rate:.2f}")
    verdict = "holds" if api_rate >= TARGET else "MISSED"
    print(f"target >= {TARGET:,} events/s through the API: {verdict}")


if __name__ == "__main__":
    main()
