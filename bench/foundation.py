"""Foundation benchmark: audit appends and authenticated requests against in-run baselines.

    .venv/bin/python bench/foundation.py [--database-url URL] [--entries N] [--requests N]

Baselines measured in the same run: the raw Core executemany insert rate of audit-shaped rows
(what the database can write at all), and a bare unauthenticated endpoint (what the framework
serves at all). The table shows each figure and its ratio to its baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import insert

from beleg.api.app import create_app
from beleg.clock import SystemClock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.schema import upgrade_to_head
from beleg.db.tables import audit_entries
from beleg.domain.audit.chain import AuditAction
from beleg.domain.identity.scopes import TENANT_SCOPES
from beleg.services.identity.api_keys import create_api_key
from beleg.services.onboarding.tenants import TenantInput, create_tenant
from beleg.settings import Settings
from bench_support import system_actor


def _rate(count: int, action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return count / (time.perf_counter() - started)


def bench_audit(
    db: Database, tenant_id: uuid.UUID, raw_tenant_id: uuid.UUID, entries: int
) -> list[tuple[str, float]]:
    """``raw_tenant_id`` receives the unchained baseline rows (the trail is append-only)."""
    rows = [
        {
            "tenant_id": raw_tenant_id,
            "seq": 1_000_000 + i,
            "occurred_at": datetime.now(UTC),
            "actor_type": "SYSTEM",
            "actor_id": None,
            "actor_name": "bench",
            "ip_address": None,
            "request_id": None,
            "action": "UPDATE",
            "entity_type": "Customer",
            "entity_id": str(i),
            "before": {"n": i},
            "after": {"n": i + 1},
            "prev_hash": "0" * 64,
            "hash": "0" * 64,
        }
        for i in range(entries * 5)
    ]

    def raw() -> None:
        with db.transaction() as session:
            session.execute(insert(audit_entries), rows)

    raw_rate = _rate(len(rows), raw)
    clock, actor = SystemClock(), system_actor(tenant_id)

    def one_per_transaction() -> None:
        for i in range(entries):
            with db.transaction() as session:
                record_change(
                    session,
                    actor=actor,
                    tenant_id=tenant_id,
                    action=AuditAction.UPDATE,
                    entity_type="Customer",
                    entity_id=str(i),
                    before={"n": i},
                    after={"n": i + 1},
                    clock=clock,
                )

    def batched() -> None:
        with db.transaction() as session:
            for i in range(entries):
                record_change(
                    session,
                    actor=actor,
                    tenant_id=tenant_id,
                    action=AuditAction.UPDATE,
                    entity_type="Customer",
                    entity_id=str(i),
                    before={"n": i},
                    after={"n": i + 1},
                    clock=clock,
                )

    return [
        ("raw insert, audit-shaped rows/s (baseline)", raw_rate),
        ("audit append, one transaction each /s", _rate(entries, one_per_transaction)),
        ("audit append, one transaction for all /s", _rate(entries, batched)),
    ]


async def _asgi_get(app: object, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """One GET through the ASGI app, as a server would send it; returns the status."""
    status, sent = 0, False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    await app(scope, receive, send)  # type: ignore[operator]
    return status


def bench_api(app: object, token: str, requests: int) -> list[tuple[str, float]]:
    auth = [(b"authorization", f"Bearer {token}".encode())]

    def get(path: str, headers: list[tuple[bytes, bytes]]) -> Callable[[], None]:
        async def loop() -> None:
            for _ in range(requests):
                assert await _asgi_get(app, path, headers) == 200

        return lambda: asyncio.run(loop())

    return [
        ("GET /healthz, no auth (baseline) /s", _rate(requests, get("/healthz", []))),
        ("GET /v2/scopes, API key + scope /s", _rate(requests, get("/v2/scopes", auth))),
        ("GET /v2/api-keys, auth + paged query /s", _rate(requests, get("/v2/api-keys", auth))),
    ]


def _table(title: str, rows: list[tuple[str, float]]) -> None:
    baseline = rows[0][1]
    print(f"\n{title}\n{'measure':<48} {'rate':>12} {'vs baseline':>12}")
    for name, rate in rows:
        print(f"{name:<48} {rate:>12,.0f} {rate / baseline:>12.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--entries", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=1_000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    db = Database(url)
    upgrade_to_head(db=db)
    clock = SystemClock()
    tenant, raw_tenant = (
        create_tenant(
            db=db,
            actor=system_actor(uuid.UUID(int=0)),
            clock=clock,
            spec=TenantInput(name=name, country="AT", accounting_mode="DE"),
        )
        for name in ("bench", "bench-raw")
    )
    key = create_api_key(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        name="bench",
        scopes=sorted(TENANT_SCOPES),
        validity_days=None,
        clock=clock,
    )
    print(f"database: {db.dialect} ({url.split('@')[-1]})")
    _table("Audit trail", bench_audit(db, tenant.id, raw_tenant.id, args.entries))
    app = create_app(settings=Settings(database_url=url, log_level="ERROR"), db=db)
    _table("API (in-process ASGI, one client)", bench_api(app, key.token, args.requests))


if __name__ == "__main__":
    main()
