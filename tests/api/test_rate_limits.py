"""Rate limits: 429 with Retry-After and RateLimit-* headers, per credential and per client
address, in process memory or shared through Redis by several API processes."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.db.database import Database
from beleg.settings import Settings
from tests.conftest import make_tenant

REDIS_URL = os.environ.get("BELEG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def limited_client(db: Database, database_url: str, **limits: str) -> TestClient:
    settings = Settings(database_url=database_url, log_level="WARNING", **limits)
    return TestClient(create_app(settings=settings, db=db))


def test_a_credential_gets_429_after_its_limit(
    db: Database, database_url: str, platform: dict[str, object]
) -> None:
    tenant = make_tenant(db)
    client = limited_client(db, database_url, rate_limit_per_credential="3/minute")
    statuses = [client.get("/v2/scopes", headers=tenant.headers).status_code for _ in range(3)]
    refused = client.get("/v2/scopes", headers=tenant.headers)
    assert statuses == [200, 200, 200] and refused.status_code == 429
    assert refused.headers["RateLimit-Limit"] == "3"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["code"] == "rate-limited"
    accounting = client.get("/api/1.1/countries", headers=tenant.headers)
    assert accounting.status_code == 429 and accounting.json()["error"] == "rate-limited"
    other = make_tenant(db)  # another credential is not affected
    assert client.get("/v2/scopes", headers=other.headers).status_code == 200


def test_a_client_address_gets_429_before_authentication(db: Database, database_url: str) -> None:
    client = limited_client(db, database_url, rate_limit_per_ip="4/minute")
    statuses = [client.get("/v2/scopes").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert client.get("/healthz").status_code == 200  # operations endpoints are not limited


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one)")


def test_processes_share_a_limit_through_redis(
    db: Database, database_url: str, platform: dict[str, object]
) -> None:
    _redis_or_skip()
    tenant = make_tenant(db)
    limits = {
        "rate_limit_per_credential": "3/minute",
        "redis_url": REDIS_URL,
        "rate_limit_per_ip": f"{10_000 + uuid.uuid4().int % 1000}/minute",
    }
    first, second = (limited_client(db, database_url, **limits) for _ in range(2))
    assert first.get("/v2/scopes", headers=tenant.headers).status_code == 200
    assert second.get("/v2/scopes", headers=tenant.headers).status_code == 200
    assert first.get("/v2/scopes", headers=tenant.headers).status_code == 200
    refused = second.get("/v2/scopes", headers=tenant.headers)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
