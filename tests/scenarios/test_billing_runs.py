"""Acceptance scenarios of billing runs (issue 14; spec/billing-api.md "Billing run"; DESIGN.md
"The billing engine"): a run twice issues once, documents split by original billing period,
and a catch-up on the test clock with plan changes and terminations. Every scenario ends with
the tenant's invariants (billing_invariants.py).

The others are beside it: a run killed with SIGKILL and resumed, and two runs at once, in real
processes on PostgreSQL in test_billing_runs_processes.py; the preview equal to what the run
issues, a property over random contracts and usage, in test_billing_run_properties.py; a free
quota then a cap and late usage in both modes across a year end in
test_billing_usage_year_end.py."""

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


def run_documents(client: TestClient, tenant: TenantFixture) -> list[dict[str, Any]]:
    """Every document the tenant's runs issued, in number order."""
    runs = call(client, tenant, "GET", "/billing-runs?limit=100")["items"]
    issued = [
        document
        for made in runs
        for document in call(client, tenant, "GET", f"/billing-runs/{made['id']}/documents")
    ]
    return sorted(issued, key=lambda d: (d["type"], int(d["number"].rsplit(" ", 1)[-1])))


def test_catch_up_on_the_test_clock_with_plan_changes_and_terminations(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    freeze(client, tenant, "2026-05-01")
    customers = [setup(client, tenant)] + [customer(client, tenant) for _ in range(2)]
    call(client, tenant, "POST", "/options", PRO, status=201)
    call(client, tenant, "POST", "/plans", PREMIUM, status=201)
    seats = {
        **PREMIUM,
        "code": "SEATS",
        "name": "Seats",
        "items": [
            {
                "option": "BASE",
                "quantity": "2",
                "price": {"model": "PER_UNIT", "unitPrice": "10.00"},
            }
        ],
    }
    call(client, tenant, "POST", "/plans", seats, status=201)
    large = contract(client, tenant, customers[0], "2026-05-01")
    small = contract(client, tenant, customers[1], "2026-05-01", plan="SEATS")
    ended = contract(client, tenant, customers[2], "2026-05-01")
    for made in (large, small, ended):
        activate(client, tenant, made)
    call(client, tenant, "PUT", "/tenant-config/billing", {"scheduledRuns": True})
    call(client, tenant, "POST", "/test-clock/advance", {"days": 40})  # to 2026-06-10
    big = {"date": "2026-06-16", "plan": "PREMIUM"}
    call(client, tenant, "POST", f"/contracts/{large['id']}/plan-change", big)
    more = {"date": "2026-06-16", "items": [{"option": "BASE", "quantity": "5"}]}
    call(client, tenant, "POST", f"/contracts/{small['id']}/plan-change", more)
    call(client, tenant, "POST", "/test-clock/advance", {"days": 30})  # to 2026-07-10
    path = f"/contracts/{ended['id']}"
    terminated = call(
        client, tenant, "POST", f"{path}/terminate", {"type": "EXTRAORDINARY", "date": "2026-07-20"}
    )
    assert terminated["correction"]["created"] is True
    assert terminated["correction"]["netAmount"] == "10.29"  # 29.00 - round(29.00 x 20/31)
    call(client, tenant, "POST", "/test-clock/advance", {"days": 2})  # to 2026-07-12
    call(client, tenant, "POST", f"{path}/revoke-termination")
    call(client, tenant, "POST", "/test-clock/advance", {"days": 20})  # to 2026-08-01
    issued = run_documents(client, tenant)
    invoices = [d for d in issued if d["type"] == "INVOICE"]
    numbers = [int(d["number"].rsplit(" ", 1)[-1]) for d in invoices]
    assert numbers == list(range(1, 16))
    dates = [d["date"] for d in invoices]
    assert dates == sorted(dates)  # numbered in date order
    by_customer = {
        index: [
            (d["type"], d["date"], d["netAmount"], d["taxAmount"], lines_of(d))
            for d in issued
            if d["customer"] == customer_id
        ]
        for index, customer_id in enumerate(customers)
    }
    month = {
        "05": ("2026-05-01", "2026-05-31"),
        "06": ("2026-06-01", "2026-06-30"),
        "07": ("2026-07-01", "2026-07-31"),
        "08": ("2026-08-01", "2026-08-31"),
    }
    rest = ("2026-06-16", "2026-06-30")

    def invoice(day: str, option: str, period: tuple[str, str], net: str, tax: str) -> Any:
        return ("INVOICE", day, net, tax, [(option, *period, net)])

    # the large change: June's last 15 of 30 days of START credited at once (a credit is due
    # when it is known, charges.py), PREMIUM charged from its first day: 49.00 x 15/30
    assert by_customer[0] == [
        ("CREDIT_NOTE", "2026-06-11", "14.50", "2.76", [("BASE", *rest, "14.50")]),
        invoice("2026-05-01", "BASE", month["05"], "29.00", "5.51"),
        invoice("2026-06-01", "BASE", month["06"], "29.00", "5.51"),
        invoice("2026-06-16", "PRO", rest, "24.50", "4.66"),
        invoice("2026-07-01", "PRO", month["07"], "49.00", "9.31"),
        invoice("2026-08-01", "PRO", month["08"], "49.00", "9.31"),
    ]
    # the small change: 2 seats credited for the rest of June, 5 seats charged (x 15/30)
    assert by_customer[1] == [
        ("CREDIT_NOTE", "2026-06-11", "10.00", "1.90", [("BASE", *rest, "10.00")]),
        invoice("2026-05-01", "BASE", month["05"], "20.00", "3.80"),
        invoice("2026-06-01", "BASE", month["06"], "20.00", "3.80"),
        invoice("2026-06-16", "BASE", rest, "25.00", "4.75"),
        invoice("2026-07-01", "BASE", month["07"], "50.00", "9.50"),
        invoice("2026-08-01", "BASE", month["08"], "50.00", "9.50"),
    ]
    # terminated on 07-20 (credit note of 07-21..07-31 at once, outside any run), revoked:
    # the next run charges the credited days again
    assert by_customer[2] == [
        invoice("2026-05-01", "BASE", month["05"], "29.00", "5.51"),
        invoice("2026-06-01", "BASE", month["06"], "29.00", "5.51"),
        invoice("2026-07-01", "BASE", month["07"], "29.00", "5.51"),
        invoice("2026-07-21", "BASE", ("2026-07-21", "2026-07-31"), "10.29", "1.96"),
        invoice("2026-08-01", "BASE", month["08"], "29.00", "5.51"),
    ]
    credits = [
        (r.number, r.doc_date.isoformat(), str(r.net))
        for r in documents(db, tenant)
        if r.doc_type == "CREDIT_MEMO"
    ]
    assert credits[-1] == ("TEST-G 2026 3", "2026-07-10", "10.2900")
    assert len(credits) == 3
    runs = call(client, tenant, "GET", "/billing-runs?limit=100")
    assert all(r["scheduled"] and r["status"] == "COMPLETED" for r in runs["items"])
