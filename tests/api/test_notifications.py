"""System notifications (seed 003 §4.7.7 ``POST /notifications``): each admin of a tenant gets
the notice the system writes (a webhook endpoint disabled: ``test_v2_webhooks.py``), reads it
once (the call marks it read), in German by default and in English on request; other users,
other tenants and keys that act for no user get none."""

from __future__ import annotations

import uuid

from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.domain.identity.notifications import Priority
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.services.identity.api_keys import create_api_key
from beleg.services.identity.notifications import notify_admins
from beleg.services.identity.users import create_user
from tests.conftest import TenantFixture, system_actor

PASSWORD = "correct horse battery staple"


def key_of(db: Database, tenant: TenantFixture, username: str, role: str) -> dict[str, str]:
    """Headers of an API key that acts for a new user ``username`` with ``role``."""
    user = create_user(
        db=db, actor=system_actor(tenant.id), tenant_id=tenant.id, username=username,
        password=PASSWORD, role=role, clock=SystemClock(),
    )  # fmt: skip
    return key_for(db, tenant, user.id, username)


def key_for(
    db: Database, tenant: TenantFixture, user_id: uuid.UUID, username: str
) -> dict[str, str]:
    """Headers of an API key that acts for the user ``user_id``."""
    acting = Actor(
        principal=Principal(
            tenant_id=tenant.id, actor_type=ActorType.USER, actor_id=str(user_id),
            name=username, scopes=frozenset({"foundation:read"}), user_id=user_id,
        )
    )  # fmt: skip
    key = create_api_key(
        db=db, actor=acting, tenant_id=tenant.id, name=f"{username}'s key",
        scopes=["foundation:read"], validity_days=None, clock=SystemClock(),
    )  # fmt: skip
    return {"Authorization": f"Bearer {key.token}"}


def disabled(db: Database, tenant: TenantFixture, url: str) -> int:
    with db.transaction() as session:
        return notify_admins(
            session, tenant_id=tenant.id, message="delivery.notification_endpoint_disabled",
            params={"url": url, "reason": "3 Tage ohne Erfolg"}, priority=Priority.HIGH,
            clock=SystemClock(),
        )  # fmt: skip


def unread(client: TestClient, headers: dict[str, str], **extra: str) -> list[dict[str, str]]:
    response = client.post("/api/1.1/notifications", headers={**headers, **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_each_admin_reads_a_notification_once(
    client: TestClient, db: Database, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    ada = key_of(db, tenant, "ada", "ADMIN")
    sue = key_of(db, tenant, "sue", "SUPERUSER")
    anna = key_of(db, tenant, "anna", "ACCOUNTANT")
    olga = key_of(db, other_tenant, "olga", "ADMIN")
    assert unread(client, ada) == []
    assert disabled(db, tenant, "https://hooks.example/a") == 2
    (notice,) = unread(client, ada)
    assert notice["sender"] == "Beleg" and notice["priority"] == "HIGH"
    assert notice["text"] == (
        "Der Webhook-Endpunkt https://hooks.example/a wurde deaktiviert: 3 Tage ohne Erfolg"
    )
    assert notice["dateTime"].endswith("Z")
    assert unread(client, ada) == []  # read once
    (english,) = unread(client, sue, **{"Accept-Language": "en"})
    assert english["text"].startswith("The webhook endpoint https://hooks.example/a was disabled")
    assert unread(client, anna) == [] and unread(client, olga) == []
    assert unread(client, tenant.headers) == []  # a key that acts for no user


def test_unread_notifications_come_oldest_first_and_replay_with_their_key(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    ada = key_of(db, tenant, "ada", "ADMIN")
    disabled(db, tenant, "https://hooks.example/1")
    disabled(db, tenant, "https://hooks.example/2")
    keyed = {**ada, "Idempotency-Key": str(uuid.uuid4())}
    first = unread(client, keyed)
    assert ["/1" in first[0]["text"], "/2" in first[1]["text"]] == [True, True]
    assert unread(client, keyed) == first  # the stored answer, not an empty list
    assert unread(client, ada) == []


def test_a_deleted_users_notifications_go_with_the_user(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    made = client.post(
        "/v2/users",
        json={"username": "kurz", "password": PASSWORD, "role": "ADMIN", "displayName": "Kurz"},
        headers=tenant.headers,
    )
    assert made.status_code == 201, made.text
    assert disabled(db, tenant, "https://hooks.example/x") == 1
    gone = client.delete(f"/v2/users/{made.json()['id']}", headers=tenant.headers)
    assert gone.status_code in (200, 204), gone.text
    assert disabled(db, tenant, "https://hooks.example/y") == 0
