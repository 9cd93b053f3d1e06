"""Seed 003 §2.8 replayed (customers, contra accounts, additional addresses), plus suppliers,
full replacement, upsert by number and the use of a contra account by DE invoices."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.api.test_conformance_cash_invoices import LINE, post
from tests.conftest import TenantFixture

UUID = re.compile(r"^[0-9a-f-]{36}$")
CUSTOMER = {
    "customerNumber": "12345",
    "companyName": "TestCustomer 1",
    "firstName": "Max",
    "lastName": "Mustermann",
    "taxNumber": "TAXNR1",
}


def test_create_customer_with_and_without_contra_account(
    client: TestClient, tenant: TenantFixture
) -> None:
    plain = post(client, tenant, "/customers", CUSTOMER)
    assert UUID.match(plain["id"])
    assert plain == {
        "id": plain["id"],
        "taxNumber": "TAXNR1",
        "firstName": "Max",
        "lastName": "Mustermann",
        "companyName": "TestCustomer 1",
        "noVatNumber": False,
        "country": "AT",
        "customerNumber": "12345",
    }
    with_account = post(
        client,
        tenant,
        "/customers",
        # seed 003 posts the same customerNumber twice; a number now belongs to one customer
        {
            **CUSTOMER,
            "customerNumber": "12346",
            "contraAccount": "20012",
            "createContraAccount": True,
        },
    )
    assert with_account["contraAccount"] == "20012" and "createContraAccount" not in with_account
    account = client.get("/api/1.1/accounts/20012", headers=tenant.headers).json()
    assert account["name"] == "Forderungen TestCustomer 1, Max Mustermann"
    again = client.post(
        f"/api/1.1/customers/{with_account['id']}/create_contra_account",
        json={},
        headers=tenant.headers,
    )
    assert again.status_code == 409
    taken = client.post(
        f"/api/1.1/customers/{plain['id']}/create_contra_account",
        json={"contraAccount": "20012"},
        headers=tenant.headers,
    )
    assert taken.status_code == 409 and "bereits vergeben" in taken.json()["message"]
    generated = post(client, tenant, f"/customers/{plain['id']}/create_contra_account", None)
    assert generated["contraAccount"] == "20001"


def test_contra_account_is_the_unpaid_account_of_de_invoices(
    client: TestClient, tenant: TenantFixture
) -> None:
    supplier = post(
        client, tenant, "/suppliers", {"companyName": "MediaMarkt", "createContraAccount": True}
    )
    assert supplier["contraAccount"] == "33001"
    invoice = post(
        client,
        tenant,
        "/incoming_invoices",
        {"invoiceDate": "2020-12-31", "supplier": supplier["id"], "lines": [LINE]},
    )["result"]
    assert invoice["supplierName"] == "MediaMarkt"
    assert invoice["bookings"][0]["contraAccount"] == "33001"
    refused = client.delete(f"/api/1.1/suppliers/{supplier['id']}", headers=tenant.headers)
    assert refused.status_code == 409


def test_names_are_required_and_put_replaces_everything(
    client: TestClient, tenant: TenantFixture
) -> None:
    missing = client.post("/api/1.1/customers", json={"firstName": "Max"}, headers=tenant.headers)
    assert missing.status_code == 400 and missing.json()["details"][0].startswith("companyName")
    region = client.post(
        "/api/1.1/customers", json={**CUSTOMER, "region": "BAYERN"}, headers=tenant.headers
    )
    assert region.status_code == 400 and "Region BAYERN" in region.json()["message"]
    created = post(client, tenant, "/customers", {**CUSTOMER, "city": "Wien", "region": "WIEN"})
    replaced = client.put(
        f"/api/1.1/customers/{created['id']}",
        json={"companyName": "Neu GmbH"},
        headers=tenant.headers,
    ).json()
    assert replaced == {
        "id": created["id"],
        "companyName": "Neu GmbH",
        "noVatNumber": False,
        "country": "AT",
    }
    upserted = client.put(
        "/api/1.1/customers/by_number",
        json={"customerNumber": "777", "companyName": "Upsert AG"},
        headers=tenant.headers,
    ).json()
    again = client.put(
        "/api/1.1/customers/by_number",
        json={"customerNumber": "777", "companyName": "Upsert AG", "city": "Graz"},
        headers=tenant.headers,
    ).json()
    assert again["id"] == upserted["id"] and again["city"] == "Graz"
    found = client.get("/api/1.1/customers?search=upsert", headers=tenant.headers).json()
    assert [c["id"] for c in found] == [upserted["id"]]
    assert (
        client.delete(f"/api/1.1/customers/{created['id']}", headers=tenant.headers).status_code
        == 200
    )
    assert (
        client.get(f"/api/1.1/customers/{created['id']}", headers=tenant.headers).status_code == 404
    )


def test_additional_addresses(client: TestClient, tenant: TenantFixture) -> None:
    customer = post(client, tenant, "/customers", CUSTOMER)
    base = f"/customers/{customer['id']}/additional_addresses"
    created = post(
        client,
        tenant,
        f"{base}/",
        {
            "identifier": "Zweitadresse",
            "streetName": "Teststrasse",
            "streetNumber": 1,
            "zipCode": "1040",
            "city": "Wien",
            "country": "AT",
            "region": "WIEN",
            "addressBranchNo": "",
            "emailAddress": "test@testdomain.at",
            "telNumber": "",
            "faxNumber": "",
            "mobileNumber": "",
            "skype": "",
            "webAddress": "",
            "description": "",
            "copyEmailType": "",
            "addressType": "",
        },
    )
    assert created == {
        "id": created["id"],
        "identifier": "Zweitadresse",
        "addressType": "INVOICE_AND_DELIVERY_ADDRESS",
        "streetName": "Teststrasse",
        "streetNumber": "1",
        "zipCode": "1040",
        "city": "Wien",
        "country": "AT",
        "region": "WIEN",
        "addressBranchNo": "",
        "emailAddress": "test@testdomain.at",
        "copyEmailType": "BCC",
        "telNumber": "",
        "faxNumber": "",
        "mobileNumber": "",
        "skype": "",
        "webAddress": "",
        "description": "",
    }
    listed = client.get(f"/api/1.1{base}", headers=tenant.headers).json()
    assert listed == [created]
    assert (
        client.post(f"/api/1.1{base}/{created['id']}/default", headers=tenant.headers).status_code
        == 200
    )
    shown = client.get(f"/api/1.1/customers/{customer['id']}", headers=tenant.headers).json()
    assert shown["defaultInvoiceAddress"] == shown["defaultDeliveryAddress"] == created["id"]
    assert (
        client.post(
            f"/api/1.1/customers/{customer['id']}/default_address", headers=tenant.headers
        ).status_code
        == 200
    )
    shown = client.get(f"/api/1.1/customers/{customer['id']}", headers=tenant.headers).json()
    assert "defaultInvoiceAddress" not in shown
    assert (
        client.delete(f"/api/1.1{base}/{created['id']}", headers=tenant.headers).status_code == 200
    )
    assert client.get(f"/api/1.1{base}", headers=tenant.headers).json() == []


def test_a_customer_discount_is_stored_exactly(client: TestClient, tenant: TenantFixture) -> None:
    """CustomerDto.discount is a number; it was once a 500 (a Decimal in the JSON document)."""
    created = client.post(
        "/api/1.1/customers",
        json={"companyName": "Rabatt KG", "discount": 2.5},
        headers=tenant.headers,
    )
    assert created.status_code == 200, created.text
    read = client.get(f"/api/1.1/customers/{created.json()['id']}", headers=tenant.headers)
    assert read.json()["discount"] == 2.5
    zero = client.post(
        "/api/1.1/customers", json={"companyName": "0", "discount": 0.0}, headers=tenant.headers
    )
    assert zero.status_code == 200 and zero.json()["discount"] == 0
    bad = client.post(
        "/api/1.1/customers", json={"companyName": "X", "discount": "1e20"}, headers=tenant.headers
    )
    assert bad.status_code == 400 and bad.json()["details"][0].startswith("discount:")
