"""Acceptance scenarios of billing runs (issue 14; spec/billing-api.md "Billing run"; DESIGN.md
"The billing engine"): a run twice issues once, documents split by original billing period, a
catch-up on the test clock with plan changes and terminations, a run killed and resumed and
two runs at once on PostgreSQL, and the preview equal to what the run issues. Every scenario
ends with the tenant's invariants (billing_invariants.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import billed_lines, sales_documents
from tests.api.test_v2_catalogue import call
from tests.api.test_v2_contracts import contract, customer, freeze, setup
from tests.conftest import TenantFixture
from tests.scenarios.billing_invariants import assert_billing_invariants

PREMIUM = {
    "code": "PREMIUM",
    "name": "Premium",
    "currency": "EUR",
    "billingInterval": {"unit": "MONTH", "count": 1},
    "billingTiming": "IN_ADVANCE",
    "items": [{"option": "PRO", "price": {"model": "FLAT", "amount": "49.00"}}],
}
PRO = {"code": "PRO", "name": "Pro fee", "type": "RECURRING", "taxRate": "19"}


@pytest.fixture
def tenant(billing_tenant: TenantFixture, db: Database) -> Any:
    yield billing_tenant
    assert_billing_invariants(db, billing_tenant.id)


def activate(client: TestClient, tenant: TenantFixture, made: dict[str, Any]) -> None:
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")


def run(client: TestClient, tenant: TenantFixture, as_of: str, **extra: Any) -> Any:
    return call(client, tenant, "POST", "/billing-runs", {"asOf": as_of, **extra}, status=201)


def dry_run(client: TestClient, tenant: TenantFixture, as_of: str) -> Any:
    return call(client, tenant, "POST", "/billing-runs", {"asOf": as_of, "dryRun": True})


def documents(db: Database, tenant: TenantFixture) -> list[Any]:
    d = sales_documents.c
    with db.reader() as session:
        return list(
            session.execute(
                select(d.doc_type, d.number, d.doc_date, d.net, d.tax, d.total)
                .where(d.tenant_id == tenant.id)
                .order_by(d.doc_type, d.number)
            ).all()
        )


def lines_of(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (
            line["option"],
            line["servicePeriod"]["from"],
            line["servicePeriod"]["to"],
            line["netAmount"],
        )
        for line in document["lines"]
    ]


def test_a_run_executed_twice_creates_nothing_the_second_time(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    freeze(client, tenant, "2026-05-01")
    customer_id = setup(client, tenant)
    for start in ("2026-04-01", "2026-04-15", "2026-05-01"):
        activate(client, tenant, contract(client, tenant, customer_id, start))
    activate(client, tenant, contract(client, tenant, customer(client, tenant), "2026-03-10"))
    first = run(client, tenant, "2026-05-01")
    assert first["status"] == "COMPLETED" and first["failures"] == []
    assert (first["contracts"], first["documents"]) == (
        {"total": 4, "done": 4, "failed": 0},
        2,
    )
    before = documents(db, tenant)
    with db.reader() as session:
        billed = len(
            session.execute(
                select(billed_lines.c.id).where(billed_lines.c.tenant_id == tenant.id)
            ).all()
        )
    second = run(client, tenant, "2026-05-01")
    assert (second["status"], second["documents"], second["netAmount"]) == (
        "COMPLETED",
        0,
        "0.00",
    )
    assert second["contracts"] == {"total": 4, "done": 4, "failed": 0}
    assert call(client, tenant, "GET", f"/billing-runs/{second['id']}/documents") == []
    assert documents(db, tenant) == before
    with db.reader() as session:
        assert (
            len(
                session.execute(
                    select(billed_lines.c.id).where(billed_lines.c.tenant_id == tenant.id)
                ).all()
            )
            == billed
        )
    dry = dry_run(client, tenant, "2026-05-01")
    assert (dry["documents"], dry["failures"]) == ([], [])


@pytest.mark.parametrize("split", [True, False])
def test_documents_split_by_original_billing_period(
    client: TestClient, tenant: TenantFixture, db: Database, split: bool
) -> None:
    body = {"code": "MONTHLY", "splitByOriginalPeriod": split}
    call(client, tenant, "POST", "/billing-groups", body, status=201)
    freeze(client, tenant, "2026-05-01")
    made = contract(client, tenant, setup(client, tenant), "2026-05-01", billingGroup="MONTHLY")
    activate(client, tenant, made)
    freeze(client, tenant, "2026-06-01")  # May was not billed: the run catches up
    done = run(client, tenant, "2026-06-01")
    issued = call(client, tenant, "GET", f"/billing-runs/{done['id']}/documents")
    may = ("BASE", "2026-05-01", "2026-05-31", "29.00")
    june = ("BASE", "2026-06-01", "2026-06-30", "29.00")
    if split:
        assert [lines_of(d) for d in issued] == [[may], [june]]
        assert [(d["date"], d["netAmount"], d["taxAmount"]) for d in issued] == [
            ("2026-06-01", "29.00", "5.51"),
            ("2026-06-01", "29.00", "5.51"),
        ]
        assert len({d["number"] for d in issued}) == 2
    else:
        (one,) = issued
        assert lines_of(one) == [may, june]
        assert (one["netAmount"], one["taxAmount"], one["totalAmount"]) == (
            "58.00",
            "11.02",
            "69.02",
        )
    assert done["documents"] == len(issued)
