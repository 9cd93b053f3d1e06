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
