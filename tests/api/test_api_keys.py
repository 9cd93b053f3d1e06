"""API keys: scopes, validity, status, secret shown once, expiry, tenancy, traceability."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import api_keys
from tests.conftest import TenantFixture, app_at


def _create(client: TestClient, tenant: TenantFixture, **body: object) -> dict:
    payload = {"name": "billing export", "scopes": ["documents:read"], "validityDays": 30, **body}
    response = client.post("/v2/api-keys", json=payload, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_shows_secret_once_and_stores_only_a_hash(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    created = _create(client, tenant)
    token = created["token"]
    assert token.startswith(f"blg_{created['prefix']}_")
    assert created["status"] == "ACTIVE" and created["validityDays"] == 30
    expires = datetime.fromisoformat(created["expiresAt"])
    assert expires - datetime.fromisoformat(created["createdAt"]) == timedelta(days=30)
    fetched = client.get(f"/v2/api-keys/{created['id']}", headers=tenant.headers).json()
    assert "token" not in fetched and fetched["prefix"] == created["prefix"]
    listed = client.get("/v2/api-keys", headers=tenant.headers).text
    assert token not in listed
    # The key works with exactly its scope.
    own = {"Authorization": f"Bearer {token}"}
    assert client.get("/v2/scopes", headers=own).status_code == 403
    with db.reader() as session:
        stored = session.execute(select(api_keys.c.secret_hash)).scalars().all()
    assert all(token not in value for value in stored)


@pytest.mark.parametrize("days", [7, 30, 60, 90, None])
def test_allowed_validities(client: TestClient, tenant: TenantFixture, days: int | None) -> None:
    created = _create(client, tenant, validityDays=days)
    assert created["validityDays"] == days
    assert (created["expiresAt"] is None) == (days is None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"validityDays": 14}, "validityDays"),
        ({"scopes": ["documents:delete"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["tenants:read"]}, "scopes"),
        ({"name": " "}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_keys_are_400_naming_the_field(
    client: TestClient, tenant: TenantFixture, body: dict, field: str
) -> None:
    payload = {"name": "x", "scopes": ["documents:read"], "validityDays": 7, **body}
    response = client.post("/v2/api-keys", json=payload, headers=tenant.headers)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["errors"][0]["field"] == field
    assert problem["status"] == 400 and problem["type"].startswith("urn:beleg:problem:")


def test_a_key_cannot_grant_more_than_it_holds(client: TestClient, tenant: TenantFixture) -> None:
    limited = _create(client, tenant, scopes=["api-keys:write", "documents:read"])
    headers = {"Authorization": f"Bearer {limited['token']}"}
    response = client.post(
        "/v2/api-keys",
        headers=headers,
        json={"name": "escalate", "scopes": ["users:write"], "validityDays": 7},
    )
    assert response.status_code == 400 and "users:write" in response.json()["detail"]
    ok = client.post(
        "/v2/api-keys",
        headers=headers,
        json={"name": "narrower", "scopes": ["documents:read"], "validityDays": 7},
    )
    assert ok.status_code == 201
    assert ok.json()["createdByKeyId"] == limited["id"]


def test_expired_key_is_401_and_listed_as_expired(
    client: TestClient, db: Database, database_url: str, tenant: TenantFixture
) -> None:
    key = _create(client, tenant, scopes=["api-keys:read"], validityDays=7)
    later = app_at(db, database_url, datetime.now(UTC) + timedelta(days=7, seconds=1))
    expired = later.get("/v2/api-keys", headers={"Authorization": f"Bearer {key['token']}"})
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    listed = later.get(f"/v2/api-keys/{key['id']}", headers=tenant.headers).json()
    assert listed["status"] == "EXPIRED"
    earlier = app_at(db, database_url, datetime.now(UTC) + timedelta(days=6))
    assert (
        earlier.get("/v2/api-keys", headers={"Authorization": f"Bearer {key['token']}"}).status_code
        == 200
    )


def test_patch_and_delete(client: TestClient, tenant: TenantFixture) -> None:
    key = _create(client, tenant)
    patched = client.patch(
        f"/v2/api-keys/{key['id']}",
        headers=tenant.headers,
        json={"name": "renamed", "scopes": ["documents:read", "items:read"]},
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "renamed"
    assert patched.json()["scopes"] == ["documents:read", "items:read"]
    assert patched.json()["expiresAt"] == key["expiresAt"]
    assert client.delete(f"/v2/api-keys/{key['id']}", headers=tenant.headers).status_code == 204
    gone = {"Authorization": f"Bearer {key['token']}"}
    assert client.get("/v2/scopes", headers=gone).status_code == 401
    assert client.get(f"/v2/api-keys/{key['id']}", headers=tenant.headers).status_code == 404


def test_keys_of_another_tenant_are_404(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    key = _create(client, tenant)
    for method in ("GET", "PATCH", "DELETE"):
        response = client.request(
            method, f"/v2/api-keys/{key['id']}", json={"name": "x"}, headers=other_tenant.headers
        )
        assert response.status_code == 404, method
    others = client.get("/v2/api-keys", headers=other_tenant.headers).json()
    assert key["id"] not in {item["id"] for item in others["items"]}


def test_scope_catalogue_is_published(client: TestClient, tenant: TenantFixture) -> None:
    scopes = client.get("/v2/scopes", headers=tenant.headers).json()
    names = {s["name"] for s in scopes}
    assert {
        "customers:read",
        "customers:write",
        "documents:read",
        "api-keys:write",
        "audit-trail:read",
        "tenants:write",
    } <= names
    assert next(s for s in scopes if s["name"] == "tenants:write")["platform"] is True
    roles = {r["role"]: r["scopes"] for r in client.get("/v2/roles", headers=tenant.headers).json()}
    assert set(roles) == {"VIEWER", "ACCOUNTANT", "ADMIN", "SUPERUSER"}
    assert "tenants:read" not in roles["SUPERUSER"]


def test_a_key_cannot_create_a_key_that_outlives_it(
    client: TestClient, tenant: TenantFixture
) -> None:
    """Issue 12, finding 7: a 7-day key with api-keys:write minted an unlimited key."""
    short = _create(client, tenant, scopes=["api-keys:write", "documents:read"], validityDays=7)
    headers = {"Authorization": f"Bearer {short['token']}"}
    for days in (None, 90, 30, 7):  # even 7 days from now ends after the creating key
        response = client.post(
            "/v2/api-keys",
            headers=headers,
            json={"name": "longer", "scopes": ["documents:read"], "validityDays": days},
        )
        assert response.status_code == 400, (days, response.text)
        problem = response.json()
        assert problem["errors"][0]["field"] == "validityDays"
        assert "outlive" in problem["detail"], problem["detail"]
    parent = _create(client, tenant, scopes=["api-keys:write", "documents:read"], validityDays=30)
    headers = {"Authorization": f"Bearer {parent['token']}"}
    child = client.post(
        "/v2/api-keys",
        headers=headers,
        json={"name": "shorter", "scopes": ["documents:read"], "validityDays": 7},
    )
    assert child.status_code == 201, child.text
    assert child.json()["expiresAt"] <= parent["expiresAt"]
    german = client.post(
        "/v2/api-keys",
        headers={**headers, "Accept-Language": "de"},
        json={"name": "unlimited", "scopes": ["documents:read"], "validityDays": None},
    )
    assert german.status_code == 400 and "überdauern" in german.json()["detail"]
    unlimited = client.post(  # an unlimited key may create an unlimited one
        "/v2/api-keys",
        headers=tenant.headers,
        json={"name": "unlimited", "scopes": ["documents:read"], "validityDays": None},
    )
    assert unlimited.status_code == 201
