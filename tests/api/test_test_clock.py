"""The per-tenant test clock: test-mode tenants only, forwards only, audited."""

from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tenancy import business_clock
from tests.conftest import TenantFixture, make_tenant


def test_frozen_and_advanced(client: TestClient, db: Database, platform: dict) -> None:
    tenant = make_tenant(db, test_mode=True)
    assert client.get("/v2/test-clock", headers=tenant.headers).json()["mode"] == "SYSTEM"
    start = datetime.now(UTC) + timedelta(days=1)
    frozen = client.put(
        "/v2/test-clock", json={"frozenAt": start.isoformat()}, headers=tenant.headers
    ).json()
    assert frozen["mode"] == "FROZEN"
    assert datetime.fromisoformat(frozen["now"]) == start
    advanced = client.post(
        "/v2/test-clock/advance", json={"days": 31}, headers=tenant.headers
    ).json()
    assert datetime.fromisoformat(advanced["now"]) == start + timedelta(days=31)
    with db.reader() as session:
        assert business_clock(
            session, tenant_id=tenant.id, system=SystemClock()
        ).now() == start + timedelta(days=31)
    back = client.put(
        "/v2/test-clock", json={"frozenAt": start.isoformat()}, headers=tenant.headers
    )
    assert back.status_code == 409
    assert client.delete("/v2/test-clock", headers=tenant.headers).status_code == 409
    trail = client.get(
        "/v2/audit-trail", params={"search": "entityType==TestClock"}, headers=tenant.headers
    ).json()
    assert [e["action"] for e in trail["items"]] == ["UPDATE", "CREATE"]


def test_release_when_not_ahead(client: TestClient, db: Database, platform: dict) -> None:
    tenant = make_tenant(db, test_mode=True)
    past = datetime.now(UTC) - timedelta(days=3)
    client.put("/v2/test-clock", json={"frozenAt": past.isoformat()}, headers=tenant.headers)
    assert client.delete("/v2/test-clock", headers=tenant.headers).status_code == 204
    assert client.get("/v2/test-clock", headers=tenant.headers).json()["frozenAt"] is None


def test_production_tenants_have_no_test_clock(client: TestClient, tenant: TenantFixture) -> None:
    response = client.post("/v2/test-clock/advance", json={"days": 1}, headers=tenant.headers)
    assert response.status_code == 409 and "test-mode" in response.json()["detail"]
    naive = client.put(
        "/v2/test-clock", json={"frozenAt": "2026-01-01T00:00:00"}, headers=tenant.headers
    )
    assert naive.status_code in (400, 409)
