"""Idempotency-Key on POST: replay, mismatch, scoping, and the request's unit of work that
commits a keyed POST's change with its stored response (invariant 7)."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import APIRouter, BackgroundTasks, Depends, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import func, insert, select, update
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.idempotency import request_fingerprint
from beleg.db.tables import api_keys, idempotency_records
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor, Principal
from beleg.services.identity.api_keys import authenticate_api_key, create_api_key
from tests.conftest import TenantFixture
from tests.conftest import test_settings as settings_for

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


def test_a_pending_claim_of_an_older_version_runs_until_its_lock_ends(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    """Claims used to be PENDING rows with a lease; one left behind by an older process counts
    as running until its locked_until and is then taken over."""
    content = json.dumps(BODY).encode()
    headers = {**tenant.headers, "Idempotency-Key": "from-an-older-version"}
    headers["Content-Type"] = "application/json"
    principal = authenticate_api_key(db=db, token=tenant.token, clock=SystemClock())
    assert isinstance(principal, Principal)
    now = datetime.now(UTC)
    where = (idempotency_records.c.tenant_id == tenant.id) & (
        idempotency_records.c.key == "from-an-older-version"
    )
    with db.transaction() as session:
        session.execute(
            insert(idempotency_records).values(
                tenant_id=tenant.id,
                principal=principal.idempotency_namespace,
                key="from-an-older-version",
                request_hash=request_fingerprint("POST", "/v2/api-keys", "", content),
                state="PENDING",
                created_at=now,
                locked_until=now + timedelta(minutes=1),
                expires_at=now + timedelta(hours=1),
            )
        )
    assert client.post("/v2/api-keys", content=content, headers=headers).status_code == 409
    with db.transaction() as session:
        session.execute(
            update(idempotency_records).where(where).values(locked_until=now - timedelta(1))
        )
    taken_over = client.post("/v2/api-keys", content=content, headers=headers)
    assert taken_over.status_code == 201 and "idempotent-replayed" not in taken_over.headers
    replay = client.post("/v2/api-keys", content=content, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == taken_over.json()
    assert _count(client, tenant) == 1


# The request's unit of work: endpoints that read before they write, render through a query,
# fail after a write, answer 5xx, handle their own errors, use BackgroundTasks or stream.

unit_router = APIRouter(prefix="/unit-of-work", route_class=BelegRoute)
later: list[dict[str, int]] = []
gate, entered = threading.Event(), threading.Event()


class Probe(BaseModel):
    name: str


def _new_key(rt: Runtime, actor: Actor, name: str) -> None:
    create_api_key(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        name=name,
        scopes=["items:read"],
        validity_days=7,
        clock=rt.clock,
    )


def _named(db: Database, tenant_id: uuid.UUID, name: str, *, committed: bool = False) -> int:
    """Keys of that name as a reader sees them, or (committed) as another connection does."""
    statement = (
        select(func.count())
        .select_from(api_keys)
        .where(api_keys.c.tenant_id == tenant_id, api_keys.c.name == name)
    )
    if committed:
        with db.read_engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())
    with db.reader() as session:
        return int(session.execute(statement).scalar_one())


@unit_router.post("/write-then-read", status_code=201)
def write_then_read(
    body: Probe, rt: Runtime = Depends(runtime), actor: Actor = requires("api-keys:write")
) -> dict[str, int]:
    tenant_id = actor.principal.tenant_id
    before = _named(rt.db, tenant_id, body.name)
    _new_key(rt, actor, body.name)
    return {"before": before, "after": _named(rt.db, tenant_id, body.name)}


@unit_router.post("/fail-after-write")
def fail_after_write(
    body: Probe,
    status: int,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires("api-keys:write"),
) -> Response:
    _new_key(rt, actor, body.name)
    if status == 400:
        raise ValidationFailed("querying.filename", field="filename")
    return JSONResponse({"written": True}, status_code=status)


@unit_router.post("/own-error-handling", status_code=201)
def own_error_handling(
    body: Probe, rt: Runtime = Depends(runtime), actor: Actor = requires("api-keys:write")
) -> dict[str, int]:
    try:
        with rt.db.transaction():
            _new_key(rt, actor, f"{body.name}-undone")
            raise ValidationFailed("querying.filename", field="filename")
    except ValidationFailed:
        pass
    _new_key(rt, actor, body.name)
    tenant_id = actor.principal.tenant_id
    return {
        "kept": _named(rt.db, tenant_id, body.name),
        "undone": _named(rt.db, tenant_id, f"{body.name}-undone"),
    }


def _after_the_response(rt: Runtime, actor: Actor, name: str) -> None:
    tenant_id = actor.principal.tenant_id
    later.append({"committed": _named(rt.db, tenant_id, name, committed=True)})
    _new_key(rt, actor, f"{name}-later")  # its own transaction: no writer is held any more


@unit_router.post("/background", status_code=201)
def with_background_task(
    body: Probe,
    tasks: BackgroundTasks,
    rt: Runtime = Depends(runtime),
    actor: Actor = requires("api-keys:write"),
) -> dict[str, str]:
    _new_key(rt, actor, body.name)
    tasks.add_task(_after_the_response, rt, actor, body.name)
    return {"name": body.name}


@unit_router.post("/stream")
def streamed(
    body: Probe, rt: Runtime = Depends(runtime), actor: Actor = requires("api-keys:write")
) -> StreamingResponse:
    _new_key(rt, actor, body.name)

    def chunks() -> Iterator[bytes]:  # runs after the commit, outside the unit
        yield str(_named(rt.db, actor.principal.tenant_id, body.name, committed=True)).encode()

    return StreamingResponse(chunks(), media_type="text/plain")


@unit_router.post("/slow", status_code=201)
def slow(
    body: Probe, rt: Runtime = Depends(runtime), actor: Actor = requires("api-keys:write")
) -> dict[str, str]:
    _new_key(rt, actor, body.name)
    entered.set()
    assert gate.wait(30)
    return {"name": body.name}


@pytest.fixture(scope="module")
def unit_client(db: Database, database_url: str) -> Iterator[TestClient]:
    application = create_app(settings=settings_for(database_url), db=db)
    application.include_router(unit_router)
    with TestClient(application) as test_client:
        yield test_client


def _keyed(tenant: TenantFixture) -> dict[str, str]:
    return {**tenant.headers, "Idempotency-Key": str(uuid.uuid4())}


def test_an_endpoint_reads_its_own_writes_in_the_unit(
    unit_client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    response = unit_client.post(
        "/unit-of-work/write-then-read", json={"name": "mine"}, headers=_keyed(tenant)
    )
    assert response.status_code == 201 and response.json() == {"before": 0, "after": 1}
    assert _named(db, tenant.id, "mine", committed=True) == 1


@pytest.mark.parametrize("status", [400, 503])
def test_a_failed_keyed_request_keeps_nothing_and_releases_its_key(
    unit_client: TestClient, db: Database, tenant: TenantFixture, status: int
) -> None:
    headers = _keyed(tenant)
    path = f"/unit-of-work/fail-after-write?status={status}"
    for _ in range(2):  # the retry runs again: the key was released
        response = unit_client.post(path, json={"name": "failed"}, headers=headers)
        assert response.status_code == status and "idempotent-replayed" not in response.headers
    assert _named(db, tenant.id, "failed", committed=True) == 0
    without_key = unit_client.post(path, json={"name": "failed"}, headers=tenant.headers)
    assert without_key.status_code == status
    assert _named(db, tenant.id, "failed", committed=True) == 1  # as before: no unit


def test_a_service_that_handles_its_own_error_keeps_working_in_the_unit(
    unit_client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    response = unit_client.post(
        "/unit-of-work/own-error-handling", json={"name": "saved"}, headers=_keyed(tenant)
    )
    assert response.status_code == 201 and response.json() == {"kept": 1, "undone": 0}
    assert _named(db, tenant.id, "saved", committed=True) == 1
    assert _named(db, tenant.id, "saved-undone", committed=True) == 0


def test_background_tasks_run_after_the_commit_outside_the_unit(
    unit_client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    later.clear()
    headers = _keyed(tenant)
    response = unit_client.post("/unit-of-work/background", json={"name": "bg"}, headers=headers)
    assert response.status_code == 201 and later == [{"committed": 1}]
    assert _named(db, tenant.id, "bg-later", committed=True) == 1
    replay = unit_client.post("/unit-of-work/background", json={"name": "bg"}, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true" and len(later) == 1


def test_a_streamed_response_commits_first_and_is_not_stored(
    unit_client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    headers = _keyed(tenant)
    first = unit_client.post("/unit-of-work/stream", json={"name": "streamed"}, headers=headers)
    assert first.status_code == 200 and first.text == "1"  # the body saw the committed change
    again = unit_client.post("/unit-of-work/stream", json={"name": "streamed"}, headers=headers)
    assert again.text == "2" and "idempotent-replayed" not in again.headers


def test_a_duplicate_while_the_first_runs_is_refused_or_waits(
    unit_client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    gate.clear()
    entered.clear()
    headers = _keyed(tenant)
    answers: dict[str, Any] = {}

    def send(name: str) -> None:
        answers[name] = unit_client.post(
            "/unit-of-work/slow", json={"name": "slow"}, headers=headers
        )

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert entered.wait(30)
    if db.dialect == "postgresql":  # the key's lock is taken: 409 at once
        send("second")
        assert answers["second"].status_code == 409
        assert answers["second"].headers["retry-after"] == "1"
        gate.set()
        first.join(30)
    else:  # SQLite: the duplicate waits for the single writer, then replays
        second = threading.Thread(target=send, args=("second",))
        second.start()
        time.sleep(0.3)
        gate.set()
        first.join(30)
        second.join(30)
        assert answers["second"].status_code == 201
        assert answers["second"].headers["idempotent-replayed"] == "true"
    assert answers["first"].status_code == 201
    assert _named(db, tenant.id, "slow", committed=True) == 1
