"""The OpenAPI document says what the server does (issue 12, finding 8): the methods a 405
allows, the statuses each operation answers, numbers where the answer holds numbers, and
request fields that accept only the JSON kind the document names."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_documents import invoice_body
from tests.api.test_items import ITEM
from tests.conftest import TenantFixture

PROBED = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", template)


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def _documented_methods(document: dict[str, Any], path: str) -> set[str]:
    """The methods of every documented template that matches ``path``."""
    return {
        method.upper()
        for template, item in document["paths"].items()
        if _pattern(template).match(path)
        for method in item
    }


def test_a_405_allows_every_method_of_its_path(
    client: TestClient, document: dict[str, Any]
) -> None:
    wrong = []
    for template in document["paths"]:
        path = _concrete(template)
        documented = _documented_methods(document, path)
        for method in sorted(set(PROBED) - documented):
            response = client.request(method, path)
            allow = {m.strip() for m in response.headers.get("allow", "").split(",")}
            if response.status_code != 405 or allow != documented:
                wrong.append((method, template, response.status_code, allow, documented))
    assert wrong == []


def _property(document: dict[str, Any], schema: str, field: str) -> dict[str, Any]:
    schemas = document["components"]["schemas"]
    found: dict[str, Any] = schemas[schema]["properties"][field]
    return found


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ("TaxClassEntryDto", "taxRate"),
        ("DunningLevelDto", "fixedFee"),
        ("DunningLevelDto", "feePercentage"),
        ("InvoiceLineOut", "taxRate"),
        ("AccountBalanceDto", "sum"),
    ],
)
def test_amounts_the_accounting_api_answers_as_numbers_are_documented_as_numbers(
    document: dict[str, Any], schema: str, field: str
) -> None:
    assert _property(document, schema, field).get("type") == "number"


def test_an_answered_tax_rate_is_what_the_document_says(
    client: TestClient, tenant: TenantFixture, document: dict[str, Any]
) -> None:
    entries = client.get("/api/1.1/accounts/4000/tax_class_entries", headers=tenant.headers)
    assert entries.status_code == 200, entries.text
    assert all(isinstance(e["taxRate"], (int, float)) for e in entries.json())


def _fields(response: Any) -> list[str]:
    body = response.json()
    if "errors" in body:
        return [e["field"] for e in body["errors"]]
    return [d.split(": ", 1)[0] for d in body["details"]]


RULE = {"priority": 1, "counterId": "00000000-0000-0000-0000-000000000001"}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "PUT",
            "/v2/number-strategies/INVOICE",
            {"rules": [{**RULE, "priority": False}]},
            "rules.0.priority",
        ),
        (
            "PUT",
            "/v2/number-strategies/INVOICE",
            {"rules": [{**RULE, "priority": 1.5}]},
            "rules.0.priority",
        ),
        ("PUT", "/v2/number-strategies/INVOICE", {"prefix": 7}, "prefix"),
        (
            "POST",
            "/v2/api-keys",
            {"name": "k", "scopes": ["users:read"], "validityDays": "7"},
            "validityDays",
        ),
        ("PUT", "/v2/test-clock", {"frozenAt": 1767225600}, "frozenAt"),
        ("POST", "/api/1.1/item_categories", {"name": "n", "code": 4.96e-154}, "code"),
        ("POST", "/api/1.1/customers", {"companyName": "c", "noVatNumber": 1}, "noVatNumber"),
        ("POST", "/api/1.1/customers", {"companyName": "c", "rating": "5"}, "rating"),
    ],
)
def test_a_field_of_another_json_kind_is_a_400_naming_it(
    *, client: TestClient, tenant: TenantFixture, method: str, path: str, body: Any, field: str
) -> None:
    response = client.request(method, path, json=body, headers=tenant.headers)
    assert response.status_code == 400, response.text
    assert field in _fields(response)


def test_amounts_take_numbers_and_numeric_strings_and_contact_texts_numbers(
    client: TestClient, tenant: TenantFixture
) -> None:
    customer = {"companyName": "Zahl GmbH", "streetNumber": 12, "zipCode": 1040}
    created = client.post("/api/1.1/customers", json=customer, headers=tenant.headers)
    assert created.status_code == 200, created.text
    assert (created.json()["streetNumber"], created.json()["zipCode"]) == ("12", "1040")
    for discount in (5, "5.5"):
        again = {"companyName": "Rabatt GmbH", "discount": discount}
        answered = client.post("/api/1.1/customers", json=again, headers=tenant.headers)
        assert answered.status_code == 200, answered.text


def test_what_the_document_says_a_contact_text_takes(document: dict[str, Any]) -> None:
    street = _property(document, "CustomerDto", "streetNumber")
    kinds = {branch.get("type") for branch in street["anyOf"]}
    assert {"string", "number"} <= kinds


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_422_is_documented_only_where_a_reused_idempotency_key_answers_it(
    document: dict[str, Any],
) -> None:
    for path, method, operation in _operations(document):
        keyed = any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
        assert ("422" in operation["responses"]) == keyed, (method, path)
        assert keyed == (method == "post" and path.startswith(("/api/1.1", "/v2"))), path
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_invalid_input_is_documented_as_the_400_of_each_surface(
    document: dict[str, Any],
) -> None:
    bodies = {"/api/1.1": "RestError", "/v2": "Problem"}
    for path, method, operation in _operations(document):
        surface = next((s for s in bodies if path.startswith(s + "/")), None)
        if surface is None:
            continue
        documented = operation["responses"]
        assert {"400", "401", "403", "429"} <= set(documented), (method, path)
        assert ("404" in documented) or "{" not in path, (method, path)
        content = documented["400"]["content"]
        (schema,) = (media["schema"]["$ref"].rsplit("/", 1)[1] for media in content.values())
        assert schema == bodies[surface], (method, path)


def test_the_statuses_answered_are_documented(
    client: TestClient, tenant: TenantFixture, document: dict[str, Any]
) -> None:
    path = "/api/1.1/accounts/balances"
    answered = [
        client.get(path, params={"from": "2026-13-01"}, headers=tenant.headers),
        client.get(path),
        client.get("/api/1.1/accounts/9999", headers=tenant.headers),
    ]
    assert [r.status_code for r in answered] == [400, 401, 404]
    assert {"400", "401"} <= set(document["paths"][path]["get"]["responses"])
    assert "404" in document["paths"]["/api/1.1/accounts/{account}"]["get"]["responses"]
    ready = document["paths"]["/readyz"]["get"]["responses"]
    assert set(ready) == {"200", "503"}


@pytest.mark.parametrize("value", ["0", "20260101", "2026-01-01T00:00:00", "1.5", "2026-1-1"])
def test_a_query_date_is_yyyy_mm_dd_only(
    client: TestClient, tenant: TenantFixture, value: str
) -> None:
    response = client.get(
        "/api/1.1/accounts/rebook_accounts", params={"date": value}, headers=tenant.headers
    )
    assert response.status_code == 400, response.text
    assert _fields(response) == ["date"]
    ranged = client.get(
        "/api/1.1/accounts/balances", params={"from": "1899-12-31"}, headers=tenant.headers
    )
    assert (ranged.status_code, _fields(ranged)) == (400, ["from"])
    fine = client.get(
        "/api/1.1/accounts/rebook_accounts", params={"date": "2026-01-01"}, headers=tenant.headers
    )
    assert fine.status_code == 200


@pytest.mark.parametrize("value", ["+1", " 1", "1.0", "1_0", "01x"])
def test_a_whole_number_in_a_path_or_query_is_digits_only(
    client: TestClient, tenant: TenantFixture, value: str
) -> None:
    """The framework read "+1", "1.0" and "1_0" as integers the document does not allow
    (schemathesis' negative_data_rejection on GET /v2/cash-registers/{number}/registration)."""
    in_path = client.get(f"/v2/cash-registers/{value}/registration", headers=tenant.headers)
    assert (in_path.status_code, _fields(in_path)) == (400, ["number"]), in_path.text
    in_query = client.get("/v2/users", params={"page": value}, headers=tenant.headers)
    assert (in_query.status_code, _fields(in_query)) == (400, ["page"]), in_query.text
    assert client.get("/v2/users", params={"page": "1"}, headers=tenant.headers).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "paid=0",
        "paid=yes",
        "paid=null",
        "updated_since=1.0",
        "updated_since=%2B5",
        "paid=true&paid=false",
    ],
)
def test_a_query_parameter_is_written_as_its_documented_kind_and_given_once(
    client: TestClient, tenant: TenantFixture, query: str
) -> None:
    """The framework read "0" and "yes" as booleans, "1.0" as an integer and took the last of
    a repeated parameter (schemathesis' negative_data_rejection on GET /api/1.1/offers)."""
    refused = client.get(f"/api/1.1/offers?{query}", headers=tenant.headers)
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"][0].split(":")[0] == query.split("=", maxsplit=1)[0]
    for fine in ("paid=true", "paid=FALSE", "updated_since=0"):
        assert client.get(f"/api/1.1/offers?{fine}", headers=tenant.headers).status_code == 200


def test_the_seeds_url_with_a_trailing_slash_is_answered_without_a_redirect(
    client: TestClient, tenant: TenantFixture
) -> None:
    """Seed 003 §2.8.6 posts to ``…/additional_addresses/``: answered directly (the framework
    redirected with 307); the billing API keeps its redirect."""
    made = client.post("/api/1.1/customers", json={"companyName": "Slash"}, headers=tenant.headers)
    path = f"/api/1.1/customers/{made.json()['id']}/additional_addresses/"
    address = {"identifier": "Zweitadresse", "streetName": "Teststrasse", "streetNumber": 1}
    address |= {"zipCode": "1040", "city": "Wien", "country": "AT", "region": "WIEN"}
    answer = client.post(path, json=address, headers=tenant.headers, follow_redirects=False)
    assert answer.status_code == 200, answer.text
    assert answer.json()["identifier"] == "Zweitadresse"
    listed = client.get(path, headers=tenant.headers, follow_redirects=False)
    assert [a["identifier"] for a in listed.json()] == ["Zweitadresse"]
    assert (
        client.get("/v2/users/", headers=tenant.headers, follow_redirects=False).status_code == 307
    )


def test_deletes_answer_with_the_status_the_seed_documents(
    client: TestClient, tenant: TenantFixture
) -> None:
    """Seed 003: items, item categories and offer templates 200 without a body (§4.15.3,
    §4.15.4, §4.18.1), invoice templates 204 (§4.8.1)."""
    h = tenant.headers
    item = client.post("/api/1.1/items", json=ITEM, headers=h).json()
    category = client.post("/api/1.1/item_categories", json={"name": "Kat"}, headers=h).json()
    offer = client.post(
        "/api/1.1/offer_templates", json=invoice_body(templateName="Angebot"), headers=h
    ).json()
    template = invoice_body(templateName="Abo", templateInterval=1, templateIntervalType="MONTH")
    template |= {"nextInvoiceDate": "2026-12-31"}
    invoice = client.post("/api/1.1/invoice_templates", json=template, headers=h).json()
    for path, status in (
        (f"/items/{item['id']}", 200),
        (f"/item_categories/{category['id']}", 200),
        (f"/offer_templates/{offer['uuid']}", 200),
        (f"/invoice_templates/{invoice['uuid']}", 204),
    ):
        answer = client.delete(f"/api/1.1{path}", headers=h)
        assert (answer.status_code, answer.content) == (status, b""), (path, answer.text)


def test_a_body_field_is_read_by_its_published_name_only(
    client: TestClient, tenant: TenantFixture
) -> None:
    """``legal_name`` for ``legalName`` was accepted although the document allows no other
    property (negative_data_rejection on PUT /v2/tenant-config/company)."""
    answer = client.put(
        "/v2/tenant-config/company", json={"legal_name": "X"}, headers=tenant.headers
    )
    assert (answer.status_code, _fields(answer)) == (400, ["legal_name"]), answer.text
    fine = client.put("/v2/tenant-config/company", json={"legalName": "X"}, headers=tenant.headers)
    assert (fine.status_code, fine.json()["legalName"]) == (200, "X")


def test_an_answer_without_a_body_is_documented_without_content(
    client: TestClient, tenant: TenantFixture, document: dict[str, Any]
) -> None:
    """Seed 003 §4.16.12 answers 200 with no body: a JSON content type in the document made
    the fuzz test's response check fail whenever the customer existed."""
    made = client.post(
        "/api/1.1/customers", json={"companyName": "Leer GmbH"}, headers=tenant.headers
    )
    assert made.status_code in (200, 201), made.text
    path = "/api/1.1/customers/{customer}/default_address"
    assert "content" not in document["paths"][path]["post"]["responses"]["200"]
    answer = client.post(
        f"/api/1.1/customers/{made.json()['id']}/default_address", headers=tenant.headers
    )
    assert (answer.status_code, answer.content) == (200, b"")
