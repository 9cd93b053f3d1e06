"""An Idempotency-Key survives a crash (invariant 7): `beleg serve` is killed with SIGKILL
right after the commit of a POST and restarted, and the retry with the same key and body
replays the first response and books nothing.

The server runs as a child process on the tests' database (the SQLite file of the session,
or the PostgreSQL test database of ``BELEG_TEST_DATABASE_URL``). The test hook
``BELEG_FAULT_KILL_AFTER_COMMIT=N`` makes it kill itself right after the N-th idempotent POST
has committed, before it answers: the window in which a crash used to book twice. These
tests are not marked slow: CI runs them on SQLite and on PostgreSQL (the burst takes about
half a minute on two busy cores, most of it the PDFs the server renders after each answer).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import func, select

from beleg.db.database import Database
from beleg.db.tables import idempotency_records, sales_documents
from beleg.queries.audit.verification import verify_tenant_chain
from beleg.queries.ledger.reports import trial_balance
from tests.api.test_documents import invoice_body
from tests.conftest import TenantFixture

INVOICES = "/api/1.1/invoices"
BURST = 200
THREADS = 4
ANSWER_WITHIN_S = 90  # longer than the old 60 s takeover, so the old double booking shows


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`beleg serve` as a child process on the tests' database. A replacement is spawned while
    its predecessor still serves, so that a restart does not wait for the start-up."""

    def __init__(self, workdir: Path, database_url: str, name: str) -> None:
        self.workdir, self.database_url, self.name = workdir, database_url, name
        self.base = f"http://127.0.0.1:{_free_port()}"
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self, *, kill_after_commit: int = 0) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
        env |= {
            "BELEG_DATABASE_URL": self.database_url,
            "BELEG_PORT": self.base.rsplit(":", 1)[1],
            "BELEG_LOG_LEVEL": "WARNING",
            "BELEG_FAULT_KILL_AFTER_COMMIT": str(kill_after_commit),
        }
        with open(self.workdir / f"server-{self.name}.log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "beleg.cli.main", "serve"],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def ready(self) -> Server:
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if httpx2.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx2.TransportError:
                time.sleep(0.05)
        raise AssertionError(f"the server did not start:\n{self.output()}")

    def wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert self.wait() == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()

    def output(self) -> str:
        return (self.workdir / f"server-{self.name}.log").read_text(errors="replace")


def answer(
    client: httpx2.Client,
    url: str,
    body: Any,
    headers: dict[str, str],
    *,
    once: bool = False,
    errors: list[int] | None = None,
) -> httpx2.Response:
    """POST until the server answers: a dead server (unless ``once``: then its error is
    raised), a key still in progress (409) and a server error (noted in ``errors``) are no
    answer yet; the client retries with the same key and body."""
    deadline = time.monotonic() + ANSWER_WITHIN_S
    while time.monotonic() < deadline:
        try:
            response = client.post(url, json=body, headers=headers, timeout=30)
        except httpx2.TransportError:
            if once:
                raise
            time.sleep(0.05)
            continue
        if response.status_code != 409 and response.status_code < 500:
            return response
        if response.status_code >= 500 and errors is not None:
            errors.append(response.status_code)
        time.sleep(0.05)
    raise AssertionError(f"no answer within {ANSWER_WITHIN_S} s")


def documents(db: Database, tenant: TenantFixture) -> list[Any]:
    d = sales_documents.c
    with db.reader() as session:
        return list(
            session.execute(
                select(d.id, d.number, d.customer_name).where(d.tenant_id == tenant.id)
            ).all()
        )


def test_a_post_killed_right_after_its_commit_is_replayed_on_retry(
    database_url: str, db: Database, tenant: TenantFixture, tmp_path: Path
) -> None:
    first = Server(tmp_path, database_url, "first")
    restarted = Server(tmp_path, database_url, "restarted")
    headers = {**tenant.headers, "Idempotency-Key": f"crash-{uuid.uuid4()}"}
    body = invoice_body(customerName="Crash GmbH")
    try:
        first.spawn(kill_after_commit=1).ready()
        restarted.spawn()
        try:
            httpx2.post(f"{first.base}{INVOICES}", json=body, headers=headers, timeout=30)
            raise AssertionError("the server answered although it was to die first")
        except httpx2.TransportError:
            pass
        assert first.wait() == -signal.SIGKILL
        assert len(documents(db, tenant)) == 1  # committed, never answered
        with httpx2.Client() as client:
            retry = answer(client, f"{restarted.ready().base}{INVOICES}", body, headers)
    finally:
        first.stop()
        restarted.stop()
    assert retry.status_code == 200, retry.text
    assert retry.headers.get("idempotent-replayed") == "true"
    (document,) = documents(db, tenant)
    assert retry.json()["uuid"] == str(document.id) and retry.json()["id"] == document.number


class Burst:
    """BURST idempotent POSTs of finalised invoices from THREADS clients, each retried with its
    key until it is answered, by whichever server is current."""

    def __init__(self, server: Server, tenant: TenantFixture) -> None:
        self.server, self.tenant = server, tenant
        self.todo = list(range(BURST))
        self.answers: dict[int, httpx2.Response] = {}
        self.errors: list[int] = []  # server errors on the way (none expected)
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client) for _ in range(THREADS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def answered(self) -> int:
        with self.lock:
            return len(self.answers)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=ANSWER_WITHIN_S)
        assert not any(thread.is_alive() for thread in self.threads)

    def _client(self) -> None:
        with httpx2.Client() as client:
            while True:
                with self.lock:
                    if not self.todo:
                        return
                    i = self.todo.pop(0)
                headers = {**self.tenant.headers, "Idempotency-Key": f"burst-{i}"}
                body = invoice_body(customerName=f"Burst {i}")
                response = self._answer(client, body, headers)
                with self.lock:
                    self.answers[i] = response

    def _answer(self, client: httpx2.Client, body: Any, headers: dict[str, str]) -> httpx2.Response:
        deadline = time.monotonic() + ANSWER_WITHIN_S
        while time.monotonic() < deadline:
            try:
                url = f"{self.server.base}{INVOICES}"
                return answer(client, url, body, headers, once=True, errors=self.errors)
            except httpx2.TransportError:  # this server died: retry on its successor
                time.sleep(0.05)
        raise AssertionError(f"no answer within {ANSWER_WITHIN_S} s")


def test_a_burst_of_idempotent_posts_survives_two_kills(
    database_url: str, db: Database, tenant: TenantFixture, tmp_path: Path
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    servers = [Server(tmp_path, database_url, name) for name in ("first", "second", "third")]
    burst = Burst(servers[0], tenant)
    try:
        # First kill: the server dies right after a random commit, before it answers.
        servers[0].spawn(kill_after_commit=rng.randint(10, 80)).ready()
        servers[1].spawn()
        burst.start()
        assert servers[0].wait() == -signal.SIGKILL, f"seed {seed}"
        burst.server = servers[1].ready()
        servers[2].spawn()
        # Second kill: SIGKILL from outside at a random moment later in the burst.
        target = rng.randint(min(burst.answered() + 10, BURST - 20), BURST - 20)
        deadline = time.monotonic() + ANSWER_WITHIN_S
        while burst.answered() < target:
            assert time.monotonic() < deadline, f"seed {seed}: the burst stalled"
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.1))
        servers[1].kill()
        burst.server = servers[2].ready()
        burst.join()
    finally:
        for server in servers:
            server.stop()
    assert not burst.errors, f"seed {seed}"
    check_books(db, tenant, burst.answers, seed)


def check_books(
    db: Database, tenant: TenantFixture, answers: dict[int, httpx2.Response], seed: int
) -> None:
    """One document per key, the first answer replayed, gapless numbers, balanced books, an
    intact audit chain."""
    assert sorted(answers) == list(range(BURST)), f"seed {seed}"
    assert {r.status_code for r in answers.values()} == {200}, f"seed {seed}"
    rows = documents(db, tenant)
    docs = {row.customer_name: row for row in rows}
    assert (len(rows), len(docs)) == (BURST, BURST), f"seed {seed}: a key booked twice"
    assert any(r.headers.get("idempotent-replayed") == "true" for r in answers.values())
    for i, response in answers.items():
        row = docs[f"Burst {i}"]
        assert (response.json()["uuid"], response.json()["id"]) == (str(row.id), row.number)
    assert sorted(int(row.number.rsplit(" ", 1)[1]) for row in docs.values()) == list(
        range(1, BURST + 1)
    )
    balance = trial_balance(
        db=db, tenant_id=tenant.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert balance and sum((r.debit - r.credit for r in balance), Decimal(0)) == 0
    verification = verify_tenant_chain(db=db, tenant_id=tenant.id)
    assert not verification.breaks and verification.entries > BURST
    with db.reader() as session:
        stored = session.execute(
            select(func.count())
            .select_from(idempotency_records)
            .where(idempotency_records.c.tenant_id == tenant.id)
        ).scalar_one()
    assert stored == BURST
