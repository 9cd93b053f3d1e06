"""Failures the framework detects (request validation, bad JSON, unknown fields, unknown
routes, wrong methods) answer like business errors: on the accounting API a RestError with
the exception-style name and a German text by default (English on request), on the billing
API a problem document with its code, English by default and German on request."""

from __future__ import annotations

from starlette.testclient import TestClient

from beleg.db.database import Database
from tests.conftest import TenantFixture, make_tenant

REBOOK = "/api/1.1/rebooks"


def test_request_validation_on_the_accounting_api_is_german_by_default(
    client: TestClient, tenant: TenantFixture
) -> None:
    body = {"type": "REBOOK", "account": "2800", "contraAccount": "2700", "amount": "viel"}
    german = client.post(REBOOK, json=body, headers=tenant.headers)
    assert german.status_code == 400
    assert german.json()["error"] == "ValidationException"
    assert german.json()["details"] == ["amount: Wert muss eine Dezimalzahl sein"]
    english = client.post(REBOOK, json=body, headers=tenant.headers | {"Accept-Language": "en"})
    assert english.json()["error"] == "ValidationException"
    assert english.json()["details"] == ["amount: Input should be a valid decimal"]


def test_unknown_fields_and_bad_json_on_the_accounting_api(
    client: TestClient, tenant: TenantFixture
) -> None:
    unknown = client.post(
        "/api/1.1/customers", json={"companyName": "X", "colour": "rot"}, headers=tenant.headers
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "ValidationException"
    assert unknown.json()["details"] == ["colour: Unbekanntes Feld ist nicht erlaubt"]
    broken = client.post(
        REBOOK, content=b'{"type": ', headers=tenant.headers | {"Content-Type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()["error"] == "ValidationException"
    assert broken.json()["message"].split(": ", 1)[1].startswith("Ungültiges JSON")


def test_unknown_routes_and_methods_on_the_accounting_api(
    client: TestClient, tenant: TenantFixture
) -> None:
    missing = client.get("/api/1.1/no_such_resource", headers=tenant.headers)
    assert missing.status_code == 404
    assert (missing.json()["error"], missing.json()["message"]) == (
        "NotFoundException",
        "Nicht gefunden.",
    )
    wrong = client.delete(REBOOK, headers=tenant.headers | {"Accept-Language": "en"})
    assert wrong.status_code == 405
    assert (wrong.json()["error"], wrong.json()["message"]) == (
        "MethodNotAllowedException",
        "Method Not Allowed",
    )


def test_the_billing_api_keeps_its_codes_and_speaks_english_unless_asked(
    client: TestClient, tenant: TenantFixture
) -> None:
    body = {"name": "k", "scopes": ["users:read"], "validityDays": "sieben"}
    english = client.post("/v2/api-keys", json=body, headers=tenant.headers)
    assert english.status_code == 400
    problem = english.json()
    assert problem["code"] == "validation-error"
    assert problem["errors"] == [
        {
            "field": "validityDays",
            "message": "Input should be a valid integer",  # a text is never parsed as one
        }
    ]
    german = client.post(
        "/v2/api-keys", json=body, headers=tenant.headers | {"Accept-Language": "de-AT"}
    )
    assert german.json()["code"] == "validation-error"
    assert german.json()["errors"][0]["message"].startswith("Wert muss eine ganze Zahl sein")
    missing = client.get("/v2/no-such-thing", headers=tenant.headers)
    assert (missing.json()["code"], missing.json()["detail"]) == ("not-found", "Not Found")


def test_authentication_and_scopes_on_both_apis(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    anonymous = client.get("/api/1.1/accounts")
    assert anonymous.status_code == 401
    assert (anonymous.json()["error"], anonymous.json()["message"]) == (
        "UnauthorizedException",
        "Anmeldung erforderlich: senden Sie Authorization: Bearer <token>",
    )
    forged = client.get("/api/1.1/accounts", headers={"Authorization": "Bearer blg_x_y"})
    assert (forged.json()["error"], forged.json()["message"]) == (
        "UnauthorizedException",
        "Der Zugang ist ungültig",
    )
    reader = make_tenant(db, scopes=frozenset({"documents:read"}))
    denied = client.post("/api/1.1/rebooks", json={}, headers=reader.headers)
    assert denied.status_code == 403
    assert (denied.json()["error"], denied.json()["message"]) == (
        "ForbiddenException",
        "Diese Operation erfordert die Berechtigung ledger:write",
    )
    v2 = client.get("/v2/users", headers=reader.headers)
    assert (v2.status_code, v2.json()["code"], v2.json()["detail"]) == (
        403,
        "missing-scope",
        "this operation requires the scope users:read",
    )
    assert client.get("/v2/users").json()["code"] == "unauthenticated"
