"""Idempotency-Key on POST: replay, mismatch, scoping (invariant 7)."""

import uuid

from starlette.testclient import TestClient

from tests.conftest import TenantFixture

BODY = {"name": "idempotent", "scopes": ["items:read"], "validityDays": 7}


def _count(client: TestClient, tenant: TenantFixture) -> int:
    return client.get(
        "/v2/api-keys", params={"search": "name==idempotent"}, headers=tenant.headers
    ).json()["total"]


def test_same_key_and_body_replays_the_first_response(
    client: TestClient, tenant: TenantFixture
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/v2/api-keys", json=BODY, headers=headers)
    second = client.post("/v2/api-keys", json=BODY, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _count(client, tenant) == 1
    audit = client.get(
        "/v2/audit-trail",
        params={"search": "entityType==ApiKey;action==CREATE"},
        headers=tenant.headers,
    ).json()
    assert audit["total"] == 2  # the fixture's key and this one, not a third


def test_same_key_different_body_is_422(client: TestClient, tenant: TenantFixture) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "order-7"}
    assert client.post("/v2/api-keys", json=BODY, headers=headers).status_code == 201
    response = client.post("/v2/api-keys", json={**BODY, "validityDays": 30}, headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency-key-reused"
    assert _count(client, tenant) == 1


def test_without_a_key_each_post_acts(client: TestClient, tenant: TenantFixture) -> None:
    client.post("/v2/api-keys", json=BODY, headers=tenant.headers)
    client.post("/v2/api-keys", json=BODY, headers=tenant.headers)
    assert _count(client, tenant) == 2


def test_keys_are_scoped_to_the_principal(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    client.post("/v2/api-keys", json=BODY, headers={**tenant.headers, **key})
    other = client.post("/v2/api-keys", json=BODY, headers={**other_tenant.headers, **key})
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers
    assert _count(client, other_tenant) == 1


def test_failed_requests_are_not_stored(client: TestClient, tenant: TenantFixture) -> None:
    headers = {**tenant.headers, "Idempotency-Key": "retry-me"}
    bad = client.post("/v2/api-keys", json={**BODY, "validityDays": 13}, headers=headers)
    assert bad.status_code == 400
    again = client.post("/v2/api-keys", json={**BODY, "validityDays": 13}, headers=headers)
    assert again.status_code == 400 and "idempotent-replayed" not in again.headers
    # The key was not bound to the failed request: the corrected request runs under it.
    corrected = client.post("/v2/api-keys", json=BODY, headers=headers)
    assert corrected.status_code == 201 and "idempotent-replayed" not in corrected.headers
    assert _count(client, tenant) == 1


def test_an_overlong_key_is_400(client: TestClient, tenant: TenantFixture) -> None:
    response = client.post(
        "/v2/api-keys", json=BODY, headers={**tenant.headers, "Idempotency-Key": "x" * 256}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert _count(client, tenant) == 0
