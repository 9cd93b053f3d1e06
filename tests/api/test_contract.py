"""The OpenAPI document says what the server does (issue 12, finding 8): the methods a 405
allows, the statuses each operation answers, numbers where the answer holds numbers, and
request fields that accept only the JSON kind the document names."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

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
    client: TestClient, tenant: TenantFixture, method: str, path: str, body: Any, field: str
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
