"""Health, readiness, metrics, request ids, OpenAPI."""

import json

import pytest
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.api.observability import configure_logging
from beleg.db.database import Database
from beleg.settings import Settings
from tests.conftest import TenantFixture


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["schemaRevision"] == ready.json()["expectedRevision"] is not None


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers
    assert echoed["x-request-id"] == "abc-1"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id;<script>"}).headers
    assert len(generated["x-request-id"]) == 32


def test_metrics_count_requests_by_route_template(
    client: TestClient, tenant: TenantFixture
) -> None:
    client.get("/v2/api-keys", headers=tenant.headers)
    text = client.get("/metrics").text
    assert 'beleg_http_requests_total{method="GET",route="/v2/api-keys",status="200"}' in text
    assert "beleg_http_request_duration_seconds_bucket" in text


def test_openapi_documents_security_and_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "bearer" in spec["components"]["securitySchemes"]
    operation = spec["paths"]["/v2/users"]["post"]
    assert {"400", "401", "403"} <= set(operation["responses"])
    assert "text/csv" in spec["paths"]["/v2/audit-trail"]["get"]["responses"]["200"]["content"]


def test_unknown_routes_are_problem_details(client: TestClient) -> None:
    response = client.get("/v2/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_access_log_is_json_with_request_id_and_no_secrets(
    db: Database, database_url: str, tenant: TenantFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings=Settings(database_url=database_url, log_level="INFO"), db=db)
    try:
        with TestClient(app) as client:
            capsys.readouterr()
            client.get(
                "/v2/api-keys?search=name==x", headers={**tenant.headers, "X-Request-ID": "log-1"}
            )
            out = capsys.readouterr().out
    finally:
        configure_logging("WARNING", "json")
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    access = next(line for line in lines if line.get("request_id") == "log-1")
    assert access["route"] == "/v2/api-keys" and access["status"] == 200
    assert access["event"] == "request" and access["level"] == "info"
    assert "duration_ms" in access and "timestamp" in access
    assert tenant.token not in out and "search" not in json.dumps(access)
