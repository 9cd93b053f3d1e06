"""Metered usage across a year end on the test clock (issue 14 acceptance; spec/billing-api.md
"Order of evaluation for usage", tax per VAT group; seeds 000/001 late usage): a monthly
time-based option (the cap, a pricing group's maxQuantity, is for time-based usage, seed 000)
with a free quota of 100 hours and a cap of 1,000 billed for November 2026 to January 2027,
December's usage passing the cap only with usage for December recorded late, in January, and
handled by CORRECTION (credit note and new invoice at once) or CARRY_OVER (both on February's
invoice). Every amount is worked out here from the spec's rules, not read back; the scenario
ends with the tenant's invariants (billing_invariants.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from beleg.db.database import Database
from tests.api.test_v2_catalogue import BASE, CPU_HOURS, call
from tests.api.test_v2_contracts import customer, freeze
from tests.conftest import TenantFixture
from tests.scenarios.billing_invariants import assert_billing_invariants

BASE_FEE = Decimal("10.00")  # FLAT, monthly in advance
UNIT_PRICE = Decimal("0.05")  # CPU_HOURS, PER_UNIT, in arrears
FREE_QUOTA = Decimal(100)
CAP = Decimal(1000)  # the STANDARD pricing group's maxQuantity of CPU_HOURS
VAT = Decimal("0.19")
CENT = Decimal("0.01")
METERED = {
    "code": "METERED",
    "name": "Metered",
    "currency": "EUR",
    "billingInterval": {"unit": "MONTH", "count": 1},
    "billingTiming": "IN_ADVANCE",
    "pricingGroups": [{"code": "STANDARD", "maxQuantity": {"CPU_HOURS": str(CAP)}}],
    "items": [
        {"option": "BASE", "price": {"model": "FLAT", "amount": str(BASE_FEE)}},
        {
            "option": "CPU_HOURS",
            "price": {"model": "PER_UNIT", "unitPrice": str(UNIT_PRICE)},
            "freeQuota": str(FREE_QUOTA),
        },
    ],
}
MONTHS = {
    "2026-11": ("2026-11-01", "2026-11-30"),
    "2026-12": ("2026-12-01", "2026-12-31"),
    "2027-01": ("2027-01-01", "2027-01-31"),
    "2027-02": ("2027-02-01", "2027-02-28"),
}


@pytest.fixture
def tenant(billing_tenant: TenantFixture, db: Database) -> Iterator[TenantFixture]:
    yield billing_tenant
    assert_billing_invariants(db, billing_tenant.id)


def billable(used: int) -> Decimal:
    """The spec's order: the free quota off first (not below 0), then the cap."""
    return min(max(Decimal(used) - FREE_QUOTA, Decimal(0)), CAP)


def usage_net(used: int) -> Decimal:
    return (billable(used) * UNIT_PRICE).quantize(CENT, ROUND_HALF_UP)


def tax(net: Decimal) -> Decimal:
    """One VAT group (19 %): round(net x rate), half up."""
    return (net * VAT).quantize(CENT, ROUND_HALF_UP)


def line(option: str, month: str, quantity: Decimal, net: Decimal) -> tuple[str, ...]:
    return (option, *MONTHS[month], f"{quantity.normalize():f}", f"{net:.2f}")


def base(month: str) -> tuple[str, ...]:
    return line("BASE", month, Decimal(1), BASE_FEE)


def calls(month: str, used: int, *, credit: bool = False) -> tuple[str, ...]:
    net = -usage_net(used) if credit else usage_net(used)
    return line("CPU_HOURS", month, billable(used), net)


def document(kind: str, day: str, *lines: tuple[str, ...]) -> tuple[Any, ...]:
    """A document as (type, date, net, tax, total, lines); a credit note's lines and amounts
    are shown positive, a carried-over credit is a negative line."""
    signed = sum((Decimal(item[-1]) for item in lines), Decimal(0))
    net = abs(signed) if kind == "CREDIT_NOTE" else signed
    return (kind, day, f"{net:.2f}", f"{tax(net):.2f}", f"{net + tax(net):.2f}", sorted(lines))


def shown(issued: dict[str, Any]) -> tuple[Any, ...]:
    lines = [
        (
            item["option"],
            item["servicePeriod"]["from"],
            item["servicePeriod"]["to"],
            item["quantity"],
            item["netAmount"],
        )
        for item in issued["lines"]
    ]
    return (
        issued["type"],
        issued["date"],
        issued["netAmount"],
        issued["taxAmount"],
        issued["totalAmount"],
        sorted(lines),
    )


def record(
    client: TestClient, tenant: TenantFixture, contract: str, start: str, hours: int
) -> None:
    """Time-based usage of ``hours`` hours from ``start`` (local time, CET)."""
    begin = datetime.fromisoformat(f"{start}+01:00")
    event = {
        "id": f"cpu-{start}-{hours}",
        "contract": contract,
        "option": "CPU_HOURS",
        "start": begin.isoformat(),
        "end": (begin + timedelta(hours=hours)).isoformat(),
    }
    assert call(client, tenant, "POST", "/usages", event)["accepted"] == 1


def run(client: TestClient, tenant: TenantFixture, day: str) -> list[tuple[Any, ...]]:
    freeze(client, tenant, day)
    done = call(client, tenant, "POST", "/billing-runs", {"asOf": day}, status=201)
    assert (done["status"], done["failures"]) == ("COMPLETED", [])
    issued = call(client, tenant, "GET", f"/billing-runs/{done['id']}/documents")
    return sorted(shown(d) for d in issued)


def numbers(client: TestClient, tenant: TenantFixture) -> list[tuple[str, str]]:
    runs = call(client, tenant, "GET", "/billing-runs?limit=100")["items"]
    return sorted(
        (d["type"], d["number"])
        for made in runs
        for d in call(client, tenant, "GET", f"/billing-runs/{made['id']}/documents")
    )


def usage_explained(client: TestClient, tenant: TenantFixture) -> list[tuple[str, ...]]:
    """(month, aggregated, free quota, billable) of every CPU_HOURS line the runs charged."""
    runs = call(client, tenant, "GET", "/billing-runs?limit=100")["items"]
    return sorted(
        (
            item["servicePeriod"]["from"][:7],
            item["explanation"]["aggregatedQuantity"],
            item["explanation"]["freeQuota"],
            item["explanation"]["cappedQuantity"],
        )
        for made in runs
        for d in call(client, tenant, "GET", f"/billing-runs/{made['id']}/documents")
        if d["type"] == "INVOICE"
        for item in d["lines"]
        if item["option"] == "CPU_HOURS" and not item["netAmount"].startswith("-")
    )


@pytest.mark.parametrize("handling", ["CORRECTION", "CARRY_OVER"])
def test_free_quota_then_cap_and_late_usage_across_the_year_end(
    client: TestClient, tenant: TenantFixture, handling: str
) -> None:
    group = {"code": "USAGE", "lateUsageHandling": handling}
    call(client, tenant, "POST", "/billing-groups", group, status=201)
    for option in (BASE, CPU_HOURS):
        call(client, tenant, "POST", "/options", option, status=201)
    call(client, tenant, "POST", "/plans", METERED, status=201)
    freeze(client, tenant, "2026-11-01")
    body = {
        "customer": customer(client, tenant),
        "plan": "METERED",
        "startDate": "2026-11-01",
        "pricingGroup": "STANDARD",
        "billingGroup": "USAGE",
    }
    contract = call(client, tenant, "POST", "/contracts", body, status=201)["id"]
    call(client, tenant, "POST", f"/contracts/{contract}/activate")
    assert run(client, tenant, "2026-11-01") == [document("INVOICE", "2026-11-01", base("2026-11"))]

    freeze(client, tenant, "2026-11-30")
    record(client, tenant, contract, "2026-11-02T00:00", 250)
    record(client, tenant, contract, "2026-11-13T00:00", 350)  # 600: 500 above the quota
    december = run(client, tenant, "2026-12-01")
    assert december == [document("INVOICE", "2026-12-01", base("2026-12"), calls("2026-11", 600))]
    assert december[0][2:5] == ("35.00", "6.65", "41.65")

    freeze(client, tenant, "2026-12-31")
    record(client, tenant, contract, "2026-12-01T00:00", 400)
    record(client, tenant, contract, "2026-12-02T00:00", 500)  # 900: 800 billable
    assert run(client, tenant, "2027-01-01") == [
        document("INVOICE", "2027-01-01", base("2027-01"), calls("2026-12", 900))
    ]

    freeze(client, tenant, "2027-01-10")
    record(client, tenant, contract, "2026-12-04T00:00", 350)  # late: December now 1,600
    record(client, tenant, contract, "2026-12-05T00:00", 350)  # 1,500 after the quota: capped
    assert (usage_net(900), usage_net(1600), billable(1600)) == (
        Decimal("40.00"),
        Decimal("50.00"),
        CAP,
    )
    late = run(client, tenant, "2027-01-10")

    freeze(client, tenant, "2027-01-31")
    record(client, tenant, contract, "2027-01-01T00:00", 600)
    record(client, tenant, contract, "2027-01-02T00:00", 450)  # 1,050: 950 after the quota
    february = run(client, tenant, "2027-02-01")
    regular = (base("2027-02"), calls("2027-01", 1050))
    if handling == "CORRECTION":
        assert late == [
            document("CREDIT_NOTE", "2027-01-10", calls("2026-12", 900)),
            document("INVOICE", "2027-01-10", calls("2026-12", 1600)),
        ]
        assert late[0][2:5] == ("40.00", "7.60", "47.60")
        assert february == [document("INVOICE", "2027-02-01", *regular)]
        assert february[0][2:5] == ("57.50", "10.93", "68.43")  # 10.925 rounded half up
    else:
        assert late == []  # waits for the next regular invoice: February's
        carried = (calls("2026-12", 900, credit=True), calls("2026-12", 1600))
        assert february == [document("INVOICE", "2027-02-01", *regular, *carried)]
        assert february[0][2:5] == ("67.50", "12.83", "80.33")  # 12.825 rounded half up
    # free quota first, then the cap: 1,600 -> 1,500 -> 1,000; 1,050 -> 950 (not capped)
    assert usage_explained(client, tenant) == [
        ("2026-11", "600", "100", "500"),
        ("2026-12", "1600", "100", "1000"),
        ("2026-12", "900", "100", "800"),
        ("2027-01", "1050", "100", "950"),
    ]
    invoices_2027 = 3 if handling == "CORRECTION" else 2
    # the invoice numbers (R) start again at 1 in 2027, by document date; credit notes are G
    expected = [("INVOICE", f"TEST-R 2026 {n}") for n in (1, 2)]
    expected += [("INVOICE", f"TEST-R 2027 {n}") for n in range(1, invoices_2027 + 1)]
    if handling == "CORRECTION":
        expected.append(("CREDIT_NOTE", "TEST-G 2027 1"))
    assert numbers(client, tenant) == sorted(expected)
