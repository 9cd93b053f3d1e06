"""Contract changes never rewrite what may have been billed, and every input a contract takes
is checked before it reaches the calculation or a column (a 4xx naming the field)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import audit_entries
from tests.api.test_v2_catalogue import call
from tests.api.test_v2_contract_documents import PDF, upload
from tests.api.test_v2_contracts import contract, freeze, setup
from tests.conftest import TenantFixture


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


def refused(
    client: TestClient, tenant: TenantFixture, method: str, path: str, *, body: Any, field: str
) -> None:
    response = client.request(method, f"/v2{path}", json=body, headers=tenant.headers)
    assert 400 <= response.status_code < 500, response.text
    assert field in response.text, (field, response.text)


def test_inputs_are_checked_before_they_reach_a_column(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-03-01")
    customer_id = setup(client, tenant)
    base = {"customer": customer_id, "plan": "START", "startDate": "2026-03-01"}
    cases = [
        ({"items": [{"option": "BASE", "quantity": "0.0000001"}]}, "items[0].quantity"),
        (
            {"items": [{"option": "BASE", "discountPercent": "12.345678"}]},
            "items[0].discountPercent",
        ),
        (
            {
                "items": [
                    {
                        "option": "BASE",
                        "specialPrice": {
                            "model": "PACKAGE",
                            "packageSize": "1E-999999",
                            "packagePrice": "1",
                        },
                    }
                ]
            },
            "items[0].specialPrice.packageSize",
        ),
        ({"items": [{"option": "BASE", "taxExemption": {"foo": 1}}]}, "items[0].taxExemption"),
        ({"contractNumber": "C" * 51}, "contractNumber"),
        ({"invoiceRecipientEmail": "nobody"}, "invoiceRecipientEmail"),
    ]
    for extra, field in cases:
        refused(client, tenant, "POST", "/contracts", body={**base, **extra}, field=field)
    exempt = {"category": "K", "reason": "Intra-community supply", "vatexCode": "VATEX-EU-IC"}
    made = contract(
        client,
        tenant,
        customer_id,
        "2026-03-01",
        items=[{"option": "BASE", "taxExemption": exempt}],
    )
    assert made["items"][0]["taxExemption"] == exempt
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    (line,) = call(client, tenant, "GET", f"/contracts/{made['id']}/preview?until=2026-03-01")[
        "documents"
    ][0]["lines"]
    assert (line["taxRate"], line["netAmount"]) == ("0", "29.00")


def test_changes_start_today_and_leave_earlier_days_alone(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-03-01")
    made = contract(client, tenant, setup(client, tenant), "2026-01-01")
    path = f"/contracts/{made['id']}"
    call(client, tenant, "POST", f"{path}/activate")
    refused(
        client,
        tenant,
        "POST",
        f"{path}/service-cycle",
        body={"nextPeriodStart": "2026-02-15"},
        field="nextPeriodStart",
    )
    refused(client, tenant, "POST", f"{path}/pause", body={"from": "2026-02-01"}, field="from")
    item = made["items"][0]["id"]
    held = call(client, tenant, "PATCH", path, {"items": [{"id": item, "status": "ON_HOLD"}]})
    versions = [(i["status"], i["servedFrom"], i["servedTo"]) for i in held["items"]]
    assert versions == [("ACTIVE", "2026-01-01", "2026-02-28"), ("ON_HOLD", "2026-03-01", None)]
    preview = call(client, tenant, "GET", f"{path}/preview?until=2026-04-30")["documents"]
    (due,) = preview  # January and February, due today; from March on the item is held
    assert due["date"] == "2026-03-01"
    assert [line["servicePeriod"]["from"] for line in due["lines"]] == ["2026-01-01", "2026-02-01"]
    refused(
        client,
        tenant,
        "PATCH",
        path,
        body={"items": [{"id": item, "discountPercent": "10"}]},
        field="items[0].id",
    )


def test_plan_changes_keep_scheduled_changes_and_refuse_an_option_twice(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-03-01")
    customer_id = setup(client, tenant)
    pro = {"code": "PRO", "name": "Pro fee", "type": "RECURRING", "taxRate": "19"}
    call(client, tenant, "POST", "/options", pro, status=201)
    plan = {
        "code": "PREMIUM",
        "name": "Premium",
        "currency": "EUR",
        "billingInterval": {"unit": "MONTH", "count": 1},
        "billingTiming": "IN_ADVANCE",
        "items": [{"option": "PRO", "price": {"model": "FLAT", "amount": "49.00"}}],
    }
    call(client, tenant, "POST", "/plans", plan, status=201)
    made = contract(client, tenant, customer_id, "2026-03-01")
    path = f"/contracts/{made['id']}"
    call(client, tenant, "POST", f"{path}/activate")
    twice = {
        "date": "2026-03-10",
        "items": [{"option": "BASE", "quantity": "2"}, {"option": "BASE", "quantity": "3"}],
    }
    refused(client, tenant, "POST", f"{path}/plan-change", body=twice, field="items[1].option")
    call(client, tenant, "POST", f"{path}/plan-change", {"date": "2026-05-01", "plan": "PREMIUM"})
    small = {"date": "2026-04-01", "items": [{"option": "BASE", "quantity": "2"}]}
    changed = call(client, tenant, "POST", f"{path}/plan-change", small)
    versions = [
        (i["option"], i["quantity"], i["servedFrom"], i["servedTo"]) for i in changed["items"]
    ]
    assert versions == [
        ("BASE", "1.000000", "2026-03-01", "2026-03-31"),
        ("BASE", "2.000000", "2026-04-01", "2026-04-30"),
        ("PRO", "1.000000", "2026-05-01", None),
    ]


def test_a_contract_past_its_end_cannot_be_revoked_and_its_documents_leave_audited(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    freeze(client, tenant, "2026-03-05")
    made = contract(client, tenant, setup(client, tenant), "2026-01-01")
    path = f"/contracts/{made['id']}"
    call(client, tenant, "POST", f"{path}/activate")
    call(
        client, tenant, "POST", f"{path}/terminate", {"type": "EXTRAORDINARY", "date": "2026-03-01"}
    )
    refused(client, tenant, "POST", f"{path}/revoke-termination", body=None, field="status")
    draft = contract(client, tenant, made["customer"], "2026-04-01")
    document = upload(client, tenant, draft["id"], data=PDF, media="application/pdf", name="a.pdf")
    document_id = document.json()["id"]  # type: ignore[attr-defined]
    assert client.delete(f"/v2/contracts/{draft['id']}", headers=tenant.headers).status_code == 204
    with db.reader() as session:
        actions = session.execute(
            select(audit_entries.c.action).where(
                audit_entries.c.tenant_id == tenant.id,
                audit_entries.c.entity_id == document_id,
            )
        ).scalars()
        assert sorted(actions) == ["CREATE", "DELETE"]
