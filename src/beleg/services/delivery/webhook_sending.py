"""Sending due webhooks (ADR 0021 "Attempts are due work"): lease a batch in a short
transaction, POST each outside any transaction, record the attempts and outcomes in another.

2xx is delivered. Anything else (an answer, a timeout, a refused address) is retried after
``domain/delivery/retries.py``'s backoff on the tenant's business clock; once 3 days have passed
since the series' first attempt the delivery is FAILED, its endpoint disabled with the reason
(audited, system actor) and the tenant's admins notified (``_notify_admins_endpoint_disabled``).
The ``webhook-timestamp`` is the real time: receivers compare it with their own clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from beleg import messages
from beleg.adapters.webhooks import SendResult, WebhookSender, signed_headers
from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.delivery import webhooks as repo
from beleg.db.tenancy import business_clock, tenant_by_id
from beleg.domain.audit.chain import AuditAction
from beleg.domain.delivery.mails import MailKind
from beleg.domain.delivery.retries import next_attempt
from beleg.domain.delivery.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    kept_body,
)
from beleg.domain.identity.notifications import Priority
from beleg.domain.identity.principal import system_actor
from beleg.services.delivery.mails import queue_admin_mail
from beleg.services.identity.notifications import notify_admins

BATCH = 25  # deliveries per lease
# a lease outlasts a batch of slow receivers (25 × (10 s connect/write/read + 10 s body))
LEASE = timedelta(minutes=10)
ENDPOINT_ENTITY = "WebhookEndpoint"
SYSTEM_NAME = "webhook delivery"


@dataclass(frozen=True, slots=True)
class Leased:
    """A leased batch and what sending it needs: the endpoints, whether loopback is allowed
    (setting and test mode) and the business clock the outcomes are timed on."""

    deliveries: list[WebhookDelivery]
    endpoints: dict[uuid.UUID, WebhookEndpoint]
    loopback_allowed: bool
    business: Clock


def send_due(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    clock: Clock,
    allow_loopback: bool,
    sender: WebhookSender | None = None,
    limit: int = 1000,
) -> int:
    """Send up to ``limit`` of the tenant's due deliveries, ``BATCH`` per lease, over one
    connection pool; return how many were attempted.

    An endpoint that gives no answer (timeout, refused connection or address) gets no more
    attempts in this call: its other due deliveries wait for the next round, so that a dead
    receiver costs a round one timeout, not one per delivery (ADR 0021: a slow receiver must
    not hold up the worker)."""
    own: WebhookSender | None = None  # made at the first batch: most rounds have none
    silent: set[uuid.UUID] = set()  # endpoints without an answer in this call
    sent = 0
    try:
        while sent < limit:
            batch = lease(
                db=db,
                tenant_id=tenant_id,
                clock=clock,
                allow_loopback=allow_loopback,
                size=min(BATCH, limit - sent),
                skip=silent,
            )
            if not batch.deliveries:
                break
            if sender is None:
                sender = own = WebhookSender()  # its TLS context costs ~0.1 s
            sent += _send_batch(
                db, tenant_id=tenant_id, clock=clock, sender=sender, batch=batch, silent=silent
            )
    finally:
        if own is not None:
            own.close()
    return sent


def _send_batch(
    db: Database,
    *,
    tenant_id: uuid.UUID,
    clock: Clock,
    sender: WebhookSender,
    batch: Leased,
    silent: set[uuid.UUID],
) -> int:
    """Attempt the leased deliveries (not those of endpoints that fell silent meanwhile, whose
    leases are released), then record them; return how many were attempted."""
    tried: list[WebhookAttempt] = []
    attempted: list[WebhookDelivery] = []
    for delivery in batch.deliveries:
        if delivery.endpoint_id in silent:
            continue
        result = attempt(sender=sender, delivery=delivery, batch=batch, clock=clock)
        tried.append(result)
        attempted.append(delivery)
        if result.status_code is None:
            silent.add(delivery.endpoint_id)
    done_ids = {d.id for d in attempted}
    waiting = [d.id for d in batch.deliveries if d.id not in done_ids]
    done = replace(batch, deliveries=attempted)
    record(db=db, tenant_id=tenant_id, clock=clock, batch=done, results=tried, release=waiting)
    return len(tried)


def lease(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    clock: Clock,
    allow_loopback: bool,
    size: int,
    skip: Collection[uuid.UUID] = (),
) -> Leased:
    """Step (own transaction): lease up to ``size`` due deliveries, none to ``skip``."""
    with db.transaction() as session:
        business = business_clock(session, tenant_id=tenant_id, system=clock)
        now = clock.now()
        due = repo.lease_due(
            session,
            tenant_id,
            due_by=business.now(),
            now=now,
            until=now + LEASE,
            limit=size,
            skip_endpoints=skip,
        )
        endpoints = repo.endpoints_by_id(session, tenant_id, [d.endpoint_id for d in due])
        loopback = allow_loopback and tenant_by_id(session, tenant_id).test_mode
    return Leased(due, endpoints, loopback, business)


def attempt(
    *, sender: WebhookSender, delivery: WebhookDelivery, batch: Leased, clock: Clock
) -> WebhookAttempt:
    """Step (no transaction): sign and POST one delivery; the attempt as it is recorded."""
    endpoint = batch.endpoints[delivery.endpoint_id]
    started_at = batch.business.now()
    headers = signed_headers(
        secret=endpoint.secret, message_id=str(delivery.id), body=delivery.payload, at=clock.now()
    )
    result: SendResult = sender.send(
        url=endpoint.url,
        headers=headers,
        body=delivery.payload,
        loopback_allowed=batch.loopback_allowed,
    )
    return WebhookAttempt(
        delivery_id=delivery.id,
        endpoint_id=endpoint.id,
        number=delivery.attempts + 1,
        started_at=started_at,
        duration_ms=result.duration_ms,
        status_code=result.status_code,
        response_body=None if result.body is None else kept_body(result.body),
        error=result.error,
    )


def record(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    clock: Clock,
    batch: Leased,
    results: Sequence[WebhookAttempt],
    release: Sequence[uuid.UUID] = (),
) -> list[WebhookDelivery]:
    """Step (own transaction): the attempts and the deliveries' states after them, the leases
    of ``release`` freed unattempted; the endpoints whose delivery gave up are disabled.
    Returns the deliveries as they are now."""
    with db.transaction() as session:
        repo.release_leases(session, tenant_id, release)
        at = batch.business.now()
        pairs = [
            (outcome(d, tried, at=at), tried)
            for d, tried in zip(batch.deliveries, results, strict=True)
        ]
        recorded = repo.record_outcomes(session, tenant_id, pairs)
        afterwards = [after for after, _ in pairs if after.id in recorded]
        for after in afterwards:
            if after.status is DeliveryStatus.FAILED:
                disable_endpoint(
                    session,
                    tenant_id=tenant_id,
                    endpoint_id=after.endpoint_id,
                    delivery_id=after.id,
                    clock=clock,
                )
    return afterwards


def outcome(delivery: WebhookDelivery, tried: WebhookAttempt, *, at: datetime) -> WebhookDelivery:
    """The delivery after ``tried`` (ADR 0021: 2xx delivered, else the backoff, FAILED after
    3 days from the series' first attempt)."""
    first = delivery.first_attempt_at or tried.started_at
    base = replace(delivery, attempts=tried.number, first_attempt_at=first)
    if tried.succeeded:
        return replace(
            base,
            status=DeliveryStatus.DELIVERED,
            next_attempt_at=None,
            last_error=None,
            delivered_at=at,
        )
    error = tried.error or f"HTTP {tried.status_code}"
    due = next_attempt(first_attempt_at=first, attempt=tried.number, failed_at=at)
    status = DeliveryStatus.PENDING if due is not None else DeliveryStatus.FAILED
    return replace(base, status=status, next_attempt_at=due, last_error=error[:2000])


def disable_endpoint(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    clock: Clock,
) -> None:
    """Step: disable the endpoint a delivery gave up on (audited), and notify the admins;
    an endpoint disabled already stays as it is."""
    before = repo.find_endpoint(session, tenant_id, endpoint_id, lock=True)
    if before is None or not before.enabled:
        return
    reason = messages.text("delivery.webhook_gave_up", messages.ENGLISH, delivery=delivery_id)
    after = replace(before, enabled=False, disabled_reason=reason, updated_at=clock.now())
    repo.update_endpoint(session, tenant_id, after)
    change = Change(
        AuditAction.UPDATE,
        ENDPOINT_ENTITY,
        endpoint_id,
        repo.endpoint_snapshot(before),
        repo.endpoint_snapshot(after),
    )
    actor = system_actor(tenant_id, SYSTEM_NAME)
    record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    _notify_admins_endpoint_disabled(session, tenant_id=tenant_id, endpoint=after, clock=clock)


def _notify_admins_endpoint_disabled(
    session: Session, *, tenant_id: uuid.UUID, endpoint: WebhookEndpoint, clock: Clock
) -> None:
    """The admins' mail that ``endpoint`` was disabled (issue: "an admin notified"), queued in
    the transaction that disables it: the mail exists exactly when the endpoint is disabled;
    and their notification (``POST /api/1.1/notifications``), written beside it."""
    context = {
        "endpoint_id": str(endpoint.id),
        "endpoint_url": endpoint.url,
        "reason": endpoint.disabled_reason or "",
        "disabled_at": endpoint.updated_at.isoformat(timespec="seconds"),
    }
    queue_admin_mail(
        session,
        tenant_id=tenant_id,
        kind=MailKind.WEBHOOK_ENDPOINT_DISABLED,
        context=context,
        clock=clock,
    )
    notify_admins(
        session,
        tenant_id=tenant_id,
        message="delivery.notification_endpoint_disabled",
        params={"url": endpoint.url, "reason": endpoint.disabled_reason or ""},
        priority=Priority.HIGH,
        clock=clock,
    )
