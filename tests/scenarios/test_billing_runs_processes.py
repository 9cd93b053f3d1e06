"""Billing runs in real ``beleg billing run`` processes on PostgreSQL (issue 14 acceptance;
DESIGN.md "The billing engine"): a run whose process is killed with SIGKILL in the middle of a
chunk and then resumed issues exactly the missing invoices, and two processes working at once
(two runs of one day, or a run and a ``--resume`` of it) never bill anything twice. Each ends
with the tenant's invariants (billing_invariants.py).

The runs are cut into chunks of three contracts (``BELEG_BILLING_CHUNK_SIZE``). To stop a
process at a known place without sleeping, the test holds a row lock on the contracts of one
chunk: a process that reaches that chunk has claimed it and waits for the lock, so it is
killed (or overtaken) exactly there. On SQLite only the chunk size setting is tested here:
SQLite has no row locks and no concurrent writers."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, text
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.db.billing.runs import billable_contracts
from beleg.db.database import Database
from beleg.db.tables import (
    billed_lines,
    billing_run_chunks,
    billing_runs,
    contracts,
    sales_documents,
)
from beleg.domain.billing.runs import chunked
from beleg.settings import Settings
from tests.api.test_v2_catalogue import call
from tests.api.test_v2_contracts import contract, customer, freeze, setup
from tests.cli.test_commands import BELEG
from tests.conftest import TenantFixture
from tests.conftest import test_settings as settings_for
from tests.scenarios.billing_invariants import assert_billing_invariants

NOT_ON_SQLITE = (
    "needs PostgreSQL (row locks, concurrent writer processes); set BELEG_TEST_DATABASE_URL"
)
CHUNK = 3  # contracts per chunk in these runs
WAIT = 120.0  # seconds a process may take for what a test waits for; never a timing assertion
AS_OF = "2026-06-01"
# contracts per customer: 11 contracts of 7 customers make 3 or 4 chunks of about 3
CONTRACTS_PER_CUSTOMER = (1, 2, 1, 3, 1, 2, 1)


@pytest.fixture
def tenant(billing_tenant: TenantFixture, db: Database) -> Iterator[TenantFixture]:
    yield billing_tenant
    assert_billing_invariants(db, billing_tenant.id)


@pytest.fixture
def pg(db: Database) -> Database:
    if db.dialect != "postgresql":
        pytest.skip(NOT_ON_SQLITE)
    return db


def catalogue_and_contracts(client: TestClient, tenant: TenantFixture) -> list[str]:
    """The customers (of ``CONTRACTS_PER_CUSTOMER`` active contracts each, started in April
    and May: a run as of June catches up) and their ids."""
    freeze(client, tenant, "2026-04-01")
    customers = [setup(client, tenant)]
    customers += [customer(client, tenant) for _ in CONTRACTS_PER_CUSTOMER[1:]]
    for index, (customer_id, count) in enumerate(
        zip(customers, CONTRACTS_PER_CUSTOMER, strict=True)
    ):
        for number in range(count):
            start = "2026-04-01" if (index + number) % 2 == 0 else "2026-05-10"
            made = contract(client, tenant, customer_id, start)
            call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    freeze(client, tenant, AS_OF)
    return customers


def dry_run(client: TestClient, tenant: TenantFixture) -> list[dict[str, Any]]:
    done = call(client, tenant, "POST", "/billing-runs", {"asOf": AS_OF, "dryRun": True})
    assert done["failures"] == [], done["failures"]
    return done["documents"]


def billing_run(database_url: str, tenant: TenantFixture, *args: str) -> subprocess.Popen[str]:
    """``beleg billing run --tenant T ARGS`` in its own process, chunks of ``CHUNK``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
    env |= {
        "BELEG_DATABASE_URL": database_url,
        "BELEG_LOG_LEVEL": "WARNING",
        "BELEG_BILLING_CHUNK_SIZE": str(CHUNK),
        "COLUMNS": "250",
    }
    return subprocess.Popen(
        [str(BELEG), "billing", "run", "--tenant", str(tenant.id), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def finished(process: subprocess.Popen[str]) -> str:
    output, _ = process.communicate(timeout=WAIT)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    return output


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.05)


@contextmanager
def contracts_locked(db: Database, ids: list[uuid.UUID]) -> Iterator[None]:
    """Hold the row locks of these contracts until the block ends (a run's chunk locks its
    contracts before it bills them)."""
    connection = db.engine.connect()
    transaction = connection.begin()
    try:
        C = contracts.c
        locked = connection.execute(select(C.id).where(C.id.in_(ids)).with_for_update()).all()
        assert len(locked) == len(ids)
        yield
    finally:
        transaction.rollback()
        connection.close()


def planned_chunks(db: Database, tenant: TenantFixture) -> list[list[uuid.UUID]]:
    """The chunks a run of the tenant's contracts is cut into (as ``start_run`` cuts them)."""
    with db.reader() as session:
        return chunked(billable_contracts(session, tenant.id, None), size=CHUNK)


def waiting_for_locks(db: Database) -> int:
    """Sessions of the test database waiting for a lock (only the run processes can be)."""
    with db.reader() as session:
        query = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(session.execute(query).scalar_one())


def runs_of(db: Database, tenant: TenantFixture) -> list[Any]:
    R = billing_runs.c
    with db.reader() as session:
        query = select(R.id, R.status, R.chunks_total).where(R.tenant_id == tenant.id)
        return list(session.execute(query.order_by(R.created_at)).all())


def chunks_of(db: Database, run_id: uuid.UUID) -> list[Any]:
    K = billing_run_chunks.c
    with db.reader() as session:
        query = select(K.chunk_no, K.done, K.contract_ids, K.documents).where(K.run_id == run_id)
        return list(session.execute(query.order_by(K.chunk_no)).all())


def unlocked(db: Database, run_id: uuid.UUID) -> bool:
    """No process holds a chunk of the run any more (a killed process's database session
    ends once its lock wait is over; until then it still holds its claimed chunk)."""
    K = billing_run_chunks.c
    with db.transaction() as session:
        query = select(K.chunk_no).where(K.run_id == run_id)
        every = session.execute(query).scalars().all()
        free = session.execute(query.with_for_update(skip_locked=True)).scalars().all()
        return sorted(every) == sorted(free)


def customers_in(db: Database, contract_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    C = contracts.c
    with db.reader() as session:
        query = select(C.customer_id).where(C.id.in_(contract_ids))
        return set(session.execute(query).scalars())


def issued(db: Database, tenant: TenantFixture) -> list[Any]:
    d = sales_documents.c
    with db.reader() as session:
        query = select(d.customer_id, d.doc_type, d.doc_date, d.net, d.number)
        return list(session.execute(query.where(d.tenant_id == tenant.id)).all())


def billed_line_keys(db: Database, tenant: TenantFixture) -> list[tuple[Any, ...]]:
    b = billed_lines.c
    with db.reader() as session:
        query = select(b.contract_id, b.item_key, b.grid_start, b.variant, b.credit, b.served_start)
        return [tuple(r) for r in session.execute(query.where(b.tenant_id == tenant.id))]


def assert_billed_as_predicted(
    db: Database, tenant: TenantFixture, customers: list[str], predicted: list[dict[str, Any]]
) -> None:
    """Exactly the dry run's documents exist: per customer its one invoice with the predicted
    net amount, and one billed line per predicted line, none twice."""
    documents = issued(db, tenant)
    assert len(documents) == len(predicted)
    assert Counter(str(d.customer_id) for d in documents) == Counter(customers)
    assert all(d.doc_type == "INVOICE" and d.doc_date.isoformat() == AS_OF for d in documents)
    nets = sorted((str(d.customer_id), f"{d.net:.2f}") for d in documents)
    assert nets == sorted((p["customer"], p["netAmount"]) for p in predicted)
    keys = billed_line_keys(db, tenant)
    assert len(keys) == len(set(keys)) == sum(len(p["lines"]) for p in predicted)
    with db.reader() as session:
        billed_contracts = session.execute(
            select(func.count(func.distinct(billed_lines.c.contract_id))).where(
                billed_lines.c.tenant_id == tenant.id
            )
        ).scalar_one()
    assert billed_contracts == sum(CONTRACTS_PER_CUSTOMER)


def test_a_killed_run_resumed_issues_exactly_the_missing_invoices(
    client: TestClient, pg: Database, database_url: str, tenant: TenantFixture
) -> None:
    customers = catalogue_and_contracts(client, tenant)
    predicted = dry_run(client, tenant)
    assert len(predicted) == len(customers)  # one invoice per customer: April to June
    chunks = planned_chunks(pg, tenant)
    assert len(chunks) >= 3
    with contracts_locked(pg, chunks[1]):
        process = billing_run(database_url, tenant, "--as-of", AS_OF)
        until(lambda: len(runs_of(pg, tenant)) == 1)
        (run,) = runs_of(pg, tenant)
        until(lambda: chunks_of(pg, run.id)[0].done and waiting_for_locks(pg) == 1)
        assert process.poll() is None  # in chunk 1, waiting for its contracts
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=WAIT)
        assert process.returncode == -signal.SIGKILL
    until(lambda: unlocked(pg, run.id))
    state = chunks_of(pg, run.id)
    assert [[uuid.UUID(i) for i in c.contract_ids] for c in state] == chunks
    assert [c.done for c in state] == [True] + [False] * (len(chunks) - 1)
    assert runs_of(pg, tenant)[0].status == "RUNNING"
    # the killed chunk left nothing: only chunk 0's invoices exist, one per customer in it
    assert len(issued(pg, tenant)) == state[0].documents == len(customers_in(pg, chunks[0]))
    finished(billing_run(database_url, tenant, "--resume", str(run.id)))
    view = call(client, tenant, "GET", f"/billing-runs/{run.id}")
    assert (view["status"], view["contracts"]) == (
        "COMPLETED",
        {"total": sum(CONTRACTS_PER_CUSTOMER), "done": sum(CONTRACTS_PER_CUSTOMER), "failed": 0},
    )
    assert view["documents"] == len(predicted)
    assert all(c.done for c in chunks_of(pg, run.id))
    assert_billed_as_predicted(pg, tenant, customers, predicted)


def test_two_runs_of_one_day_at_once_bill_every_contract_once(
    client: TestClient, pg: Database, database_url: str, tenant: TenantFixture
) -> None:
    customers = catalogue_and_contracts(client, tenant)
    predicted = dry_run(client, tenant)
    first_chunk = planned_chunks(pg, tenant)[0]
    with contracts_locked(pg, first_chunk):
        both = [billing_run(database_url, tenant, "--as-of", AS_OF) for _ in range(2)]
        # both have claimed chunk 0 of their own run and wait for its contracts
        until(lambda: waiting_for_locks(pg) == 2)
    for process in both:
        finished(process)
    runs = runs_of(pg, tenant)
    assert [r.status for r in runs] == ["COMPLETED", "COMPLETED"]
    views = [call(client, tenant, "GET", f"/billing-runs/{r.id}") for r in runs]
    assert sum(v["documents"] for v in views) == len(predicted)
    assert_billed_as_predicted(pg, tenant, customers, predicted)


def test_a_run_and_its_resume_at_once_bill_every_contract_once(
    client: TestClient, pg: Database, database_url: str, tenant: TenantFixture
) -> None:
    customers = catalogue_and_contracts(client, tenant)
    predicted = dry_run(client, tenant)
    chunks = planned_chunks(pg, tenant)
    with contracts_locked(pg, chunks[0]):
        first = billing_run(database_url, tenant, "--as-of", AS_OF)
        until(lambda: len(runs_of(pg, tenant)) == 1 and waiting_for_locks(pg) == 1)
        (run,) = runs_of(pg, tenant)
        # the resume skips chunk 0 (claimed by the first process) and bills the others
        finished(billing_run(database_url, tenant, "--resume", str(run.id)))
        assert [c.done for c in chunks_of(pg, run.id)] == [False] + [True] * (len(chunks) - 1)
        assert runs_of(pg, tenant)[0].status == "RUNNING"
    finished(first)
    assert runs_of(pg, tenant)[0].status == "COMPLETED"
    view = call(client, tenant, "GET", f"/billing-runs/{run.id}")
    assert view["documents"] == len(predicted)
    assert_billed_as_predicted(pg, tenant, customers, predicted)


def test_the_run_is_cut_into_chunks_of_the_configured_size(
    db: Database, database_url: str, tenant: TenantFixture
) -> None:
    settings = settings_for(database_url).model_copy(update={"billing_chunk_size": CHUNK})
    with TestClient(create_app(settings=settings, db=db)) as small:
        customers = catalogue_and_contracts(small, tenant)
        done = call(small, tenant, "POST", "/billing-runs", {"asOf": AS_OF}, status=201)
    sizes = [len(c.contract_ids) for c in chunks_of(db, uuid.UUID(done["id"]))]
    # customers of 1, 2, 1, 3, 1, 2, 1 contracts in (customer id) order, at least 3 a chunk
    assert sum(sizes) == sum(CONTRACTS_PER_CUSTOMER) and len(customers) == 7
    assert all(size >= CHUNK for size in sizes[:-1]) and 1 < len(sizes) < 7
    assert sizes == [len(c) for c in planned_chunks(db, tenant)]
    assert done["documents"] == len(customers)
    with pytest.raises(ValidationError):
        Settings(billing_chunk_size=0)
