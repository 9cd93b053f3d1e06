"""Contracts under /v2/contracts (spec/billing-api.md "Contract"; subscriptions issue): the
lifecycle paths with exact dates and amounts on the test clock, the spec's worked examples
through the preview, bad input as 4xx naming the field with nothing written, audit entries and
outbox events, lists, tenant isolation and scopes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import audit_entries, contract_items, contracts, outbox_events
from tests.api.test_v2_catalogue import BASE, call, start_plan
from tests.conftest import TenantFixture

MONTHLY_NO_RENEWAL = {
    "minimumTerm": {"unit": "MONTH", "count": 12},
    "renewalTerm": {"unit": "MONTH", "count": 0},
    "noticePeriod": {"unit": "MONTH", "count": 1},
}


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


def freeze(client: TestClient, tenant: TenantFixture, day: str) -> None:
    at = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC).isoformat()
    call(client, tenant, "PUT", "/test-clock", {"frozenAt": at})


def customer(client: TestClient, tenant: TenantFixture) -> str:
    response = client.post(
        "/api/1.1/customers",
        json={"companyName": "Muster GmbH", "customerNumber": f"K-{uuid.uuid4().hex[:6]}"},
        headers=tenant.headers,
    )
    assert response.status_code in (200, 201), response.text
    return str(response.json()["id"])


def setup(client: TestClient, tenant: TenantFixture, **plan: Any) -> str:
    call(client, tenant, "POST", "/options", BASE, status=201)
    call(client, tenant, "POST", "/plans", start_plan(**plan), status=201)
    return customer(client, tenant)


def contract(
    client: TestClient, tenant: TenantFixture, customer_id: str, start: str, **extra: Any
) -> dict[str, Any]:
    body = {"customer": customer_id, "plan": "START", "startDate": start, **extra}
    return call(client, tenant, "POST", "/contracts", body, status=201)  # type: ignore[no-any-return]


def test_example_1_service_cycle_aligned_to_the_month(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-05-15")
    made = contract(client, tenant, setup(client, tenant), "2026-05-15")
    assert (made["status"], made["contractNumber"]) == ("DRAFT", "1000")
    assert made["items"][0]["option"] == "BASE"
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    moved = call(
        client,
        tenant,
        "POST",
        f"/contracts/{made['id']}/service-cycle",
        {"nextPeriodStart": "2026-06-01", "invoiceText": "Umstellung auf Monatsanfang"},
    )
    assert moved["currentPeriod"] == {"from": "2026-05-15", "to": "2026-05-31"}
    preview = call(client, tenant, "GET", f"/contracts/{made['id']}/preview?until=2026-06-30")
    first, second = preview["documents"]
    assert (first["type"], first["date"]) == ("INVOICE", "2026-05-15")
    (line,) = first["lines"]
    assert line["servicePeriod"] == {"from": "2026-05-15", "to": "2026-05-31"}
    assert line["explanation"]["prorationFactor"] == "17/31"
    assert (first["netAmount"], first["taxAmount"], first["totalAmount"]) == (
        "15.90",
        "3.02",
        "18.92",
    )
    assert second["date"] == "2026-06-01"
    assert second["lines"][0]["servicePeriod"] == {"from": "2026-06-01", "to": "2026-06-30"}
    assert (second["netAmount"], second["taxAmount"], second["totalAmount"]) == (
        "29.00",
        "5.51",
        "34.51",
    )


def test_example_4_no_renewal_no_charge_in_month_13_and_still_active(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-01-01")
    made = contract(client, tenant, setup(client, tenant, **MONTHLY_NO_RENEWAL), "2026-01-01")
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    freeze(client, tenant, "2026-01-01")
    documents = call(client, tenant, "GET", f"/contracts/{made['id']}/preview?until=2027-03-31")
    dates = [d["date"] for d in documents["documents"]]
    assert dates == [f"2026-{month:02d}-01" for month in range(1, 13)]
    freeze(client, tenant, "2027-01-15")
    later = call(client, tenant, "GET", f"/contracts/{made['id']}")
    assert (later["status"], later["chargedUntil"], later["currentPeriod"]) == (
        "ACTIVE",
        "2026-12-31",
        None,
    )


def test_extraordinary_termination_and_its_revocation(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-03-05")
    made = contract(client, tenant, setup(client, tenant), "2026-01-01")
    path = f"/contracts/{made['id']}"
    call(client, tenant, "POST", f"{path}/activate")
    dry = call(
        client,
        tenant,
        "POST",
        f"{path}/terminate",
        {"type": "EXTRAORDINARY", "date": "2026-03-10", "dryRun": True},
    )
    assert (dry["endDate"], dry["dryRun"], dry["contract"]["status"]) == (
        "2026-03-10",
        True,
        "TERMINATED",
    )
    assert call(client, tenant, "GET", path)["status"] == "ACTIVE"  # a dry run writes nothing
    done = call(
        client, tenant, "POST", f"{path}/terminate", {"type": "EXTRAORDINARY", "date": "2026-03-10"}
    )
    assert done["correction"] == {
        "wouldCreate": False,  # nothing is billed before the billing runs exist
        "suppressed": False,
        "created": False,
        "netAmount": "0.00",
        "documentId": None,
    }
    assert done["contract"]["endDate"] == "2026-03-10"
    preview = call(client, tenant, "GET", f"{path}/preview?until=2026-12-31")
    last = preview["documents"][-1]["lines"][-1]
    assert last["servicePeriod"] == {"from": "2026-03-01", "to": "2026-03-10"}
    assert (last["netAmount"], last["explanation"]["prorationFactor"]) == ("9.35", "10/31")
    revoked = call(client, tenant, "POST", f"{path}/revoke-termination")
    assert (revoked["status"], revoked["endDate"]) == ("ACTIVE", None)


def test_ordinary_termination_ends_at_the_earliest_end(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-11-05")
    made = contract(client, tenant, setup(client, tenant, **MONTHLY_NO_RENEWAL), "2026-01-01")
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    assert call(client, tenant, "GET", f"/contracts/{made['id']}")["earliestEnd"] == "2026-12-31"
    done = call(client, tenant, "POST", f"/contracts/{made['id']}/terminate", {"type": "ORDINARY"})
    assert done["endDate"] == "2026-12-31"


def test_bad_input_names_the_field_and_writes_nothing(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    freeze(client, tenant, "2026-03-05")
    customer_id = setup(client, tenant)
    made = contract(client, tenant, customer_id, "2026-01-01")
    path = f"/contracts/{made['id']}"
    before = counts(db, tenant)
    cases = [
        (
            "POST",
            "/contracts",
            {"customer": customer_id, "plan": "NOPE", "startDate": "2026-01-01"},
            400,
            "plan",
        ),
        (
            "POST",
            "/contracts",
            {"customer": str(uuid.uuid4()), "plan": "START", "startDate": "2026-01-01"},
            400,
            "customer",
        ),
        (
            "POST",
            "/contracts",
            {
                "customer": customer_id,
                "plan": "START",
                "startDate": "2026-01-01",
                "items": [{"option": "BASE", "quantity": "-1"}],
            },
            400,
            "items[0].quantity",
        ),
        (
            "POST",
            "/contracts",
            {
                "customer": customer_id,
                "plan": "START",
                "startDate": "2026-01-01",
                "contractNumber": made["contractNumber"],
            },
            409,
            "contractNumber",
        ),
        (
            "POST",
            "/contracts",
            {
                "customer": customer_id,
                "plan": "START",
                "startDate": "2026-01-01",
                "items": [{"option": "BASE", "specialPrice": {"model": "FLAT", "amount": "-5"}}],
            },
            400,
            "items[0].specialPrice.amount",
        ),
        (
            "PATCH",
            path,
            {
                "items": [
                    {"id": str(uuid.uuid4()), "specialPrice": {"model": "FLAT", "amount": "5"}}
                ]
            },
            400,
            "items[0].id",
        ),
        (
            "POST",
            f"{path}/terminate",
            {"type": "EXTRAORDINARY", "date": "2026-03-10"},
            409,
            "status",
        ),
        ("POST", f"{path}/revoke-termination", None, 409, "status"),
    ]
    for method, url, body, status, field in cases:
        response = client.request(method, f"/v2{url}", json=body, headers=tenant.headers)
        assert response.status_code == status, (url, response.text)
        assert field in str(response.json()), (field, response.json())
    assert counts(db, tenant) == before
    call(client, tenant, "POST", f"{path}/activate")
    after_activation = counts(db, tenant)
    for body, field in (
        ({"type": "EXTRAORDINARY", "date": "2025-12-31"}, "date"),
        ({"type": "EXTRAORDINARY"}, "date"),
    ):
        response = client.post(f"/v2{path}/terminate", json=body, headers=tenant.headers)
        assert response.status_code == 400 and field in response.text, response.text
    response = client.delete(f"/v2{path}", headers=tenant.headers)
    assert response.status_code == 409 and "status" in response.text
    assert counts(db, tenant) == after_activation


def counts(db: Database, tenant: TenantFixture) -> tuple[int, ...]:
    with db.reader() as session:
        return tuple(
            session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == tenant.id)
            ).scalar_one()
            for table in (contracts, contract_items, audit_entries, outbox_events)
        )


def test_plan_change_in_place_and_pause(client: TestClient, tenant: TenantFixture) -> None:
    freeze(client, tenant, "2026-03-01")
    per_unit = {"option": "BASE", "price": {"model": "PER_UNIT", "unitPrice": "29.00"}}
    made = contract(client, tenant, setup(client, tenant, items=[per_unit]), "2026-03-01")
    path = f"/contracts/{made['id']}"
    call(client, tenant, "POST", f"{path}/activate")
    changed = call(
        client,
        tenant,
        "POST",
        f"{path}/plan-change",
        {"date": "2026-03-16", "items": [{"option": "BASE", "quantity": "3"}]},
    )
    versions = [(i["quantity"], i["servedFrom"], i["servedTo"]) for i in changed["items"]]
    assert versions == [("1.000000", "2026-03-01", "2026-03-15"), ("3.000000", "2026-03-16", None)]
    march = call(client, tenant, "GET", f"{path}/preview?until=2026-03-31")["documents"]
    nets = [line["netAmount"] for d in march for line in d["lines"]]
    assert nets == ["14.03", "44.90"]  # round(29 x 15/31) and 87 - round(87 x 15/31)
    prices = call(client, tenant, "GET", f"{path}/prices?at=2026-04-01")
    assert prices["periodNetAmount"] == "87.00"
    paused = call(client, tenant, "POST", f"{path}/pause", {"from": "2026-04-01"})
    assert paused["pauses"] == [{"from": "2026-04-01", "to": None}]
    april = call(client, tenant, "GET", f"{path}/preview?until=2026-04-30")["documents"]
    assert [d["date"] for d in april] == ["2026-03-01", "2026-03-16"]


def test_events_audit_list_isolation_and_scopes(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture, db: Database
) -> None:
    freeze(client, tenant, "2026-05-15")
    made = contract(client, tenant, setup(client, tenant), "2026-05-15", internalIdentifier="CRM-7")
    call(
        client,
        tenant,
        "PATCH",
        f"/contracts/{made['id']}",
        {"invoiceRecipientEmail": "ap@example.com"},
    )
    with db.reader() as session:
        topics = session.execute(
            select(outbox_events.c.topic, outbox_events.c.payload).where(
                outbox_events.c.tenant_id == tenant.id, outbox_events.c.topic.like("contract.%")
            )
        ).all()
    assert sorted(t.topic for t in topics) == ["contract.created", "contract.updated"]
    (updated,) = [t.payload for t in topics if t.topic == "contract.updated"]
    assert updated["oldContract"]["invoice_recipient_email"] is None
    assert updated["contract"]["invoice_recipient_email"] == "ap@example.com"
    trail = call(client, tenant, "GET", "/audit-trail?search=entityType==Contract")
    assert len(trail["items"]) == 2
    listed = call(client, tenant, "GET", "/contracts?search=internalIdentifier==CRM-7")
    assert [c["firstItems"] for c in listed["items"]] == [["BASE"]]
    csv_text = client.get("/v2/contracts?format=csv", headers=tenant.headers).text
    assert made["contractNumber"] in csv_text
    assert (
        client.get(f"/v2/contracts/{made['id']}", headers=other_tenant.headers).status_code == 404
    )


def test_advancing_the_clock_ends_a_terminated_contract(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-03-05")
    made = contract(client, tenant, setup(client, tenant), "2026-01-01")
    path = f"/contracts/{made['id']}"
    call(client, tenant, "POST", f"{path}/activate")
    call(
        client, tenant, "POST", f"{path}/terminate", {"type": "EXTRAORDINARY", "date": "2026-03-10"}
    )
    call(client, tenant, "POST", "/test-clock/advance", {"days": 5})  # 03-10: last day of service
    assert call(client, tenant, "GET", path)["status"] == "TERMINATED"
    call(client, tenant, "POST", "/test-clock/advance", {"days": 1})
    assert call(client, tenant, "GET", path)["status"] == "ENDED"
    refused = client.post(f"/v2{path}/revoke-termination", headers=tenant.headers)
    assert refused.status_code == 409 and "ENDED" in refused.text


def test_items_filter_by_status_option_name_and_text(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-03-01")
    made = contract(
        client,
        tenant,
        setup(client, tenant),
        "2026-03-01",
        items=[{"option": "BASE", "additionalText": "Standort Graz", "status": "ON_HOLD"}],
    )
    path = f"/contracts/{made['id']}/items"
    for search in ("status==ON_HOLD", "option==BASE", "name=='Base fee'", "additionalText==*Graz*"):
        found = call(client, tenant, "GET", f"{path}?search={search}")
        assert [i["option"] for i in found["items"]] == ["BASE"], search
    assert call(client, tenant, "GET", f"{path}?search=status==ACTIVE")["items"] == []
    held = call(client, tenant, "GET", f"/contracts/{made['id']}/preview?until=2026-03-31")
    assert held["documents"] == []  # a held item is not charged
    assert client.get(f"/v2{path}", headers=other_tenant.headers).status_code == 404


def test_termination_after_the_end_is_refused(client: TestClient, tenant: TenantFixture) -> None:
    freeze(client, tenant, "2026-03-05")
    made = contract(client, tenant, setup(client, tenant, **MONTHLY_NO_RENEWAL), "2026-01-01")
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    response = client.post(
        f"/v2/contracts/{made['id']}/terminate",
        json={"type": "EXTRAORDINARY", "date": "2027-02-01"},
        headers=tenant.headers,
    )
    assert response.status_code == 400 and "2026-12-31" in response.text, response.text


def test_the_trial_phase_is_not_charged(client: TestClient, tenant: TenantFixture) -> None:
    freeze(client, tenant, "2026-05-15")
    trial = {
        "phases": [
            {"type": "TRIAL", "duration": {"unit": "DAY", "count": 14}},
            {"type": "EVERGREEN"},
        ]
    }
    made = contract(client, tenant, setup(client, tenant, **trial), "2026-05-15")
    assert made["trialEnd"] == "2026-05-28"
    call(client, tenant, "POST", f"/contracts/{made['id']}/activate")
    first = call(client, tenant, "GET", f"/contracts/{made['id']}/preview?until=2026-06-14")
    (line,) = first["documents"][0]["lines"]
    assert line["servicePeriod"] == {"from": "2026-05-29", "to": "2026-06-14"}
    assert (line["explanation"]["prorationFactor"], line["netAmount"]) == ("17/31", "15.90")
    assert first["documents"][0]["date"] == "2026-05-29"


def test_a_plan_in_use_cannot_be_deleted(client: TestClient, tenant: TenantFixture) -> None:
    freeze(client, tenant, "2026-03-01")
    contract(client, tenant, setup(client, tenant), "2026-03-01")
    refused = client.delete("/v2/plans/START", headers=tenant.headers)
    assert refused.status_code == 409 and "code" in refused.text, refused.text
    assert call(client, tenant, "GET", "/plans/START")["code"] == "START"


def test_a_billing_api_customer_through_the_lifecycle_keeps_the_audit_chain(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-05-15")
    setup(client, tenant)
    body = {"type": "B2C", "firstName": "Eva", "lastName": "Muster", "country": "DE"}
    person = call(client, tenant, "POST", "/customers", body, status=201)
    made = contract(client, tenant, person["id"], "2026-05-15")
    path = f"/contracts/{made['id']}"
    call(client, tenant, "POST", f"{path}/activate")
    call(client, tenant, "POST", f"{path}/service-cycle", {"nextPeriodStart": "2026-06-01"})
    call(client, tenant, "POST", f"{path}/pause", {"from": "2026-08-01", "to": "2026-08-31"})
    call(client, tenant, "POST", f"{path}/terminate", {"type": "ORDINARY"})
    call(client, tenant, "POST", f"{path}/revoke-termination")
    listed = call(client, tenant, "GET", f"/contracts?search=customer=={person['id']}")
    assert [c["customerNumber"] for c in listed["items"]] == [person["customerNumber"]]
    preview = call(client, tenant, "GET", f"{path}/preview?until=2026-09-30")["documents"]
    assert [d["date"] for d in preview] == [
        "2026-05-15",
        "2026-06-01",
        "2026-07-01",
        "2026-09-01",
    ]  # August is paused
    assert call(client, tenant, "GET", "/audit-trail/verification")["intact"] is True
