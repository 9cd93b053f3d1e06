"""Health, readiness, metrics, request ids, OpenAPI."""

from starlette.testclient import TestClient

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


def test_metrics_count_requests_by_route_template(client: TestClient,
                                                  tenant: TenantFixture) -> None:
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
