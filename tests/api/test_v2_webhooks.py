"""Outgoing webhooks under /v2/webhook-endpoints and /v2/webhook-deliveries (delivery issue;
ADR 0021; seed 002), against a real HTTP receiver on 127.0.0.1: a delivered event verifies
with the standardwebhooks library and equals GET /v2/webhook-deliveries/{id} byte for byte,
retries follow the backoff on the test clock, 3 days of failures disable the endpoint, the
test event has a real event's shape, replay resends the same delivery, and no endpoint may
point at a private, loopback or link-local address, at creation or at delivery."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook
from starlette.testclient import TestClient

from beleg.adapters import webhooks as adapter
from beleg.api.app import create_app
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.delivery import webhooks as repo
from beleg.db.tables import audit_entries, webhook_deliveries
from beleg.domain.delivery.catalogue import CATALOGUE
from beleg.domain.delivery.webhooks import WebhookEndpoint, new_secret
from beleg.jobs import worker
from beleg.services.delivery.dispatch import dispatch_pending
from beleg.services.delivery.work import deliver_due
from beleg.settings import get_settings
from tests import conftest
from tests.api.test_notifications import key_for
from tests.api.test_v2_catalogue import call
from tests.conftest import TenantFixture, make_tenant
from tests.receiver import Receiver, running_receiver

CUSTOMER = {"type": "B2C", "firstName": "Eva", "lastName": "Berg", "country": "DE"}
START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def hooks(db: Database, database_url: str) -> Iterator[TestClient]:
    """The app with BELEG_WEBHOOKS_ALLOW_LOOPBACK on (the test receivers are loopback)."""
    settings = conftest.test_settings(database_url).model_copy(
        update={"webhooks_allow_loopback": True}
    )
    with TestClient(create_app(settings=settings, db=db)) as client:
        yield client


@pytest.fixture
def tenant(billing_tenant: TenantFixture) -> TenantFixture:
    return billing_tenant  # test mode


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def endpoint(
    client: TestClient, tenant: TenantFixture, url: str, *types: str, **extra: Any
) -> dict[str, Any]:
    body = {"url": url, "eventTypes": list(types or ("customer.created",)), **extra}
    return call(client, tenant, "POST", "/webhook-endpoints", body, status=201)  # type: ignore[no-any-return]


def work(db: Database, tenant: TenantFixture, *, allow_loopback: bool = True) -> int:
    """One worker round of the tenant's delivery: dispatch, then send what is due."""
    return deliver_due(
        db=db, tenant_id=tenant.id, clock=SystemClock(), allow_loopback=allow_loopback
    ).webhooks


def new_customer(client: TestClient, tenant: TenantFixture) -> dict[str, Any]:
    return call(client, tenant, "POST", "/customers", CUSTOMER, status=201)  # type: ignore[no-any-return]


def deliveries(client: TestClient, tenant: TenantFixture, endpoint_id: str, query: str = "") -> Any:
    return call(client, tenant, "GET", f"/webhook-endpoints/{endpoint_id}/deliveries{query}")


def freeze(client: TestClient, tenant: TenantFixture, at: datetime) -> None:
    call(client, tenant, "PUT", "/test-clock", {"frozenAt": at.isoformat()})


def advance(client: TestClient, tenant: TenantFixture, seconds: int) -> None:
    call(client, tenant, "POST", "/test-clock/advance", {"seconds": seconds})


def error_of(response: Any) -> tuple[int, str, str]:
    problem = response.json()
    first = problem["errors"][0]
    return response.status_code, first["field"], first["message"]


def test_the_catalogue_lists_the_published_types_with_descriptions(
    hooks: TestClient, tenant: TenantFixture
) -> None:
    listed = call(hooks, tenant, "GET", "/webhook-event-types")
    names = [t["name"] for t in listed]
    assert names == [t.name for t in CATALOGUE] + ["webhook.test"]
    assert {"customer.updated", "payment.created", "billing_run.completed"} <= set(names)
    by_name = {t["name"]: t for t in listed}
    assert by_name["customer.updated"]["description"] == (
        "A customer changed; data.customer and data.oldCustomer (before)"
    )
    assert by_name["webhook.test"]["subscribable"] is False
    german = hooks.get(
        "/v2/webhook-event-types", headers={**tenant.headers, "Accept-Language": "de"}
    ).json()
    assert german[0]["description"] == "Ein Kunde wurde angelegt; data.customer"


def test_a_delivered_event_verifies_and_equals_the_stored_delivery(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    made = endpoint(hooks, tenant, receiver.url, "customer.created", description="CRM")
    secret = made["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    assert "secret" not in call(hooks, tenant, "GET", f"/webhook-endpoints/{made['id']}")
    customer = new_customer(hooks, tenant)
    assert work(db, tenant) == 1
    (got,) = receiver.requests
    event = Webhook(secret).verify(got.body, got.headers)
    assert list(event) == ["id", "type", "createdAt", "webhookEndpoint", "data"]
    assert (event["type"], event["webhookEndpoint"]) == ("customer.created", {"id": made["id"]})
    assert event["data"]["customer"]["id"] == customer["id"]
    assert event["data"]["customer"]["lastName"] == "Berg"
    created = datetime.fromisoformat(event["createdAt"])
    assert event["createdAt"].endswith("Z") and abs(created - datetime.now(UTC)) < timedelta(
        minutes=1
    )
    stored = call(hooks, tenant, "GET", f"/webhook-deliveries/{got.headers['webhook-id']}")
    assert stored["payload"].encode() == got.body  # seed 002: verify by fetching the id
    assert (stored["status"], stored["attempts"], stored["eventId"]) == (
        "DELIVERED",
        1,
        event["id"],
    )
    (attempt,) = stored["attemptLog"]
    assert (attempt["number"], attempt["statusCode"], attempt["responseBody"]) == (1, 200, "ok")
    assert attempt["error"] is None
    assert abs(int(got.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
    assert work(db, tenant) == 0  # delivered once


def test_customer_updated_carries_the_old_and_the_new_customer(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    made = endpoint(hooks, tenant, receiver.url, "customer.updated")
    customer = new_customer(hooks, tenant)
    changed = call(hooks, tenant, "PATCH", f"/customers/{customer['id']}", {"lastName": "Lind"})
    assert work(db, tenant) == 1  # customer.created is not subscribed
    (got,) = receiver.requests
    event = Webhook(made["secret"]).verify(got.body, got.headers)
    assert event["type"] == "customer.updated"
    assert event["data"]["oldCustomer"]["lastName"] == "Berg"
    assert event["data"]["customer"]["lastName"] == "Lind"
    assert event["data"]["customer"]["id"] == changed["id"] == customer["id"]


def test_failures_are_retried_with_growing_delays_on_the_test_clock(
    hooks: TestClient, db: Database, tenant: TenantFixture
) -> None:
    freeze(hooks, tenant, START)
    with running_receiver(answers=[500, 500]) as receiver:
        made = endpoint(hooks, tenant, receiver.url)
        new_customer(hooks, tenant)
        assert work(db, tenant) == 1
        (pending,) = deliveries(hooks, tenant, made["id"])["items"]
        assert pending["nextAttemptAt"] == "2026-05-04T08:00:10Z"
        assert (pending["status"], pending["lastError"]) == ("PENDING", "HTTP 500")
        assert work(db, tenant) == 0  # not due yet: nothing sleeps, the clock decides
        advance(hooks, tenant, 10)
        assert work(db, tenant) == 1
        (pending,) = deliveries(hooks, tenant, made["id"])["items"]
        assert pending["nextAttemptAt"] == "2026-05-04T08:00:30Z"  # 20 s after the second
        advance(hooks, tenant, 19)
        assert work(db, tenant) == 0
        advance(hooks, tenant, 1)
        assert work(db, tenant) == 1
        assert len(receiver.requests) == 3
    bodies = {r.body for r in receiver.requests}
    assert len(bodies) == 1  # the same payload each time
    for got in receiver.requests:  # signed at the real time, not the frozen 2026-05-04
        Webhook(made["secret"]).verify(got.body, got.headers)
    stored = call(hooks, tenant, "GET", f"/webhook-deliveries/{pending['id']}")
    assert stored["status"] == "DELIVERED" and stored["deliveredAt"] == "2026-05-04T08:00:30Z"
    log = [(a["number"], a["statusCode"], a["startedAt"]) for a in stored["attemptLog"]]
    assert log == [
        (1, 500, "2026-05-04T08:00:00Z"),
        (2, 500, "2026-05-04T08:00:10Z"),
        (3, 200, "2026-05-04T08:00:30Z"),
    ]
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert ids == {stored["id"]}


def test_disabled_and_later_endpoints_and_other_types_get_nothing(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    off = endpoint(hooks, tenant, receiver.url, enabled=False)
    other = endpoint(hooks, tenant, receiver.url, "contract.created")
    new_customer(hooks, tenant)
    assert work(db, tenant) == 0
    later = endpoint(hooks, tenant, receiver.url)  # the event happened before it existed
    assert work(db, tenant) == 0
    assert receiver.requests == []
    for made in (off, other, later):
        assert deliveries(hooks, tenant, made["id"])["total"] == 0
    call(hooks, tenant, "PATCH", f"/webhook-endpoints/{later['id']}", {"enabled": False})
    new_customer(hooks, tenant)
    assert work(db, tenant) == 0 and receiver.requests == []


def test_three_days_of_failures_disable_the_endpoint_and_notify(
    hooks: TestClient, db: Database, tenant: TenantFixture
) -> None:
    freeze(hooks, tenant, START)
    admin = call(hooks, tenant, "POST", "/users", {
        "username": "admin1", "password": "correct horse battery staple", "role": "ADMIN",
        "displayName": "Ada Admin", "email": "ada@tenant.example",
    }, status=201)  # fmt: skip
    with running_receiver(default=503) as receiver:
        made = endpoint(hooks, tenant, receiver.url)
        new_customer(hooks, tenant)
        elapsed, attempts = 0, 0
        while attempts < 40:
            attempts += work(db, tenant)
            (delivery,) = deliveries(hooks, tenant, made["id"])["items"]
            if delivery["status"] != "PENDING":
                break
            due = datetime.fromisoformat(delivery["nextAttemptAt"])
            step = int((due - START).total_seconds()) - elapsed
            advance(hooks, tenant, step)
            elapsed += step
        assert delivery["status"] == "FAILED" and delivery["nextAttemptAt"] is None
        # 10 s doubling for 12 failures (40,950 s), then every 6 h while within 3 days
        assert attempts == len(receiver.requests) == delivery["attempts"] == 23
        assert elapsed == 40_950 + 10 * 6 * 3600 < timedelta(days=3).total_seconds()
        shown = call(hooks, tenant, "GET", f"/webhook-endpoints/{made['id']}")
        assert shown["enabled"] is False
        assert shown["disabledReason"] == f"disabled: delivery {delivery['id']} failed for 3 days"
        new_customer(hooks, tenant)
        advance(hooks, tenant, 3600)
        assert work(db, tenant) == 0 and len(receiver.requests) == 23
    with db.reader() as session:
        entries = session.execute(
            select(audit_entries.c.entity_type, audit_entries.c.actor_name, audit_entries.c.after)
            .where(audit_entries.c.tenant_id == tenant.id, audit_entries.c.entity_id == made["id"])
            .order_by(audit_entries.c.seq)
        ).all()
    assert [(e.entity_type, e.actor_name) for e in entries[1:]] == [
        ("WebhookEndpoint", "webhook delivery"),
    ]
    assert entries[1].after["enabled"] is False
    (notice,) = call(hooks, tenant, "GET", "/mails?filter=kind==webhook_endpoint_disabled")[
        "items"
    ]  # queued with the disabling, to the tenant's admin
    assert (notice["status"], notice["recipients"]) == ("QUEUED", ["ada@tenant.example"])
    shown_mail = call(hooks, tenant, "GET", f"/mails/{notice['id']}")
    assert made["url"] in shown_mail["subject"] and made["url"] in shown_mail["body"]
    ada = key_for(db, tenant, uuid.UUID(admin["id"]), "admin1")  # notified beside the mail
    (notification,) = hooks.post("/api/1.1/notifications", headers=ada).json()
    assert notification["text"] == (
        f"Der Webhook-Endpunkt {made['url']} wurde deaktiviert: {shown['disabledReason']}"
    )
    replay = hooks.post(f"/v2/webhook-deliveries/{delivery['id']}/replay", headers=tenant.headers)
    assert replay.status_code == 409
    test = hooks.post(f"/v2/webhook-endpoints/{made['id']}/test", headers=tenant.headers)
    assert error_of(test) == (
        409,
        "id",
        f"the webhook endpoint {made['id']} is disabled: enable it first",
    )
    enabled = call(hooks, tenant, "PATCH", f"/webhook-endpoints/{made['id']}", {"enabled": True})
    assert (enabled["enabled"], enabled["disabledReason"]) == (True, None)


def test_replay_sends_the_same_delivery_again(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    made = endpoint(hooks, tenant, receiver.url)
    new_customer(hooks, tenant)
    assert work(db, tenant) == 1
    first = receiver.requests[0]
    delivery_id = first.headers["webhook-id"]
    replayed = call(hooks, tenant, "POST", f"/webhook-deliveries/{delivery_id}/replay")
    assert (replayed["id"], replayed["status"], replayed["attempts"]) == (delivery_id, "PENDING", 1)
    assert work(db, tenant) == 1
    again = receiver.requests[1]
    assert (again.body, again.headers["webhook-id"]) == (first.body, delivery_id)
    Webhook(made["secret"]).verify(again.body, again.headers)
    stored = call(hooks, tenant, "GET", f"/webhook-deliveries/{delivery_id}")
    assert [a["number"] for a in stored["attemptLog"]] == [1, 2]
    assert stored["status"] == "DELIVERED"
    unknown = hooks.post(f"/v2/webhook-deliveries/{uuid.uuid4()}/replay", headers=tenant.headers)
    assert unknown.status_code == 404


def test_the_test_event_has_a_real_events_shape_and_the_endpoints_id(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    made = endpoint(hooks, tenant, receiver.url)
    answered = call(hooks, tenant, "POST", f"/webhook-endpoints/{made['id']}/test")
    assert (answered["eventType"], answered["status"]) == ("webhook.test", "DELIVERED")
    assert answered["attemptLog"][0]["statusCode"] == 200
    (got,) = receiver.requests
    test_event = Webhook(made["secret"]).verify(got.body, got.headers)
    assert answered["payload"].encode() == got.body
    new_customer(hooks, tenant)
    work(db, tenant)
    real = json.loads(receiver.requests[1].body)
    assert list(test_event) == list(real)
    assert test_event["webhookEndpoint"] == real["webhookEndpoint"] == {"id": made["id"]}
    assert test_event["data"] == {"message": "This is a test event from Beleg."}
    receiver.answers = [500]
    failed = call(hooks, tenant, "POST", f"/webhook-endpoints/{made['id']}/test")
    assert (failed["status"], failed["attempts"], failed["lastError"]) == ("PENDING", 1, "HTTP 500")
    assert failed["nextAttemptAt"] is not None  # retried like any other


def test_rotating_the_secret_signs_with_the_new_one(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    made = endpoint(hooks, tenant, receiver.url)
    rotated = call(hooks, tenant, "POST", f"/webhook-endpoints/{made['id']}/rotate-secret")
    assert rotated["secret"] != made["secret"] and rotated["secret"].startswith("whsec_")
    new_customer(hooks, tenant)
    work(db, tenant)
    (got,) = receiver.requests
    Webhook(rotated["secret"]).verify(got.body, got.headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(made["secret"]).verify(got.body, got.headers)


def test_endpoints_are_listed_changed_and_deleted_with_their_log(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    made = endpoint(hooks, tenant, receiver.url, "customer.created", "customer.updated")
    assert made["eventTypes"] == ["customer.created", "customer.updated"]
    customer = new_customer(hooks, tenant)
    call(hooks, tenant, "PATCH", f"/customers/{customer['id']}", {"lastName": "Lind"})
    receiver.answers = [200, 500]
    assert work(db, tenant) == 2
    assert deliveries(hooks, tenant, made["id"])["total"] == 2
    failed = deliveries(hooks, tenant, made["id"], "?status=PENDING")["items"]
    assert [d["eventType"] for d in failed] == ["customer.updated"]
    typed = deliveries(hooks, tenant, made["id"], "?search=eventType==customer.created")
    assert [d["status"] for d in typed["items"]] == ["DELIVERED"]
    by_type = deliveries(hooks, tenant, made["id"], "?type=customer.updated")
    assert [d["status"] for d in by_type["items"]] == ["PENDING"]
    changed = call(
        hooks, tenant, "PATCH", f"/webhook-endpoints/{made['id']}", {"eventTypes": ["plan.created"]}
    )
    assert changed["eventTypes"] == ["plan.created"] and changed["url"] == receiver.url
    listed = call(hooks, tenant, "GET", "/webhook-endpoints?search=enabled==true")
    assert made["id"] in [e["id"] for e in listed["items"]]
    null_url = hooks.patch(
        f"/v2/webhook-endpoints/{made['id']}", json={"url": None}, headers=tenant.headers
    )
    assert error_of(null_url)[:2] == (400, "url")
    call(hooks, tenant, "DELETE", f"/webhook-endpoints/{made['id']}", status=204)
    assert (
        hooks.get(f"/v2/webhook-endpoints/{made['id']}", headers=tenant.headers).status_code == 404
    )
    with db.reader() as session:
        left = session.execute(
            select(webhook_deliveries.c.id).where(
                webhook_deliveries.c.tenant_id == tenant.id,
                webhook_deliveries.c.endpoint_id == uuid.UUID(made["id"]),
            )
        ).all()
    assert left == []


def test_another_tenant_sees_none_of_it(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    made = endpoint(hooks, tenant, receiver.url)
    new_customer(hooks, tenant)
    work(db, tenant)
    delivery_id = receiver.requests[0].headers["webhook-id"]
    other = make_tenant(db, test_mode=True)
    for path in (f"/webhook-endpoints/{made['id']}", f"/webhook-deliveries/{delivery_id}"):
        assert hooks.get(f"/v2{path}", headers=other.headers).status_code == 404
    for path in (
        f"/webhook-endpoints/{made['id']}/test",
        f"/webhook-deliveries/{delivery_id}/replay",
    ):
        assert hooks.post(f"/v2{path}", headers=other.headers).status_code == 404
    assert call(hooks, other, "GET", "/webhook-endpoints")["total"] == 0


@pytest.mark.parametrize(
    ("url", "field", "text"),
    [
        ("http://hooks.example.com/x", "url", "url must use https"),
        ("ftp://hooks.example.com/x", "url", "url must use https"),
        ("https://user:pw@hooks.example.com/x", "url", "url must not contain a user name"),
        ("https://10.0.0.1/x", "url", "url points to 10.0.0.1, a private address"),
        ("https://169.254.169.254/latest", "url", "a link-local address"),
        ("https://[::1]:8443/x", "url", "url points to ::1, a loopback address"),
        ("https://[::ffff:10.0.0.1]/x", "url", "a private address"),
        ("https://localhost/x", "url", "url points to 127.0.0.1, a loopback address"),
        ("https://no-such-host.invalid/x", "url", "the host no-such-host.invalid of url cannot"),
        ("not a url", "url", "url is not a valid absolute URL"),
        ("https://:443/x", "url", "url must use https"),
        ("https://" + "a" * 2000 + ".example/", "url", "url is not a valid absolute URL"),
    ],
)
def test_bad_endpoints_are_refused_naming_the_field_and_rule(
    hooks: TestClient, db: Database, url: str, field: str, text: str
) -> None:
    production = make_tenant(db)  # not in test mode: no loopback exception
    response = hooks.post(
        "/v2/webhook-endpoints",
        json={"url": url, "eventTypes": ["customer.created"]},
        headers=production.headers,
    )
    status, named, message = error_of(response)
    assert (status, named) == (400, field)
    assert text in message, message
    assert call(hooks, production, "GET", "/webhook-endpoints")["total"] == 0


def test_loopback_needs_test_mode_and_a_literal_address(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    production = make_tenant(db)
    body = {"url": receiver.url, "eventTypes": ["customer.created"]}
    refused = hooks.post("/v2/webhook-endpoints", json=body, headers=production.headers)
    assert error_of(refused)[:2] == (400, "url")
    named = {"url": f"http://localhost:{receiver.port}/hook", "eventTypes": ["customer.created"]}
    refused = hooks.post("/v2/webhook-endpoints", json=named, headers=tenant.headers)
    assert error_of(refused)[:2] == (400, "url")  # a name resolving to loopback: never
    unknown = hooks.post(
        "/v2/webhook-endpoints",
        json={"url": receiver.url, "eventTypes": ["customer.created", "customer.exploded"]},
        headers=tenant.headers,
    )
    assert error_of(unknown) == (
        400,
        "eventTypes",
        "eventTypes: customer.exploded is not in the event catalogue (GET /v2/webhook-event-types)",
    )
    made = endpoint(hooks, tenant, receiver.url)
    new_customer(hooks, tenant)
    assert work(db, tenant, allow_loopback=False) == 1  # the setting went off: refused
    assert receiver.requests == []
    (delivery,) = deliveries(hooks, tenant, made["id"])["items"]
    assert delivery["lastError"].startswith("refused: url must use https")


def _insert_endpoint(db: Database, tenant: TenantFixture, url: str) -> uuid.UUID:
    """An endpoint row as an older release (or a changed setting) may have left it."""
    now = datetime.now(UTC)
    made = WebhookEndpoint(
        uuid.uuid4(), url, None, ("customer.created",), new_secret(), True, None, now, now
    )
    with db.transaction() as session:
        repo.insert_endpoint(session, tenant.id, made)
    return made.id


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://10.0.0.1/x", "url points to 10.0.0.1, a private address"),
        ("https://169.254.169.254/latest/meta-data", "a link-local address"),
        ("https://[::1]/x", "url points to ::1, a loopback address"),
    ],
)
def test_private_addresses_are_refused_at_delivery_too(
    hooks: TestClient, db: Database, url: str, reason: str
) -> None:
    production = make_tenant(db)
    endpoint_id = _insert_endpoint(db, production, url)
    answered = call(hooks, production, "POST", f"/webhook-endpoints/{endpoint_id}/test")
    (attempt,) = answered["attemptLog"]
    assert attempt["statusCode"] is None and attempt["responseBody"] is None
    assert attempt["error"].startswith("refused: ") and reason in attempt["error"]


def test_a_name_resolving_to_loopback_at_delivery_is_refused_without_connecting(
    hooks: TestClient,
    db: Database,
    tenant: TenantFixture,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"hooks.example.com": ["93.184.216.34"]}
    monkeypatch.setattr(adapter, "resolve_host", lambda host, port: answers[host])
    made = endpoint(hooks, tenant, f"https://hooks.example.com:{receiver.port}/hook")
    answers["hooks.example.com"] = ["127.0.0.1"]  # DNS rebinding after the check
    new_customer(hooks, tenant)
    assert work(db, tenant) == 1
    assert receiver.requests == []
    (delivery,) = deliveries(hooks, tenant, made["id"])["items"]
    stored = call(hooks, tenant, "GET", f"/webhook-deliveries/{delivery['id']}")
    (attempt,) = stored["attemptLog"]
    assert attempt["statusCode"] is None
    assert attempt["error"] == (
        "refused: url points to 127.0.0.1, a loopback address: webhooks go only to public addresses"
    )
    assert stored["status"] == "PENDING"  # retried: the name may resolve properly again


def test_concurrent_workers_never_send_one_attempt_twice(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    endpoint(hooks, tenant, receiver.url)
    for _ in range(30):
        new_customer(hooks, tenant)
    assert dispatch_pending(db=db, tenant_id=tenant.id, clock=SystemClock()) == 30
    with ThreadPoolExecutor(max_workers=3) as pool:
        counts = list(pool.map(lambda _: work(db, tenant), range(3)))
    assert sum(counts) == 30
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 30


@pytest.mark.parametrize("allowed", [True, False])
def test_the_worker_round_sends_under_the_processes_setting(
    hooks: TestClient,
    db: Database,
    tenant: TenantFixture,
    monkeypatch: pytest.MonkeyPatch,
    allowed: bool,
) -> None:
    monkeypatch.setenv("BELEG_WEBHOOKS_ALLOW_LOOPBACK", str(allowed).lower())
    monkeypatch.setattr(worker, "all_tenant_ids", lambda db: [tenant.id])
    get_settings.cache_clear()
    with running_receiver() as receiver:
        endpoint(hooks, tenant, receiver.url)
        new_customer(hooks, tenant)
        try:
            due = worker.run_due_work(db=db, clock=SystemClock())
        finally:
            get_settings.cache_clear()
    assert due.deliveries == 2  # one event dispatched, one webhook attempted
    assert len(receiver.requests) == (1 if allowed else 0)


def test_bad_fields_of_an_endpoint_are_named(hooks: TestClient, tenant: TenantFixture) -> None:
    base = {"url": "https://93.184.216.34/hook", "eventTypes": ["customer.created"]}
    cases = [
        ({**base, "description": "x" * 501}, "description", "at most 500 characters"),
        ({**base, "eventTypes": []}, "eventTypes", "at least one event type"),
        ({**base, "eventTypes": ["webhook.test"]}, "eventTypes", "webhook.test is not in"),
        ({**base, "secret": "whsec_mine"}, "secret", ""),
    ]
    for body, field, text in cases:
        response = hooks.post("/v2/webhook-endpoints", json=body, headers=tenant.headers)
        status, named, message = error_of(response)
        assert (status, named) == (400, field) and text in message, response.text


def test_every_change_is_audited_without_the_secret(
    hooks: TestClient, db: Database, tenant: TenantFixture, receiver: Receiver
) -> None:
    made = endpoint(hooks, tenant, receiver.url)
    path = f"/webhook-endpoints/{made['id']}"
    private = hooks.patch(f"/v2{path}", json={"url": "https://10.0.0.1/"}, headers=tenant.headers)
    assert error_of(private)[:2] == (400, "url")  # a changed URL is checked again
    call(hooks, tenant, "PATCH", path, {"description": "CRM"})
    call(hooks, tenant, "PATCH", path, {"description": "CRM"})  # unchanged: not audited
    call(hooks, tenant, "POST", f"{path}/rotate-secret")
    tested = call(hooks, tenant, "POST", f"{path}/test")
    call(hooks, tenant, "POST", f"/webhook-deliveries/{tested['id']}/replay")
    call(hooks, tenant, "DELETE", path, status=204)
    with db.reader() as session:
        entries = session.execute(
            select(
                audit_entries.c.action,
                audit_entries.c.entity_type,
                audit_entries.c.before,
                audit_entries.c.after,
            )
            .where(
                audit_entries.c.tenant_id == tenant.id,
                audit_entries.c.entity_id.in_([made["id"], tested["id"]]),
            )
            .order_by(audit_entries.c.seq)
        ).all()
    assert [(e.action, e.entity_type) for e in entries] == [
        ("CREATE", "WebhookEndpoint"),
        ("UPDATE", "WebhookEndpoint"),
        ("UPDATE", "WebhookEndpoint"),
        ("CREATE", "WebhookDelivery"),
        ("UPDATE", "WebhookDelivery"),
        ("DELETE", "WebhookEndpoint"),
    ]
    assert entries[1].after["description"] == "CRM"
    assert (entries[2].before, entries[2].after) == ({"secret": "old"}, {"secret": "rotated"})
    assert "whsec_" not in json.dumps([list(e) for e in entries], default=str)


def test_an_endpoint_without_answer_costs_a_round_one_attempt(
    hooks: TestClient,
    db: Database,
    tenant: TenantFixture,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"dead.example.com": ["93.184.216.34"]}
    monkeypatch.setattr(adapter, "resolve_host", lambda host, port: answers[host])
    dead = endpoint(hooks, tenant, "https://dead.example.com/hook")
    alive = endpoint(hooks, tenant, receiver.url)
    answers["dead.example.com"] = ["10.0.0.1"]  # no answer there: refused
    for _ in range(3):
        new_customer(hooks, tenant)
    assert work(db, tenant) == 4  # 3 to the live endpoint, 1 to the silent one
    assert len(receiver.requests) == 3
    log = deliveries(hooks, tenant, dead["id"], "?sort=createdAt")["items"]
    assert [d["attempts"] for d in log] == [1, 0, 0]  # the rest waits for the next round
    assert all(d["status"] == "PENDING" for d in log)
    assert deliveries(hooks, tenant, alive["id"], "?status=DELIVERED")["total"] == 3
    assert work(db, tenant) == 1  # the next round: the next due one, once more
