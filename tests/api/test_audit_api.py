"""The audit trail via API: entries for every change, actor and IP, filters, isolation."""

from starlette.testclient import TestClient

from tests.conftest import TenantFixture


def test_changes_are_recorded_with_actor_ip_and_before_after(
    client: TestClient, tenant: TenantFixture
) -> None:
    user = client.post(
        "/v2/users",
        headers={**tenant.headers, "X-Request-ID": "req-42"},
        json={"username": "audited", "password": "long enough password", "role": "VIEWER"},
    ).json()
    client.patch(f"/v2/users/{user['id']}", headers=tenant.headers, json={"role": "ACCOUNTANT"})
    client.delete(f"/v2/users/{user['id']}", headers=tenant.headers)
    page = client.get(
        "/v2/audit-trail",
        headers=tenant.headers,
        params={"search": f"entityType==User;entityId=={user['id']}"},
    ).json()
    actions = [e["action"] for e in page["items"]]
    assert actions == ["DELETE", "UPDATE", "CREATE"]
    create = page["items"][-1]
    assert create["actorType"] == "API_KEY" and create["ipAddress"] == "testclient"
    assert create["requestId"] == "req-42" and create["before"] is None
    assert "password_hash" not in create["after"]
    update = page["items"][1]
    assert update["before"]["role"] == "VIEWER" and update["after"]["role"] == "ACCOUNTANT"
    verification = client.get("/v2/audit-trail/verification", headers=tenant.headers).json()
    assert verification == {"intact": True, "entries": page["items"][0]["seq"], "breaks": []}


def test_entries_of_another_tenant_are_invisible(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    client.post(
        "/v2/api-keys",
        headers=tenant.headers,
        json={"name": "secret project", "scopes": ["items:read"], "validityDays": 7},
    )
    mine = client.get(
        "/v2/audit-trail",
        headers=tenant.headers,
        params={"search": "entityType==ApiKey", "size": 100},
    ).json()
    theirs = client.get(
        "/v2/audit-trail",
        headers=other_tenant.headers,
        params={"search": "entityType==ApiKey", "size": 100},
    ).json()
    assert mine["total"] == 2 and theirs["total"] == 1
    assert "secret project" not in str(theirs)


def test_paging_and_bad_parameters(client: TestClient, tenant: TenantFixture) -> None:
    page = client.get(
        "/v2/audit-trail", params={"size": 1, "page": 2, "sort": "seq"}, headers=tenant.headers
    ).json()
    assert page["page"] == 2 and page["size"] == 1 and page["items"][0]["seq"] == 2
    for params, field in [
        ({"size": 0}, "size"),
        ({"size": 100000}, "size"),
        ({"sort": "hash"}, "sort"),
        ({"search": "hash==x"}, "search"),
        ({"format": "xml"}, "format"),
    ]:
        response = client.get("/v2/audit-trail", params=params, headers=tenant.headers)
        assert response.status_code == 400, params
        assert response.json()["errors"][0]["field"] == field


def test_rsql_injection_attempts_are_400_or_harmless(
    client: TestClient, tenant: TenantFixture
) -> None:
    for search in [
        "entityType==User;1=1",
        "entityType==User) OR (1==1",
        "entityType==User'; DROP TABLE audit_entries; --",
        "seq=gt=0 UNION SELECT 1",
    ]:
        response = client.get("/v2/audit-trail", params={"search": search}, headers=tenant.headers)
        assert response.status_code == 400, search
        assert response.json()["code"] == "ValidationException"
    harmless = client.get(
        "/v2/audit-trail",
        headers=tenant.headers,
        params={"search": "entityType==\"User' OR '1'='1\""},
    )
    assert harmless.status_code == 200 and harmless.json()["total"] == 0
    assert client.get("/v2/audit-trail", headers=tenant.headers).json()["total"] >= 2


def test_single_entries_are_tenant_scoped(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    for i in range(3):
        client.post(
            "/v2/api-keys",
            headers=tenant.headers,
            json={"name": f"k{i}", "scopes": ["items:read"], "validityDays": 7},
        )
    entry = client.get("/v2/audit-trail/5", headers=tenant.headers)
    assert entry.status_code == 200 and entry.json()["after"]["name"] == "k2"
    assert client.get("/v2/audit-trail/5", headers=other_tenant.headers).status_code == 404
    assert (
        client.get("/v2/audit-trail/2", headers=other_tenant.headers).json()["after"]["name"]
        == "test admin"
    )
