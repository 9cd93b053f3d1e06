"""Every route declares a scope, and every scope is enforced: walk the route table."""

import re
import uuid

import pytest
from starlette.testclient import TestClient

from beleg.api.oauth import PUBLIC_PATHS as OAUTH_PATHS
from beleg.api.ops import PUBLIC_PATHS
from beleg.api.routing import route_table
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.services.identity.api_keys import create_api_key
from tests.conftest import TenantFixture, system_actor

DOCS_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _declared_scopes(route: object) -> list[str]:
    dependant = getattr(route, "dependant", None)
    found: list[str] = []

    def walk(dep: object) -> None:
        declared = getattr(dep, "own_oauth_scopes", None) or getattr(dep, "oauth_scopes", None)
        found.extend(declared or [])
        for child in getattr(dep, "dependencies", []):
            walk(child)

    walk(dependant)
    return sorted(set(found))


def _api_routes(app: object) -> list[tuple[str, str, list[str]]]:
    rows = []
    for info in route_table(app.routes):  # type: ignore[attr-defined]
        if info.path in DOCS_PATHS | PUBLIC_PATHS | OAUTH_PATHS:
            continue
        for method in sorted(info.methods - {"HEAD"}):
            rows.append((method, info.path, _declared_scopes(info.route)))
    return rows


def test_every_route_declares_exactly_one_scope(app: object) -> None:
    rows = _api_routes(app)
    assert len(rows) >= 25
    undeclared = [(m, p) for m, p, scopes in rows if len(scopes) != 1]
    assert undeclared == [], f"routes without a declared scope: {undeclared}"
    assert all(p.startswith(("/v2/", "/api/1.1/")) for _, p, _ in rows)


def _concrete(path: str) -> str:
    return re.sub(
        r"\{[^}]+\}", lambda m: "AT" if "country" in m.group() else str(uuid.uuid4()), path
    )


def test_each_route_refuses_missing_credentials_and_missing_scope(
    app: object, client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    # A key holding one harmless scope: every other route must answer 403 naming its scope.
    weak = create_api_key(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        name="weak",
        scopes=["webhooks:read"],
        validity_days=7,
        clock=SystemClock(),
    ).token
    for method, path, (scope,) in _api_routes(app):
        url = _concrete(path)
        anonymous = client.request(method, url, json={})
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        if scope == "webhooks:read":
            continue
        denied = client.request(method, url, json={}, headers={"Authorization": f"Bearer {weak}"})
        assert denied.status_code == 403, (method, path, denied.text)
        assert scope in denied.text


@pytest.mark.parametrize(
    "header", ["Bearer blg_unknown1_secret", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "]
)
def test_unknown_credentials_are_401(client: TestClient, header: str) -> None:
    response = client.get("/v2/users", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"


def test_a_tampered_secret_with_a_valid_prefix_is_401(
    client: TestClient, tenant: TenantFixture
) -> None:
    forged = tenant.token[:-4] + "AAAA"
    assert client.get("/v2/users", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
