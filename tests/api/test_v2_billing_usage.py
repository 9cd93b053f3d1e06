"""Usage through billing runs (spec worked examples 2 and 3; seed 000 late usage): recorded
events become the run's usage lines with their explanation; usage arriving for a billed month
is corrected at once (CORRECTION) or carried onto the next invoice (CARRY_OVER)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_v2_catalogue import API_CALLS, CPU_HOURS, call, usage_plan
from tests.api.test_v2_contracts import customer, freeze
from tests.conftest import TenantFixture


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


def cloud_contract(client: TestClient, tenant: TenantFixture, **extra: Any) -> str:
    freeze(client, tenant, "2026-05-01")
    for option in (API_CALLS, CPU_HOURS):
        call(client, tenant, "POST", "/options", option, status=201)
    plan = usage_plan(phases=[{"type": "EVERGREEN"}])
    call(client, tenant, "POST", "/plans", plan, status=201)
    body = {"customer": customer(client, tenant), "plan": "CLOUD", "startDate": "2026-05-01"}
    made = call(client, tenant, "POST", "/contracts", {**body, **extra}, status=201)
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    return str(made["id"])


def calls(contract: str, event_id: str, quantity: str, day: str = "2026-05-10") -> dict[str, Any]:
    return {
        "id": event_id,
        "contract": contract,
        "option": "API_CALLS",
        "quantity": quantity,
        "timestamp": f"{day}T12:00:00+02:00",
    }


def run_documents(client: TestClient, tenant: TenantFixture, as_of: str) -> list[Any]:
    run = call(client, tenant, "POST", "/billing-runs", {"asOf": as_of}, status=201)
    assert run["contracts"]["failed"] == 0, run["failures"]
    return call(client, tenant, "GET", f"/billing-runs/{run['id']}/documents")  # type: ignore[no-any-return]


def test_examples_2_and_3_graduated_usage_and_a_capped_time_based_option(
    client: TestClient, tenant: TenantFixture
) -> None:
    contract = cloud_contract(client, tenant, pricingGroup="STANDARD")
    events = [calls(contract, f"c-{n}", "2500") for n in range(5)]  # 12,500 calls in May
    hours = {
        "id": "cpu-1",
        "contract": contract,
        "option": "CPU_HOURS",
        "start": "2026-05-02T00:00:00+02:00",
        "end": "2026-06-08T12:00:00+02:00",  # 900 hours from 2 May
    }
    call(client, tenant, "POST", "/usages/batch", {"events": [*events, hours]})
    freeze(client, tenant, "2026-06-01")
    preview = call(client, tenant, "GET", f"/contracts/{contract}/preview?until=2026-06-01")
    (document,) = run_documents(client, tenant, "2026-06-01")
    api, cpu = sorted(document["lines"], key=lambda line: line["option"])
    assert (api["quantity"], api["netAmount"]) == ("12000", "92.00")
    assert api["explanation"]["aggregatedQuantity"] == "12500"
    assert api["explanation"]["freeQuota"] == "500"
    assert (cpu["quantity"], cpu["netAmount"]) == ("600", "30.00")
    assert document["netAmount"] == preview["documents"][0]["netAmount"] == "122.00"


@pytest.mark.parametrize("handling", ["CORRECTION", "CARRY_OVER"])
def test_late_usage_is_corrected_or_carried_over(
    client: TestClient, tenant: TenantFixture, handling: str
) -> None:
    call(
        client,
        tenant,
        "POST",
        "/billing-groups",
        {"code": "G", "lateUsageHandling": handling},
        status=201,
    )
    contract = cloud_contract(client, tenant, billingGroup="G")
    call(client, tenant, "POST", "/usages", calls(contract, "may-1", "1500"))
    freeze(client, tenant, "2026-06-01")
    (may,) = run_documents(client, tenant, "2026-06-01")
    assert may["netAmount"] == "10.00"  # 1,000 above the free quota at 0.010
    freeze(client, tenant, "2026-06-10")
    call(client, tenant, "POST", "/usages", calls(contract, "may-late", "1000", "2026-05-20"))
    late = run_documents(client, tenant, "2026-06-10")
    if handling == "CORRECTION":
        credit, invoice = sorted(late, key=lambda d: d["type"])
        assert (credit["type"], credit["netAmount"]) == ("CREDIT_NOTE", "10.00")
        assert (invoice["type"], invoice["netAmount"]) == ("INVOICE", "18.00")  # 2,000 billable
        assert run_documents(client, tenant, "2026-06-10") == []
        return
    assert late == []  # waits for the next regular invoice
    freeze(client, tenant, "2026-07-01")
    call(client, tenant, "POST", "/usages", calls(contract, "june-1", "600", "2026-06-15"))
    (july,) = run_documents(client, tenant, "2026-07-01")
    nets = sorted(line["netAmount"] for line in july["lines"])
    assert nets == ["-10.00", "1.00", "18.00"]  # May credited and re-billed, June's usage
    assert july["netAmount"] == "9.00"


def test_usage_within_the_free_quota_alone_issues_no_document_and_fails_nothing(
    client: TestClient, tenant: TenantFixture
) -> None:
    """A document of 0.00 lines only would book nothing (a journal needs amounts): it is not
    issued, and late usage above the quota later is billed as a new line."""
    call(
        client,
        tenant,
        "POST",
        "/billing-groups",
        {"code": "G", "lateUsageHandling": "CORRECTION"},
        status=201,
    )
    contract = cloud_contract(client, tenant, billingGroup="G")
    call(client, tenant, "POST", "/usages", calls(contract, "may-1", "400"))
    freeze(client, tenant, "2026-06-01")
    assert run_documents(client, tenant, "2026-06-01") == []  # 400 of 500 free calls
    freeze(client, tenant, "2026-06-10")
    call(client, tenant, "POST", "/usages", calls(contract, "may-late", "1100", "2026-05-20"))
    (invoice,) = run_documents(client, tenant, "2026-06-10")
    assert (invoice["type"], invoice["netAmount"]) == ("INVOICE", "10.00")  # 1,000 billable
    assert run_documents(client, tenant, "2026-06-10") == []
