"""Issue 12, finding 4: ``BELEG_MAX_BODY_BYTES`` bounds every request body before it is read.
A declared length over the limit is a 413 at once (the application never receives a byte),
a chunked body is cut off with 413 once it passes the limit, a body at the limit passes, and
a route may declare a larger allowance of its own."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.db.database import Database
from beleg.settings import Settings
from tests import conftest
from tests.conftest import TenantFixture

LIMIT = 1000
MB_200 = 200 * 1024 * 1024


@pytest.fixture(scope="module")
def small(db: Database, database_url: str) -> FastAPI:
    """The app with a 1000-byte limit and one route allowed 5000 bytes."""
    settings: Settings = conftest.test_settings(database_url).model_copy(
        update={"max_body_bytes": LIMIT}
    )
    app = create_app(settings=settings, db=db)

    @app.post("/upload", max_body_size=5 * LIMIT)
    async def upload(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return app


@pytest.fixture(scope="module")
def small_client(small: FastAPI) -> Iterator[TestClient]:
    with TestClient(small) as client:
        yield client


def call_with_length(app: FastAPI, path: str, length: int) -> tuple[list[dict[str, Any]], int]:
    """The app called as a server would, with headers only: (messages sent, receive calls)."""
    received = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        received += 1  # one call is enough to fail: the client would have to send the body
        return {"type": "http.request", "body": b"x" * 1024, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(length).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    return sent, received


def test_a_declared_200_mb_body_is_a_413_before_a_byte_is_received(small: FastAPI) -> None:
    for path in ("/v2/users", "/api/1.1/customers"):
        sent, received = call_with_length(small, path, MB_200)
        assert received == 0  # the application never asked for the body
        assert sent[0]["status"] == 413
        body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
        text = body.get("detail") or body.get("message")
        assert str(LIMIT) in text, body


def test_the_default_limit_is_10_mib(app: FastAPI) -> None:
    sent, received = call_with_length(app, "/v2/users", 10 * 1024 * 1024 + 1)
    assert (sent[0]["status"], received) == (413, 0)


def test_413_bodies_name_the_body_and_the_limit(
    small_client: TestClient, tenant: TenantFixture
) -> None:
    big = json.dumps({"companyName": "x" * LIMIT})
    billing = small_client.post(
        "/v2/users", content=big, headers=tenant.headers | {"Content-Type": "application/json"}
    )
    assert billing.status_code == 413
    assert billing.headers["content-type"] == "application/problem+json"
    assert billing.json()["code"] == "body-too-large"
    assert billing.json()["errors"] == [
        {"field": "body", "message": f"at most {LIMIT} bytes (BELEG_MAX_BODY_BYTES)"}
    ]
    accounting = small_client.post(
        "/api/1.1/customers",
        content=big,
        headers=tenant.headers | {"Content-Type": "application/json"},
    )
    assert accounting.status_code == 413
    assert accounting.json()["error"] == "PayloadTooLargeException"
    assert accounting.json()["message"] == f"Der Request-Body ist größer als {LIMIT} Bytes."


def chunks(total: int, size: int = 100) -> Iterator[bytes]:
    """A JSON body of exactly ``total`` bytes, streamed without a length (chunked)."""
    head, tail = b'{"companyName": "', b'"}'
    filler = total - len(head) - len(tail)
    yield head
    while filler > 0:
        yield b"x" * min(size, filler)
        filler -= size
    yield tail


def test_a_chunked_body_over_the_limit_is_cut_off_with_413(
    small_client: TestClient, tenant: TenantFixture
) -> None:
    headers = tenant.headers | {"Content-Type": "application/json", "Accept-Language": "en"}
    over = small_client.post("/api/1.1/customers", content=chunks(LIMIT + 1), headers=headers)
    assert over.status_code == 413, over.text
    assert over.json()["details"] == [f"body: at most {LIMIT} bytes (BELEG_MAX_BODY_BYTES)"]


def test_a_body_at_the_limit_passes(small_client: TestClient, tenant: TenantFixture) -> None:
    headers = tenant.headers | {"Content-Type": "application/json", "Accept-Language": "en"}
    chunked = small_client.post("/api/1.1/customers", content=chunks(LIMIT), headers=headers)
    assert chunked.status_code == 400  # read whole and validated: the name is too long
    assert chunked.json()["details"][0].startswith("companyName:")
    exact = b"".join(chunks(LIMIT))
    assert len(exact) == LIMIT
    declared = small_client.post("/api/1.1/customers", content=exact, headers=headers)
    assert declared.status_code == 400 and declared.json()["details"][0].startswith("companyName")
    created = small_client.post(
        "/api/1.1/customers", content=json.dumps({"companyName": "Kunde GmbH"}), headers=headers
    )
    assert created.status_code == 200, created.text


def test_a_route_may_allow_a_larger_body(small: FastAPI, small_client: TestClient) -> None:
    allowed = small_client.post("/upload", content=b"x" * (3 * LIMIT))
    assert allowed.status_code == 200 and allowed.json() == {"received": 3 * LIMIT}
    streamed = small_client.post("/upload", content=iter([b"x" * LIMIT] * 3))
    assert streamed.status_code == 200 and streamed.json() == {"received": 3 * LIMIT}
    assert small_client.post("/upload", content=b"x" * (6 * LIMIT)).status_code == 413
    cut = small_client.post("/upload", content=iter([b"x" * LIMIT] * 6))
    assert cut.status_code == 413 and cut.json()["code"] == "body-too-large"
    sent, received = call_with_length(small, "/upload", 6 * LIMIT)
    assert (sent[0]["status"], received) == (413, 0)
