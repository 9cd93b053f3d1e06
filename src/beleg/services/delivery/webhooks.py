"""Webhook endpoints (``/v2/webhook-endpoints``), their test event and the replay of a
delivery (ADR 0021): each change in one transaction with its audit entry.

An endpoint's URL is checked and its host resolved before the transaction (a slow name server
never holds one open): https, no user info, only global addresses; ``http://`` to a literal
loopback address only when ``allow_loopback`` (``BELEG_WEBHOOKS_ALLOW_LOOPBACK``) is on and the
tenant is in test mode. The signing secret is shown at creation and on rotation only.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from beleg import messages
from beleg.adapters.webhooks import WebhookSender, check_destination
from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.delivery import webhooks as repo
from beleg.db.tenancy import business_clock, tenant_by_id
from beleg.domain.audit.chain import AuditAction
from beleg.domain.delivery.catalogue import TEST_TYPE, envelope, payload_text
from beleg.domain.delivery.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    checked_description,
    checked_event_types,
    new_secret,
)
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.identity.principal import Actor
from beleg.services.delivery import webhook_sending as sending

ENTITY = sending.ENDPOINT_ENTITY
DELIVERY_ENTITY = "WebhookDelivery"


def _check_url(db: Database, tenant_id: uuid.UUID, url: str, allow_loopback: bool) -> None:
    with db.reader() as session:
        test_mode = tenant_by_id(session, tenant_id).test_mode
    check_destination(url, loopback_allowed=allow_loopback and test_mode)


def _audit(
    session: Session, actor: Actor, tenant_id: uuid.UUID, change: Change, clock: Clock
) -> None:
    record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)


def _find(session: Session, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    found = repo.find_endpoint(session, tenant_id, endpoint_id, lock=True)
    if found is None:
        raise NotFound("delivery.webhook_endpoint_unknown", field="id", id=endpoint_id)
    return found


def create_endpoint(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    url: str,
    description: str | None,
    event_types: Collection[str],
    enabled: bool,
    allow_loopback: bool,
    clock: Clock,
) -> WebhookEndpoint:
    """A new endpoint with a new secret; 400 naming the field for a bad URL, an address
    that is not public, an unresolvable host or an unknown event type."""
    types = checked_event_types(event_types)
    description = checked_description(description)
    _check_url(db, tenant_id, url, allow_loopback)
    now = clock.now()
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        url=url,
        description=description,
        event_types=types,
        secret=new_secret(),
        enabled=enabled,
        disabled_reason=None,
        created_at=now,
        updated_at=now,
    )
    with db.transaction() as session:
        repo.insert_endpoint(session, tenant_id, endpoint)
        snapshot = repo.endpoint_snapshot(endpoint)
        _audit(
            session,
            actor,
            tenant_id,
            Change(AuditAction.CREATE, ENTITY, endpoint.id, None, snapshot),
            clock,
        )
    return endpoint


def update_endpoint(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    changes: Mapping[str, Any],
    allow_loopback: bool,
    clock: Clock,
) -> WebhookEndpoint:
    """Change ``url``, ``description``, ``event_types`` or ``enabled``; enabling clears the
    reason it was disabled for. Unchanged, nothing is written."""
    given = dict(changes)
    if "event_types" in given:
        given["event_types"] = checked_event_types(given["event_types"])
    if "description" in given:
        given["description"] = checked_description(given["description"])
    if "url" in given:
        _check_url(db, tenant_id, given["url"], allow_loopback)
    with db.transaction() as session:
        before = _find(session, tenant_id, endpoint_id)
        after = replace(before, **given)
        if after.enabled and not before.enabled:
            after = replace(after, disabled_reason=None)
        old, new = repo.endpoint_snapshot(before), repo.endpoint_snapshot(after)
        if old == new:
            return before
        after = replace(after, updated_at=clock.now())
        repo.update_endpoint(session, tenant_id, after)
        _audit(
            session,
            actor,
            tenant_id,
            Change(AuditAction.UPDATE, ENTITY, endpoint_id, old, new),
            clock,
        )
        return after


def delete_endpoint(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, clock: Clock
) -> None:
    """The endpoint and its delivery log: nothing more is sent to it."""
    with db.transaction() as session:
        before = _find(session, tenant_id, endpoint_id)
        repo.delete_endpoint(session, tenant_id, endpoint_id)
        old = repo.endpoint_snapshot(before)
        _audit(
            session,
            actor,
            tenant_id,
            Change(AuditAction.DELETE, ENTITY, endpoint_id, old, None),
            clock,
        )


def rotate_secret(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, clock: Clock
) -> WebhookEndpoint:
    """A new signing secret; every attempt from now on, pending ones too, is signed with it."""
    with db.transaction() as session:
        before = _find(session, tenant_id, endpoint_id)
        after = replace(before, secret=new_secret(), updated_at=clock.now())
        repo.update_endpoint(session, tenant_id, after)
        change = Change(
            AuditAction.UPDATE, ENTITY, endpoint_id, {"secret": "old"}, {"secret": "rotated"}
        )
        _audit(session, actor, tenant_id, change, clock)
        return after


def send_test(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    allow_loopback: bool,
    clock: Clock,
    sender: WebhookSender | None = None,
) -> WebhookDelivery:
    """A ``webhook.test`` delivery shaped like a real one (seed 002, with the endpoint's id),
    attempted at once outside any transaction; retried like any other when it fails."""
    with db.transaction() as session:
        endpoint = _find(session, tenant_id, endpoint_id)
        if not endpoint.enabled:
            raise Conflict("delivery.webhook_endpoint_disabled", field="id", id=endpoint_id)
        delivery = _test_delivery(session, tenant_id, endpoint, clock)
        now = clock.now()
        repo.insert_deliveries(session, tenant_id, [delivery], claimed_until=now + sending.LEASE)
        snapshot = {"endpoint": str(endpoint_id), "eventType": TEST_TYPE}
        _audit(
            session,
            actor,
            tenant_id,
            Change(AuditAction.CREATE, DELIVERY_ENTITY, delivery.id, None, snapshot),
            clock,
        )
        loopback = allow_loopback and tenant_by_id(session, tenant_id).test_mode
        business = business_clock(session, tenant_id=tenant_id, system=clock)
    batch = sending.Leased([delivery], {endpoint.id: endpoint}, loopback, business)
    if sender is not None:
        tried = sending.attempt(sender=sender, delivery=delivery, batch=batch, clock=clock)
    else:
        with WebhookSender() as own:
            tried = sending.attempt(sender=own, delivery=delivery, batch=batch, clock=clock)
    recorded = sending.record(db=db, tenant_id=tenant_id, clock=clock, batch=batch, results=[tried])
    return recorded[0] if recorded else delivery


def _test_delivery(
    session: Session, tenant_id: uuid.UUID, endpoint: WebhookEndpoint, clock: Clock
) -> WebhookDelivery:
    event_id, now = uuid.uuid4(), clock.now()
    data = {"message": messages.text("delivery.webhook_test_message", messages.ENGLISH)}
    body = envelope(
        event_id=event_id, event_type=TEST_TYPE, created_at=now, endpoint_id=endpoint.id, data=data
    )
    return WebhookDelivery(
        id=uuid.uuid4(),
        endpoint_id=endpoint.id,
        event_id=event_id,
        event_type=TEST_TYPE,
        payload=payload_text(body),
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=business_clock(session, tenant_id=tenant_id, system=clock).now(),
        first_attempt_at=None,
        last_error=None,
        created_at=now,
        delivered_at=None,
    )


def replay_delivery(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, delivery_id: uuid.UUID, clock: Clock
) -> WebhookDelivery:
    """The same delivery (id and exact payload) due again now, as a new series of attempts;
    409 when its endpoint is disabled."""
    with db.transaction() as session:
        before = repo.find_delivery(session, tenant_id, delivery_id, lock=True)
        if before is None:
            raise NotFound("delivery.webhook_delivery_unknown", field="id", id=delivery_id)
        endpoint = _find(session, tenant_id, before.endpoint_id)
        if not endpoint.enabled:
            raise Conflict("delivery.webhook_endpoint_disabled", field="id", id=endpoint.id)
        due = business_clock(session, tenant_id=tenant_id, system=clock).now()
        repo.make_due(session, tenant_id, delivery_id, due)
        old = {"status": before.status.value, "attempts": before.attempts}
        new = {"status": DeliveryStatus.PENDING.value, "replayed": True}
        _audit(
            session,
            actor,
            tenant_id,
            Change(AuditAction.UPDATE, DELIVERY_ENTITY, delivery_id, old, new),
            clock,
        )
        return replace(
            before,
            status=DeliveryStatus.PENDING,
            next_attempt_at=due,
            first_attempt_at=None,
            delivered_at=None,
        )
