"""HTTP benchmark: what the request path of the API costs, served as in production.

    .venv/bin/python bench/request_path.py [--database-url URL] [--duration 10]
                                           [--get-connections 64] [--post-connections 16]
                                           [--calls 200]

Starts two servers side by side, one uvicorn worker each, called the same way: ``beleg serve``
on a fresh database (a temporary SQLite file, or the PostgreSQL database of
``--database-url``, wiped first: its name must start with ``beleg_bench`` or ``beleg_test``)
and, as the baseline, a bare FastAPI app with one synchronous endpoint answering a small JSON
object (``def``, run in the thread pool as every Beleg endpoint is). It creates a tenant, an
API key and a finalised invoice, then drives both with ``wrk`` (Debian's ``/usr/bin/wrk``):

* ``GET`` of the bare endpoint and of ``/api/1.1/invoices/{number}`` at ``--get-connections``;
* ``POST /api/1.1/invoices`` of a finalised invoice at ``--post-connections``, against the same
  service call (``create_document`` with the same body) made in this process without HTTP.

It prints requests per second, latency p50/p99, the server's CPU milliseconds per request,
each rate's ratio to its baseline and whether the targets of issue 12 hold: GET one document
at least 0.40 of the bare rate with p99 below 50 ms; POST at least 1/3 of the in-process call.
The embedded worker is off (``BELEG_EMBEDDED_WORKER=false``): the PDFs of the posted invoices
wait in the outbox, as they do for the in-process calls. Rate limits are raised so that they
count every request but refuse none. The machine is shared: ratios within one run count.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from beleg.api.v11.documents.models import InvoiceDto
from beleg.api.v11.documents.routes import to_input
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.schema import upgrade_to_head
from beleg.db.tables import sales_documents
from beleg.domain.identity.scopes import TENANT_SCOPES
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.create import create_document
from beleg.services.identity.api_keys import create_api_key
from beleg.services.onboarding.bootstrap import bootstrap_if_empty
from beleg.services.onboarding.tenants import TenantInput, create_tenant
from bench_support import fresh_database, system_actor

WRK = "/usr/bin/wrk"
CLOCK = SystemClock()
GET_TARGET, P99_TARGET_MS, POST_TARGET = 0.40, 50.0, 1 / 3
LINE = {
    "name": "Beratung",
    "itemPrice": 100,
    "itemPriceType": "N",
    "account": "4000",
    "taxClassEntry": "020",
    "amount": 1,
    "netPrice": "100.00",
    "taxPrice": "20.00",
    "totalPrice": "120.00",
}
INVOICE = {
    "state": "FINALIZED",
    "date": "2026-11-02",
    "customerName": "Kunde GmbH",
    "netAmount": "100.00",
    "taxAmount": "20.00",
    "totalAmount": "120.00",
    "lines": [LINE],
}
BARE_APP = """
import sys
import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
def bare() -> dict[str, str]:
    return {"status": "ok"}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


@dataclass(frozen=True, slots=True)
class Load:
    """One wrk run: requests per second, latency percentiles, errors, server CPU."""

    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float


def _tenant(db: Database) -> tuple[uuid.UUID, str, str]:
    """(tenant id, API key, number of one finalised invoice) of a new DE tenant."""
    upgrade_to_head(db=db)
    bootstrap_if_empty(db=db, clock=CLOCK)
    tenant = create_tenant(
        db=db,
        actor=system_actor(uuid.UUID(int=0)),
        clock=CLOCK,
        spec=TenantInput(name="Bench", country="AT", accounting_mode="DE"),
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
    document = _create(db, tenant.id)
    with db.reader() as session:
        number = session.execute(
            select(sales_documents.c.number).where(sales_documents.c.id == document)
        ).scalar_one()
    return tenant.id, key.token, str(number)


def _create(db: Database, tenant_id: uuid.UUID) -> uuid.UUID:
    """The service call behind ``POST /api/1.1/invoices`` with the benchmark's body."""
    data = to_input(DocumentType.INVOICE, InvoiceDto.model_validate(INVOICE))
    return create_document(
        db=db, actor=system_actor(tenant_id), tenant_id=tenant_id, data=data, clock=CLOCK
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(command: list[str], env: dict[str, str], workdir: str, probe: str) -> Any:
    """A server process, answering ``probe`` with 200 before the block runs; its pid."""
    log = Path(workdir) / f"server-{len(list(Path(workdir).glob('server-*.log')))}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and wrk)
            command, cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(probe, timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"server {command} did not start") from None
                time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _beleg(url: str, workdir: str, port: int) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
    env |= {
        "BELEG_DATABASE_URL": url,
        "BELEG_PORT": str(port),
        "BELEG_EMBEDDED_WORKER": "false",
        "BELEG_RATE_LIMIT_PER_IP": "100000000/minute",
        "BELEG_RATE_LIMIT_PER_CREDENTIAL": "100000000/minute",
    }
    command = [sys.executable, "-m", "beleg.cli.main", "serve"]
    return _server(command, env, workdir, f"http://127.0.0.1:{port}/healthz")


def _bare(workdir: str, port: int) -> Any:
    command = [sys.executable, "-c", BARE_APP, str(port)]
    return _server(command, dict(os.environ), workdir, f"http://127.0.0.1:{port}/bare")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ms(value: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if found is None:
        raise SystemExit(f"wrk printed a latency I cannot read: {value!r}")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _percentile(out: str, percent: int) -> str:
    """A latency of wrk's distribution table (a line of its own: the stdev columns above it
    also end in ``%``)."""
    found = re.search(rf"^\s+{percent}%\s+(\S+)\s*$", out, re.MULTILINE)
    if found is None:
        raise SystemExit(f"wrk printed no {percent}% latency")
    return found.group(1)


def _wrk(url: str, pid: int, connections: int, duration: int, script: str | None = None) -> Load:
    """Drive ``url`` with wrk (one thread) for ``duration`` seconds after a 2 s warm-up."""
    extra = ["-s", script] if script else []
    warm = [WRK, "-t1", f"-c{connections}", "-d2s", *extra, url]
    subprocess.run(warm, check=True, capture_output=True)  # noqa: S603
    cpu = _cpu_seconds(pid)
    command = [WRK, "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency"]
    command += [*extra, url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    cpu = _cpu_seconds(pid) - cpu
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (
        sum(int(n) for n in failed.groups()) if failed else 0
    )
    return Load(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(_percentile(out, 50)),
        p99_ms=_ms(_percentile(out, 99)),
        errors=errors,
        cpu_ms=cpu * 1000 / max(total, 1),
    )


def _lua(workdir: str, token: str) -> str:
    """A wrk script that POSTs the benchmark's finalised invoice."""
    path = Path(workdir) / "post.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(json.dumps(INVOICE))}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    return str(path)


def _in_process(db: Database, tenant_id: uuid.UUID, calls: int) -> float:
    """Finalised invoices per second from the service call in this process, one thread."""
    for _ in range(min(calls, 20)):
        _create(db, tenant_id)
    start = time.perf_counter()
    for _ in range(calls):
        _create(db, tenant_id)
    return calls / (time.perf_counter() - start)


def _row(name: str, load: Load | None, rate: float, ratio: float | None, verdict: str) -> str:
    if load is None:
        blank = "|        " * 4
        return f"| {name:44} | {rate:8.1f} {blank}| {1.0:6.3f} | {verdict:7} |"
    return (
        f"| {name:44} | {load.rate:8.1f} | {load.p50_ms:6.1f} | {load.p99_ms:6.1f} "
        f"| {load.cpu_ms:6.2f} | {load.errors:6d} | {ratio or 1.0:6.3f} | {verdict:7} |"
    )


def _print(
    args: argparse.Namespace, dialect: str, bare: Load, get: Load, *, post: Load, direct: float
) -> None:
    get_ratio, post_ratio = get.rate / bare.rate, post.rate / direct
    get_ok = get_ratio >= GET_TARGET and get.p99_ms < P99_TARGET_MS and get.errors == 0
    post_ok = post_ratio >= POST_TARGET and post.errors == 0
    print(
        f"database: {dialect}; {args.duration} s per run, wrk 1 thread; one uvicorn worker per "
        f"server; load average {os.getloadavg()[0]:.2f} (2 cores shared)"
    )
    print(
        "| measure                                      |    req/s | p50 ms | p99 ms "
        "| CPU ms | errors |  ratio | target  |"
    )
    print(f"| {'-' * 44} | -------: | -----: | -----: | -----: | -----: | -----: | ------- |")
    c_get, c_post = args.get_connections, args.post_connections
    print(_row(f"GET bare FastAPI endpoint, {c_get} conn. (base)", bare, 0, None, ""))
    verdict = "holds" if get_ok else "missed"
    print(_row(f"GET /api/1.1/invoices/{{number}}, {c_get} conn.", get, 0, get_ratio, verdict))
    print(_row("create_document in-process, 1 thread (base)", None, direct, None, ""))
    verdict = "holds" if post_ok else "missed"
    print(_row(f"POST /api/1.1/invoices finalised, {c_post} conn.", post, 0, post_ratio, verdict))
    print(
        f"targets: GET >= {GET_TARGET:.2f} of bare with p99 < {P99_TARGET_MS:.0f} ms; "
        f"POST >= {POST_TARGET:.3f} of in-process; no errors"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--get-connections", type=int, default=64)
    parser.add_argument("--post-connections", type=int, default=16)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    if not Path(WRK).exists():
        raise SystemExit(f"{WRK} is missing: apt-get install wrk")
    workdir = tempfile.mkdtemp()
    db = fresh_database(args.database_url, workdir)
    url = args.database_url or str(db.engine.url)
    tenant_id, token, number = _tenant(db)
    direct = _in_process(db, tenant_id, args.calls)
    beleg_port, bare_port = _free_port(), _free_port()
    with ExitStack() as stack:
        bare_pid = stack.enter_context(_bare(workdir, bare_port))
        beleg_pid = stack.enter_context(_beleg(url, workdir, beleg_port))
        bare = _wrk(
            f"http://127.0.0.1:{bare_port}/bare", bare_pid, args.get_connections, args.duration
        )
        auth = f"{workdir}/get.lua"
        Path(auth).write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
        base = f"http://127.0.0.1:{beleg_port}/api/1.1/invoices"
        get = _wrk(f"{base}/{quote(number)}", beleg_pid, args.get_connections, args.duration, auth)
        post = _wrk(base, beleg_pid, args.post_connections, args.duration, _lua(workdir, token))
    _print(args, db.dialect, bare, get, post=post, direct=direct)
    db.dispose()


if __name__ == "__main__":
    main()
