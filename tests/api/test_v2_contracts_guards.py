"""What the catalogue and the contacts refuse once contracts refer to them: a plan item that
contract item versions hold cannot be removed from the plan, an option's tax class must be one
of the tenant's chart, and a customer with contracts cannot be deleted. Each refusal is a 4xx
naming the field, and nothing is written."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.api.test_v2_catalogue import BASE, call
from tests.api.test_v2_contracts import contract, customer, freeze, setup
from tests.conftest import TenantFixture

EXTRA = {"code": "EXTRA", "name": "Extra seat", "type": "RECURRING", "taxRate": "19"}
BASE_ITEM = {"option": "BASE", "quantity": "1", "price": {"model": "FLAT", "amount": "29.00"}}
EXTRA_ITEM = {"option": "EXTRA", "quantity": "1", "price": {"model": "FLAT", "amount": "5.00"}}


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant


def test_a_plan_item_that_contracts_hold_cannot_be_removed(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-05-15")
    call(client, tenant, "POST", "/options", EXTRA, status=201)
    customer_id = setup(client, tenant, items=[BASE_ITEM, EXTRA_ITEM])
    made = contract(client, tenant, customer_id, "2026-05-15")
    assert sorted(item["option"] for item in made["items"]) == ["BASE", "EXTRA"]
    before = call(client, tenant, "GET", "/plans/START")
    refused = client.patch("/v2/plans/START", json={"items": [BASE_ITEM]}, headers=tenant.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["errors"][0]["field"] == "items"
    assert "EXTRA" in refused.text
    assert call(client, tenant, "GET", "/plans/START") == before
    preview = call(client, tenant, "GET", f"/contracts/{made['id']}/preview?until=2026-06-30")
    assert preview["documents"]


def test_a_plan_item_no_contract_holds_can_be_removed(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-05-15")
    call(client, tenant, "POST", "/options", EXTRA, status=201)
    setup(client, tenant, items=[BASE_ITEM, EXTRA_ITEM])
    changed = call(client, tenant, "PATCH", "/plans/START", {"items": [BASE_ITEM]})
    assert [item["option"] for item in changed["items"]] == ["BASE"]


def test_an_unknown_tax_class_is_refused_naming_tax_class(
    client: TestClient, tenant: TenantFixture
) -> None:
    unknown = {**BASE, "taxRate": None, "taxClass": "999"}
    refused = client.post("/v2/options", json=unknown, headers=tenant.headers)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["field"] == "taxClass"
    assert "999" in refused.text
    call(client, tenant, "GET", "/options/BASE", status=404)
    made = call(client, tenant, "POST", "/options", {**unknown, "taxClass": "019"}, status=201)
    assert made["taxClass"] == "019"
    changed = client.patch("/v2/options/BASE", json={"taxClass": "999"}, headers=tenant.headers)
    assert changed.status_code == 400, changed.text
    assert changed.json()["errors"][0]["field"] == "taxClass"
    assert call(client, tenant, "GET", "/options/BASE")["taxClass"] == "019"
    assert call(client, tenant, "PATCH", "/options/BASE", {"taxClass": "007"})["taxClass"] == "007"


def test_a_customer_with_a_contract_cannot_be_deleted(
    client: TestClient, tenant: TenantFixture
) -> None:
    freeze(client, tenant, "2026-05-15")
    customer_id = setup(client, tenant)
    contract(client, tenant, customer_id, "2026-05-15")
    refused = client.delete(f"/api/1.1/customers/{customer_id}", headers=tenant.headers)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "ConflictException" and "Verträge" in body["message"]
    assert body["details"][0].startswith("id:")
    kept = client.get(f"/api/1.1/customers/{customer_id}", headers=tenant.headers)
    assert kept.status_code == 200
    other = customer(client, tenant)
    deleted = client.delete(f"/api/1.1/customers/{other}", headers=tenant.headers)
    assert deleted.status_code == 200, deleted.text
    gone = client.get(f"/api/1.1/customers/{other}", headers=tenant.headers)
    assert gone.status_code == 404
