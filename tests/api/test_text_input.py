"""Issue 12, finding 3: a control character other than tab, CR and LF (NUL above all) in any
text a client sends is a 400 naming the field, the same on SQLite and PostgreSQL. Before, NUL
was a 500 on PostgreSQL (psycopg refuses it) and stored on SQLite."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_conformance_bank_statements import bank
from tests.api.test_conformance_cash_invoices import LINE
from tests.api.test_lockout_concurrency import BASE, browser, login_form
from tests.api.test_oauth import register
from tests.conftest import TenantFixture

NUL = "\x00"
ENGLISH = {"Accept-Language": "en"}
PASSWORD = "correct horse battery staple"
__all__ = ["browser"]  # the fixture, shared with the lockout tests
INVOICE_LINE = {"name": "Beratung", "itemPrice": 100, "itemPriceType": "N", "amount": 1}
INVOICE_LINE |= {"account": "4000", "taxClassEntry": "020"}


def control(position: int, char: str = "U+0000") -> str:
    return (
        f"Control character {char} at position {position} is not allowed; only tab, line feed"
        " and carriage return are"
    )


def send(client: TestClient, tenant: TenantFixture, method: str, path: str, body: Any) -> Any:
    """``body`` as JSON text (escapes keep NUL and surrogates intact), in English."""
    return client.request(
        method,
        path,
        content=json.dumps(body),
        headers=tenant.headers | ENGLISH | {"Content-Type": "application/json"},
    )


def messages_of(response: Any) -> list[str]:
    """``field: message`` of a problem (/v2) or a RestError (/api/1.1)."""
    body = response.json()
    if "details" in body:
        return list(body["details"])
    return [f"{e['field']}: {e['message']}" for e in body.get("errors", [])]


# (method, path, body, field, position): one text of each resource carries a NUL.
BODIES = [
    (
        "POST",
        "/v2/users",
        {"username": f"er{NUL}ika", "password": PASSWORD, "role": "ACCOUNTANT"},
        "username",
        3,
    ),
    (
        "POST",
        "/v2/users",
        {"username": "erika2", "password": PASSWORD, "role": "ACCOUNTANT", "displayName": NUL},
        "displayName",
        1,
    ),
    (
        "POST",
        "/v2/api-keys",
        {"name": f"export{NUL}", "scopes": ["documents:read"], "validityDays": 7},
        "name",
        7,
    ),
    (
        "POST",
        "/v2/api-keys",
        {"name": "export", "scopes": [f"documents:read{NUL}"], "validityDays": 7},
        "scopes.0",
        15,
    ),
    (
        "POST",
        "/v2/oauth-apps",
        {"name": f"App{NUL}", "confidential": False, "redirectUris": [], "scopes": []},
        "name",
        4,
    ),
    ("POST", "/v2/payment-terms", {"name": f"30{NUL}Tage", "dueDays": 30}, "name", 3),
    ("POST", "/api/1.1/customers", {"companyName": f"Kunde{NUL}GmbH"}, "companyName", 6),
    ("POST", "/api/1.1/suppliers", {"companyName": f"{NUL}Lieferant"}, "companyName", 1),
    ("POST", "/api/1.1/customers", {f"company{NUL}Name": "x"}, "company\\u0000Name", 8),
    (
        "POST",
        "/api/1.1/items",
        {"name": f"Art{NUL}", "sellingPrice": 10, "amountType": "N", "account": "4000"},
        "name",
        4,
    ),
    ("POST", "/api/1.1/item_categories", {"name": f"Ware{NUL}", "account": "4000"}, "name", 5),
    (
        "POST",
        "/api/1.1/rebooks",
        {
            "type": "REBOOK",
            "account": "2800",
            "contraAccount": "2700",
            "amount": "10",
            "description": f"Umbuchung{NUL}",
        },
        "description",
        10,
    ),
    (
        "POST",
        "/api/1.1/incoming_invoices",
        {"invoiceDate": "2026-01-31", "lines": [{**LINE, "description": f"a{NUL}"}]},
        "lines.0.description",
        2,
    ),
    (
        "POST",
        "/api/1.1/outgoing_invoices",
        {"invoiceDate": "2026-01-31", "lines": [LINE | {"account": "4000"}], "description": NUL},
        "description",
        1,
    ),
    (
        "POST",
        "/api/1.1/invoices",
        {"state": "DRAFT", "date": "2026-01-31", "customerName": f"K{NUL}", "lines": []},
        "customerName",
        2,
    ),
    (
        "POST",
        "/api/1.1/invoices",
        {"state": "DRAFT", "date": "2026-01-31", "lines": [INVOICE_LINE | {"name": f"B{NUL}"}]},
        "lines.0.name",
        2,
    ),
]


@pytest.mark.parametrize("case", BODIES, ids=[f"{m} {p} {f}" for m, p, _, f, _ in BODIES])
def test_nul_in_a_json_text_is_a_400_naming_the_field(
    client: TestClient, tenant: TenantFixture, case: tuple[str, str, Any, str, int]
) -> None:
    method, path, body, field, position = case
    response = send(client, tenant, method, path, body)
    assert response.status_code == 400, response.text
    assert messages_of(response) == [f"{field}: {control(position)}"]


def test_other_control_characters_and_surrogates_are_refused_tab_cr_lf_are_not(
    client: TestClient, tenant: TenantFixture
) -> None:
    for char, name in (("\x07", "U+0007"), ("\x1b", "U+001B"), ("\x7f", "U+007F")):
        refused = send(client, tenant, "POST", "/api/1.1/customers", {"companyName": f"A{char}"})
        assert refused.status_code == 400
        assert messages_of(refused) == [f"companyName: {control(2, name)}"]
    surrogate = send(client, tenant, "POST", "/api/1.1/customers", {"companyName": "A\ud800"})
    assert surrogate.status_code == 400
    assert messages_of(surrogate) == [
        "companyName: Unpaired surrogate U+D800 at position 2 is not allowed"
    ]
    kept = send(client, tenant, "POST", "/api/1.1/customers", {"companyName": "A\tB\r\nC"})
    assert kept.status_code == 200, kept.text
    assert kept.json()["companyName"] == "A\tB\r\nC"


def test_nul_in_a_nested_free_field_of_a_bank_statement_line(
    client: TestClient, tenant: TenantFixture
) -> None:
    account = bank(client, tenant)
    line = {"description": "ok", "valueDate": "2026-01-31", "bookingDate": "2026-01-31"}
    line |= {"amount": 10, "originatorBankReference": f"ref{NUL}"}
    path = f"/api/1.1/bank_statements/by_bank_account/{account['id']}/lines"
    response = send(client, tenant, "POST", path, {"bankStatementLines": [line]})
    assert response.status_code == 400
    assert messages_of(response) == [f"bankStatementLines.0.originatorBankReference: {control(4)}"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v2/users?search=username==an%00na", "search"),
        ("/v2/audit-trail?search=entityType==User%00", "search"),
        ("/api/1.1/customers?search=Kunde%00", "search"),
        ("/api/1.1/items?search=%00", "search"),
        ("/api/1.1/incoming_invoices?from=2026-01-01&to=2026-12-31&search_text=%00", "search_text"),
        ("/api/1.1/invoices/1%00", "number"),
        ("/api/1.1/countries/A%00", "country"),
    ],
)
def test_nul_in_a_query_or_path_parameter_is_a_400_naming_it(
    client: TestClient, tenant: TenantFixture, path: str, field: str
) -> None:
    response = client.get(path, headers=tenant.headers | ENGLISH)
    assert response.status_code == 400, response.text
    [message] = messages_of(response)
    assert message.startswith(f"{field}: Control character U+0000 at position")


def test_nul_in_a_form_field_of_the_token_endpoint_and_the_login_page(
    client: TestClient, browser: TestClient, db: Any, tenant: TenantFixture
) -> None:
    app = register(client, tenant)
    form = {"grant_type": "password", "username": "anna", "password": "X" * 8}
    token = client.post(f"{BASE}/oauth2/token", data=form | {"client_id": f"{app['clientId']}\0"})
    assert token.status_code == 400
    assert token.json() == {
        "error": "invalid_request",
        "error_description": f"client_id: {control(len(app['clientId']) + 1)}",
    }
    login = login_form(browser, db, tenant)
    page = login("wrong password!", "an\x00na")
    assert page.status_code == 400  # the page speaks German unless the browser asks otherwise
    assert "username: Steuerzeichen U+0000 an Position 3 ist nicht erlaubt" in page.text


def test_nothing_with_a_nul_was_stored(client: TestClient, tenant: TenantFixture) -> None:
    send(client, tenant, "POST", "/api/1.1/customers", {"companyName": f"Kunde{NUL}"})
    listed = client.get("/api/1.1/customers", headers=tenant.headers).json()
    assert listed == []


def test_json_nested_too_deep_to_check_stays_a_400(
    client: TestClient, tenant: TenantFixture
) -> None:
    body = '{"companyName": ' + "[" * 100_000 + "]" * 100_000 + "}"
    headers = tenant.headers | ENGLISH | {"Content-Type": "application/json"}
    response = client.post("/api/1.1/customers", content=body, headers=headers)
    assert response.status_code == 400  # the parser's recursion limit, as without the check


def test_a_nul_in_a_utf16_json_body_is_found_too(client: TestClient, tenant: TenantFixture) -> None:
    body = json.dumps({"companyName": "Kunde\x00"}, ensure_ascii=False).encode("utf-16")
    headers = tenant.headers | ENGLISH | {"Content-Type": "application/json"}
    response = client.post("/api/1.1/customers", content=body, headers=headers)
    assert response.status_code == 400
    assert messages_of(response) == [f"companyName: {control(6)}"]
