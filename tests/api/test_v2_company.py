"""The seller's company data under /v2/tenant-config/company (e-invoicing issue, item 0):
empty at first, replaced whole and read back, each bad field a 400 naming it, unknown fields
refused, the documents' scopes enforced, each change audited (and no entry for no change),
and the terms e-invoices still miss."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.services.identity.api_keys import create_api_key
from tests.api.test_v2_catalogue import call
from tests.conftest import TenantFixture, system_actor

PATH = "/tenant-config/company"
FIELDS = [
    "legalName",
    "tradingName",
    "street",
    "additionalStreet",
    "postcode",
    "city",
    "country",
    "vatId",
    "taxNumber",
    "registrationId",
    "contactName",
    "contactPhone",
    "contactEmail",
    "electronicAddress",
    "electronicAddressScheme",
    "iban",
    "bic",
    "accountHolder",
    "creditorId",
]
FULL: dict[str, Any] = {
    "legalName": "Muster GmbH",
    "tradingName": "Muster",
    "street": "Hauptstraße 1",
    "additionalStreet": "3. OG",
    "postcode": "10115",
    "city": "Berlin",
    "country": "DE",
    "vatId": "DE136695976",
    "taxNumber": "30/123/45678",
    "registrationId": "HRB 12345, Amtsgericht Berlin",
    "contactName": "Erika Muster",
    "contactPhone": "+49 30 123456-0",
    "contactEmail": "rechnung@muster.example",
    "electronicAddress": "rechnung@muster.example",
    "electronicAddressScheme": "EM",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "accountHolder": "Muster GmbH",
    "creditorId": "DE98ZZZ09999999999",
}
COMPLETE: dict[str, list[str]] = {"en16931": [], "xrechnung": []}


def audit_entries(client: TestClient, tenant: TenantFixture) -> list[dict[str, Any]]:
    page = client.get(
        "/v2/audit-trail",
        headers=tenant.headers,
        params={"search": "entityType==TenantCompany", "size": 100, "sort": "seq"},
    )
    assert page.status_code == 200, page.text
    return page.json()["items"]


def test_a_new_tenant_has_no_company_data_and_misses_every_term(
    client: TestClient, tenant: TenantFixture
) -> None:
    answer = call(client, tenant, "GET", PATH)
    assert {name: answer[name] for name in FIELDS} == dict.fromkeys(FIELDS)
    assert answer["missingForEInvoice"] == {
        "en16931": ["legalName", "city", "postcode", "country", "vatId"],
        "xrechnung": [
            "legalName",
            "city",
            "postcode",
            "country",
            "contactName",
            "contactPhone",
            "contactEmail",
            "electronicAddress",
            "iban",
            "vatId",
        ],
    }


def test_full_data_is_stored_read_back_and_audited_once(
    client: TestClient, tenant: TenantFixture
) -> None:
    given = {**FULL, "vatId": "DE 136 695 976", "iban": "DE89 3704 0044 0532 0130 00"}
    stored = call(client, tenant, "PUT", PATH, given)
    assert stored == {**FULL, "missingForEInvoice": COMPLETE}
    assert call(client, tenant, "GET", PATH) == stored
    assert call(client, tenant, "PUT", PATH, FULL) == stored  # the same again: no change
    (entry,) = audit_entries(client, tenant)
    assert (entry["action"], entry["entityId"]) == ("UPDATE", str(tenant.id))
    assert entry["before"] == dict.fromkeys(FIELDS)
    assert entry["after"] == FULL


def test_a_put_replaces_the_whole_record(client: TestClient, tenant: TenantFixture) -> None:
    call(client, tenant, "PUT", PATH, FULL)
    smaller = {"legalName": "Muster AG", "city": "Wien", "postcode": "1010", "country": "AT"}
    answer = call(client, tenant, "PUT", PATH, smaller)
    assert {name: answer[name] for name in FIELDS} == {**dict.fromkeys(FIELDS), **smaller}
    assert answer["missingForEInvoice"]["en16931"] == ["vatId"]
    assert answer["missingForEInvoice"]["xrechnung"] == [
        "contactName",
        "contactPhone",
        "contactEmail",
        "electronicAddress",
        "iban",
        "vatId",
    ]
    first, second = audit_entries(client, tenant)
    assert second["before"] == first["after"] == FULL
    assert second["after"] == {**dict.fromkeys(FIELDS), **smaller}


def test_a_tax_number_stands_in_for_the_vat_id(client: TestClient, tenant: TenantFixture) -> None:
    body = {name: FULL[name] for name in ("legalName", "city", "postcode", "country")}
    answer = call(client, tenant, "PUT", PATH, {**body, "taxNumber": "30/123/45678"})
    assert answer["missingForEInvoice"]["en16931"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"legalName": "x" * 201}, "legalName"),
        ({"city": "Ber\nlin"}, "city"),
        ({"country": "XX"}, "country"),
        ({"vatId": "DE136695977"}, "vatId"),
        ({"contactPhone": "call me"}, "contactPhone"),
        ({"contactEmail": "nobody"}, "contactEmail"),
        ({"electronicAddress": "no-mail"}, "electronicAddress"),
        ({"electronicAddressScheme": None}, "electronicAddressScheme"),
        ({"electronicAddressScheme": "XY"}, "electronicAddressScheme"),
        ({"iban": "DE89370400440532013001"}, "iban"),
        ({"bic": "COBA"}, "bic"),
        ({"creditorId": "DE97ZZZ09999999999"}, "creditorId"),
        ({"legalName": 12}, "legalName"),
        ({"website": "https://muster.example"}, "website"),
    ],
)
def test_a_bad_field_is_a_400_naming_it_and_nothing_is_written(
    client: TestClient, tenant: TenantFixture, change: dict[str, Any], field: str
) -> None:
    refused = call(client, tenant, "PUT", PATH, {**FULL, **change}, status=400)
    assert [error["field"] for error in refused["errors"]] == [field]
    assert call(client, tenant, "GET", PATH)["legalName"] is None
    assert audit_entries(client, tenant) == []


def test_the_error_text_names_the_rule_in_both_languages(
    client: TestClient, tenant: TenantFixture
) -> None:
    body = {**FULL, "creditorId": "DE97ZZZ09999999999"}
    english = client.put(f"/v2{PATH}", json=body, headers=tenant.headers)
    german = client.put(
        f"/v2{PATH}", json=body, headers={**tenant.headers, "Accept-Language": "de"}
    )
    assert "check digits do not match" in english.text
    assert "Prüfziffern stimmen nicht" in german.text


def test_reading_and_writing_take_the_documents_scopes(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    def key(*scopes: str) -> dict[str, str]:
        token = create_api_key(
            db=db,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            name="company " + " ".join(scopes),
            scopes=list(scopes),
            validity_days=7,
            clock=SystemClock(),
        ).token
        return {"Authorization": f"Bearer {token}"}

    reader, other = key("documents:read"), key("customers:write")
    assert client.get(f"/v2{PATH}", headers=reader).status_code == 200
    denied = client.put(f"/v2{PATH}", json=FULL, headers=reader)
    assert denied.status_code == 403 and "documents:write" in denied.text
    assert client.get(f"/v2{PATH}", headers=other).status_code == 403
    writer = key("documents:write")
    assert client.put(f"/v2{PATH}", json=FULL, headers=writer).status_code == 200
    assert client.get(f"/v2{PATH}", headers=writer).status_code == 403


def test_one_tenant_does_not_see_anothers_company(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    call(client, tenant, "PUT", PATH, FULL)
    assert call(client, other_tenant, "GET", PATH)["legalName"] is None


def test_the_openapi_document_describes_both_operations(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operations = document["paths"]["/v2/tenant-config/company"]
    assert {"get", "put"} <= set(operations)
    assert {"200", "400", "401", "403"} <= set(operations["put"]["responses"])
    schema = document["components"]["schemas"]["CompanyIn"]
    assert set(schema["properties"]) == set(FIELDS)
