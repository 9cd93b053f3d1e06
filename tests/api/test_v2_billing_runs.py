"""Billing runs under /v2/billing-runs (usage and billing-run issue): a run issues the
preview's documents, numbered and posted; a second run issues nothing; a termination's credit
note; billing groups and the scheduled-runs switch (audited); bad input named; scopes."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import audit_entries, billed_lines, sales_documents
from beleg.domain.identity.principal import system_actor
from beleg.jobs.worker import work_pending
from beleg.services.billing.runs import work_chunk_event
from beleg.services.billing.scheduling import resume_runs
from tests.api.test_v2_catalogue import call
from tests.api.test_v2_contracts import contract, customer, freeze, setup
from tests.conftest import TenantFixture, test_settings


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


def active_contract(client: TestClient, tenant: TenantFixture, start: str) -> dict[str, Any]:
    made = contract(client, tenant, setup(client, tenant), start)
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    return made  # type: ignore[no-any-return]


def run(client: TestClient, tenant: TenantFixture, as_of: str, **extra: Any) -> Any:
    return call(client, tenant, "POST", "/billing-runs", {"asOf": as_of, **extra}, status=201)


def count(db: Database, table: Any, tenant: TenantFixture) -> int:
    with db.reader() as session:
        query = select(func.count()).select_from(table).where(table.c.tenant_id == tenant.id)
        return int(session.execute(query).scalar_one())


def test_a_run_issues_the_preview_and_a_second_run_nothing(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    freeze(client, tenant, "2026-05-15")
    made = active_contract(client, tenant, "2026-05-15")
    call(
        client,
        tenant,
        "POST",
        f"/contracts/{made['id']}/service-cycle",
        {"nextPeriodStart": "2026-06-01"},
    )
    freeze(client, tenant, "2026-06-01")
    preview = call(client, tenant, "GET", f"/contracts/{made['id']}/preview?until=2026-06-01")
    dry = call(client, tenant, "POST", "/billing-runs", {"asOf": "2026-06-01", "dryRun": True})
    assert dry["dryRun"] is True and count(db, sales_documents, tenant) == 0
    done = run(client, tenant, "2026-06-01")
    assert done["status"] == "COMPLETED", done
    assert done["contracts"] == {"total": 1, "done": 1, "failed": 0}, done["failures"]
    assert (done["documents"], done["netAmount"]) == (1, "44.90")
    (document,) = call(client, tenant, "GET", f"/billing-runs/{done['id']}/documents")
    (planned,) = dry["documents"]
    assert [d["netAmount"] for d in preview["documents"]] == ["44.90"]
    assert (document["netAmount"], document["taxAmount"], document["totalAmount"]) == (
        planned["netAmount"],
        planned["taxAmount"],
        planned["totalAmount"],
    )
    assert (document["taxAmount"], document["date"]) == ("8.53", "2026-06-01")
    may, june = document["lines"]
    assert (may["servicePeriod"], may["netAmount"]) == (
        {"from": "2026-05-15", "to": "2026-05-31"},
        "15.90",
    )
    assert may["explanation"]["prorationFactor"] == "17/31"
    assert june["netAmount"] == "29.00"
    assert document["number"]
    again = run(client, tenant, "2026-06-01")
    assert (again["documents"], again["contracts"]["done"]) == (0, 1)
    assert count(db, sales_documents, tenant) == 1
    assert count(db, billed_lines, tenant) == 2
    after = call(client, tenant, "GET", f"/contracts/{made['id']}/preview?until=2026-06-01")
    assert after["documents"] == []


def test_a_run_started_without_waiting_is_billed_by_the_worker(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    """``wait: false`` answers 202 and hands each chunk to the worker (``billing.chunk``
    outbox events: task-queue jobs on PostgreSQL, tests/scenarios/test_queue_workers.py;
    here worked in-process, as on SQLite); a chunk event worked twice bills nothing twice."""
    freeze(client, tenant, "2026-05-15")
    active_contract(client, tenant, "2026-05-15")
    freeze(client, tenant, "2026-06-01")
    started = call(
        client, tenant, "POST", "/billing-runs", {"asOf": "2026-06-01", "wait": False},
        status=202,
    )  # fmt: skip
    assert (started["status"], started["documents"]) == ("QUEUED", 0)
    assert count(db, sales_documents, tenant) == 0
    # the due work leaves a dispatched run to its jobs (the task queue retries a stalled one)
    actor = system_actor(tenant.id, "worker")
    assert resume_runs(db=db, actor=actor, tenant_id=tenant.id, clock=SystemClock()) == 0
    assert count(db, sales_documents, tenant) == 0
    assert work_pending(db=db, tenant_id=tenant.id, clock=SystemClock(), limit=10) >= 1
    done = call(client, tenant, "GET", f"/billing-runs/{started['id']}")
    # one period in advance, 2026-05-15 to 2026-06-14
    assert (done["status"], done["documents"], done["netAmount"]) == ("COMPLETED", 1, "29.00")
    work_chunk_event(db, tenant.id, {"run": started["id"], "chunk": 0}, SystemClock())
    assert count(db, sales_documents, tenant) == 1
    assert count(db, billed_lines, tenant) == 1


def test_an_extraordinary_termination_credits_the_billed_days_at_once(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    freeze(client, tenant, "2026-06-01")
    made = active_contract(client, tenant, "2026-06-01")
    run(client, tenant, "2026-06-01")
    freeze(client, tenant, "2026-06-10")
    path = f"/contracts/{made['id']}/terminate"
    body = {"type": "EXTRAORDINARY", "date": "2026-06-15"}
    dry = call(client, tenant, "POST", path, {**body, "dryRun": True})
    assert dry["correction"]["wouldCreate"] is True
    assert dry["correction"]["netAmount"] == "14.50"  # 15 of 30 days of 29.00
    done = call(client, tenant, "POST", path, body)
    assert done["correction"]["created"] is True
    with db.reader() as session:
        credit = session.execute(
            select(sales_documents).where(
                sales_documents.c.tenant_id == tenant.id,
                sales_documents.c.id == uuid.UUID(done["correction"]["documentId"]),
            )
        ).one()
    assert (credit.doc_type, credit.net, credit.doc_date.isoformat()) == (
        "CREDIT_MEMO",
        Decimal("14.50"),
        "2026-06-10",
    )
    freeze(client, tenant, "2026-07-01")
    assert run(client, tenant, "2026-07-01")["documents"] == 0


def test_billing_groups_and_the_scheduled_switch_are_audited(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    made = call(
        client,
        tenant,
        "POST",
        "/billing-groups",
        {"code": "MONTHLY", "splitByOriginalPeriod": True, "lateUsageHandling": "CARRY_OVER"},
        status=201,
    )
    assert (made["splitByOriginalPeriod"], made["lateUsageHandling"]) == (True, "CARRY_OVER")
    call(client, tenant, "POST", "/billing-groups", {"code": "MONTHLY"}, status=409)
    patched = call(
        client, tenant, "PATCH", "/billing-groups/MONTHLY", {"splitByOriginalPeriod": False}
    )
    assert patched["splitByOriginalPeriod"] is False
    bad = call(
        client,
        tenant,
        "POST",
        "/billing-groups",
        {"code": "X", "lateUsageHandling": "LATER"},
        status=400,
    )
    assert bad["errors"][0]["field"] == "lateUsageHandling"
    freeze(client, tenant, "2026-06-01")
    assert call(client, tenant, "PUT", "/tenant-config/billing", {"scheduledRuns": True}) == {
        "scheduledRuns": True,
        "scheduledThrough": "2026-05-31",
    }
    with db.reader() as session:
        kinds = (
            session.execute(
                select(audit_entries.c.entity_type).where(audit_entries.c.tenant_id == tenant.id)
            )
            .scalars()
            .all()
        )
    assert kinds.count("BillingGroup") == 2 and kinds.count("BillingSettings") == 1


def test_bad_runs_name_the_field(client: TestClient, tenant: TenantFixture) -> None:
    freeze(client, tenant, "2026-06-01")
    late = call(client, tenant, "POST", "/billing-runs", {"asOf": "2026-06-02"}, status=400)
    assert late["errors"][0]["field"] == "asOf"
    unknown = call(
        client,
        tenant,
        "POST",
        "/billing-runs",
        {"asOf": "2026-06-01", "billingGroup": "NOPE"},
        status=400,
    )
    assert unknown["errors"][0]["field"] == "billingGroup"
    call(client, tenant, "GET", "/billing-runs/00000000-0000-0000-0000-000000000000", status=404)


def test_the_scheduled_run_fires_when_the_clock_advances(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    freeze(client, tenant, "2026-05-01")
    active_contract(client, tenant, "2026-05-01")
    call(client, tenant, "PUT", "/tenant-config/billing", {"scheduledRuns": True})
    call(client, tenant, "POST", "/test-clock/advance", {"days": 61})  # to 2026-07-01
    with db.reader() as session:
        dates = session.execute(
            select(sales_documents.c.doc_date, sales_documents.c.number)
            .where(sales_documents.c.tenant_id == tenant.id)
            .order_by(sales_documents.c.number)
        ).all()
    assert [d.isoformat() for d, _ in dates] == ["2026-05-01", "2026-06-01", "2026-07-01"]
    runs = call(client, tenant, "GET", "/billing-runs")
    assert runs["total"] == 1 and runs["items"][0]["scheduled"] is True


def test_the_services_list_exports_billed_lines(client: TestClient, tenant: TenantFixture) -> None:
    freeze(client, tenant, "2026-06-01")
    made = active_contract(client, tenant, "2026-06-01")
    run(client, tenant, "2026-06-01")
    page = call(client, tenant, "GET", "/services")
    (line,) = page["items"]
    assert (line["contractNumber"], line["netAmount"], line["grossAmount"]) == (
        made["contractNumber"],
        "29.00",
        "34.51",
    )
    assert (line["servicePeriodFrom"], line["servicePeriodTo"]) == ("2026-06-01", "2026-06-30")
    csv = client.get("/v2/services?format=csv", headers=tenant.headers)
    assert csv.status_code == 200
    header, row = csv.text.strip().splitlines()
    assert header.startswith("contractNumber,option,description,servicePeriodFrom")
    assert "34.51" in row and line["documentNumber"] in row


def test_the_scheduled_run_takes_the_configured_chunk_size(
    db: Database, database_url: str, tenant: TenantFixture
) -> None:
    """BELEG_BILLING_CHUNK_SIZE applies to the scheduled run the test clock fires as to a run
    started by hand: two customers' contracts in chunks of one are two chunks."""
    settings = test_settings(database_url).model_copy(update={"billing_chunk_size": 1})
    with TestClient(create_app(settings=settings, db=db)) as small_chunks:
        freeze(small_chunks, tenant, "2026-05-01")
        first = contract(small_chunks, tenant, setup(small_chunks, tenant), "2026-05-01")
        second = contract(small_chunks, tenant, customer(small_chunks, tenant), "2026-05-01")
        for made in (first, second):
            call(small_chunks, tenant, "POST", f"/contracts/{made['id']}/activate")
        call(small_chunks, tenant, "PUT", "/tenant-config/billing", {"scheduledRuns": True})
        call(small_chunks, tenant, "POST", "/test-clock/advance", {"days": 1})
        (listed,) = call(small_chunks, tenant, "GET", "/billing-runs")["items"]
        scheduled = call(small_chunks, tenant, "GET", f"/billing-runs/{listed['id']}")
    assert scheduled["scheduled"] is True
    assert scheduled["chunks"] == {"total": 2, "done": 2}
    assert scheduled["contracts"]["done"] == 2
