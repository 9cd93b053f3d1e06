"""Tenants: platform administration only."""

import uuid

from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.queries.audit.verification import verify_tenant_chain
from tests.conftest import TenantFixture

NEW = {"name": "Muster GmbH", "country": "DE", "accountingMode": "EA"}


def _admin(platform: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {platform['token']}"}


def test_platform_admin_creates_lists_and_updates(client: TestClient, platform: dict) -> None:
    created = client.post("/v2/tenants", json={**NEW, "testMode": True}, headers=_admin(platform))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["timezone"] == "Europe/Berlin" and body["locale"] == "de_DE"
    assert body["accountingMode"] == "EA" and body["testMode"] is True
    assert 1000 < body["number"] < 10000
    listed = client.get(
        "/v2/tenants", params={"search": f"number=={body['number']}"}, headers=_admin(platform)
    ).json()
    assert [t["id"] for t in listed["items"]] == [body["id"]]
    patched = client.patch(
        f"/v2/tenants/{body['id']}",
        headers=_admin(platform),
        json={"name": "Muster AG", "locale": "en_GB"},
    )
    assert patched.status_code == 200 and patched.json()["name"] == "Muster AG"
    assert patched.json()["locale"] == "en_GB"


def test_fixed_settings_cannot_change(client: TestClient, platform: dict) -> None:
    tenant = client.post("/v2/tenants", json=NEW, headers=_admin(platform)).json()
    response = client.patch(
        f"/v2/tenants/{tenant['id']}", headers=_admin(platform), json={"accountingMode": "DE"}
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "accountingMode"


def test_invalid_settings_name_the_field(client: TestClient, platform: dict) -> None:
    for body, field in [
        ({"country": "FR"}, "country"),
        ({"accountingMode": "XX"}, "accountingMode"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"currency": "ABC"}, "currency"),
        ({"locale": "fr_FR"}, "locale"),
    ]:
        response = client.post("/v2/tenants", json={**NEW, **body}, headers=_admin(platform))
        assert response.status_code == 400, (body, response.text)
        assert response.json()["errors"][0]["field"] == field


def test_tenant_admins_are_not_platform_admins(client: TestClient, tenant: TenantFixture) -> None:
    assert client.get("/v2/tenants", headers=tenant.headers).status_code == 403
    assert client.post("/v2/tenants", json=NEW, headers=tenant.headers).status_code == 403


def test_onboarding_key_for_a_new_tenant(client: TestClient, db: Database, platform: dict) -> None:
    tenant = client.post("/v2/tenants", json=NEW, headers=_admin(platform)).json()
    response = client.post(
        f"/v2/tenants/{tenant['id']}/api-keys",
        headers=_admin(platform),
        json={"name": "first admin", "scopes": ["users:write", "users:read"], "validityDays": 7},
    )
    assert response.status_code == 201
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    assert client.get("/v2/users", headers=headers).json()["total"] == 0
    refused = client.post(
        f"/v2/tenants/{tenant['id']}/api-keys",
        headers=_admin(platform),
        json={"name": "x", "scopes": ["tenants:read"], "validityDays": 7},
    )
    assert refused.status_code == 400
    # Creation and onboarding key are audited in the new tenant's own chain, by the admin.
    result = verify_tenant_chain(db=db, tenant_id=uuid.UUID(tenant["id"]))
    assert result.intact and result.entries == 2
