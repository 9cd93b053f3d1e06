"""Users: validated usernames, argon2id passwords, roles, and what happens to their keys."""

import uuid

from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import users
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.services.identity.api_keys import create_api_key
from tests.conftest import TenantFixture

PASSWORD = "correct horse battery staple"


def _user(
    client: TestClient, tenant: TenantFixture, username: str = "erika", role: str = "ACCOUNTANT"
) -> dict:
    response = client.post(
        "/v2/users",
        headers=tenant.headers,
        json={
            "username": username,
            "password": PASSWORD,
            "role": role,
            "displayName": "Erika Muster",
            "email": "erika@example.at",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_create_user_hashes_the_password(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    user = _user(client, tenant, "Erika.Muster")
    assert user["username"] == "erika.muster" and user["role"] == "ACCOUNTANT"
    assert "password" not in user and "passwordHash" not in user
    with db.reader() as session:
        stored = session.execute(
            select(users.c.password_hash).where(users.c.id == uuid.UUID(user["id"]))
        ).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_umlaut_in_username_names_the_character(client: TestClient, tenant: TenantFixture) -> None:
    response = client.post(
        "/v2/users",
        headers=tenant.headers,
        json={"username": "jürgen", "password": PASSWORD, "role": "VIEWER"},
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["errors"] == [{"field": "username", "message": problem["detail"]}]
    assert "invalid character 'ü'" in problem["detail"]


def test_duplicate_username_is_409_case_insensitively(
    client: TestClient, tenant: TenantFixture
) -> None:
    _user(client, tenant, "max")
    response = client.post(
        "/v2/users",
        headers=tenant.headers,
        json={"username": "MAX", "password": PASSWORD, "role": "VIEWER"},
    )
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "username"


def test_same_username_in_another_tenant_is_fine(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    _user(client, tenant, "shared")
    _user(client, other_tenant, "shared")


def test_bad_role_and_short_password(client: TestClient, tenant: TenantFixture) -> None:
    bad_role = client.post(
        "/v2/users",
        headers=tenant.headers,
        json={"username": "x1x", "password": PASSWORD, "role": "OWNER"},
    )
    assert bad_role.status_code == 400 and bad_role.json()["errors"][0]["field"] == "role"
    short = client.post(
        "/v2/users",
        headers=tenant.headers,
        json={"username": "x2x", "password": "short", "role": "VIEWER"},
    )
    assert short.status_code == 400 and short.json()["errors"][0]["field"] == "password"
    missing = client.post("/v2/users", headers=tenant.headers, json={"username": "x3x"})
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"password", "role"}


def test_a_limited_key_cannot_create_an_admin(client: TestClient, tenant: TenantFixture) -> None:
    key = client.post(
        "/v2/api-keys",
        headers=tenant.headers,
        json={"name": "hr", "scopes": ["users:write", "users:read"], "validityDays": 7},
    ).json()
    response = client.post(
        "/v2/users",
        headers={"Authorization": f"Bearer {key['token']}"},
        json={"username": "boss", "password": PASSWORD, "role": "ADMIN"},
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "role"


def test_user_detail_lists_their_keys_and_delete_keeps_them(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    user = _user(client, tenant, "keyholder", role="ADMIN")
    acting = Actor(
        Principal(
            tenant_id=tenant.id,
            actor_type=ActorType.USER,
            actor_id=user["id"],
            name="keyholder",
            scopes=frozenset({"documents:read"}),
            user_id=uuid.UUID(user["id"]),
        )
    )
    key = create_api_key(
        db=db,
        actor=acting,
        tenant_id=tenant.id,
        name="user key",
        scopes=["documents:read"],
        validity_days=None,
        clock=SystemClock(),
    )
    detail = client.get(f"/v2/users/{user['id']}", headers=tenant.headers).json()
    assert [k["id"] for k in detail["apiKeys"]] == [str(key.key.id)]
    assert detail["apiKeys"][0]["createdBy"] == "keyholder"

    deleted = client.delete(f"/v2/users/{user['id']}", headers=tenant.headers)
    assert deleted.status_code == 200
    body = deleted.json()
    assert body["keptApiKeyIds"] == [str(key.key.id)]
    assert "1 API key(s) they created were kept" in body["message"]
    kept = client.get(f"/v2/api-keys/{key.key.id}", headers=tenant.headers).json()
    assert kept["createdBy"] == "keyholder" and kept["createdByUserId"] is None
    assert client.get("/v2/users/" + user["id"], headers=tenant.headers).status_code == 404
    with_key = {"Authorization": f"Bearer {key.token}"}
    assert client.get("/api/1.1/currencies", headers=with_key).status_code == 403


def test_patch_user(client: TestClient, tenant: TenantFixture) -> None:
    user = _user(client, tenant, "patchme")
    response = client.patch(
        f"/v2/users/{user['id']}",
        headers=tenant.headers,
        json={"role": "VIEWER", "email": None, "password": PASSWORD + "!"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "VIEWER" and body["email"] is None
    assert body["passwordChangedAt"] > user["passwordChangedAt"]


def test_users_list_filters_and_csv(client: TestClient, tenant: TenantFixture) -> None:
    for name in ("ulla", "uwe"):
        _user(client, tenant, name, role="VIEWER")
    page = client.get(
        "/v2/users", params={"search": "role==VIEWER", "sort": "-username"}, headers=tenant.headers
    ).json()
    assert [u["username"] for u in page["items"]] == ["uwe", "ulla"] and page["total"] == 2
    csv_text = client.get(
        "/v2/users", params={"format": "csv", "columns": "username,role"}, headers=tenant.headers
    ).text
    assert csv_text == "username,role\r\nulla,VIEWER\r\nuwe,VIEWER\r\n"
