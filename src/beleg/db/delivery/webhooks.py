"""Webhook endpoints, deliveries and attempts, scoped to one tenant, in the caller's
transaction (ADR 0021).

Leasing: ``lease_due`` takes due deliveries ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite's
single writer serialises it) and sets ``claimed_until`` in the same transaction, so that
concurrent workers take disjoint deliveries and a taken one is not taken again before its
lease ends; ``record_outcomes`` only applies to the attempt it leased (``attempts`` unchanged
since), so an attempt is recorded once.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from beleg.db.bulk import insert_rows
from beleg.db.tables import webhook_attempts, webhook_deliveries, webhook_endpoints
from beleg.domain.delivery.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

E, D, A = webhook_endpoints.c, webhook_deliveries.c, webhook_attempts.c


def endpoint_from_row(row: Row[Any]) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=tuple(row.event_types),
        secret=row.secret,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def delivery_from_row(row: Row[Any]) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        endpoint_id=row.endpoint_id,
        event_id=row.event_id,
        event_type=row.event_type,
        payload=row.payload,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        first_attempt_at=row.first_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def attempt_from_row(row: Row[Any]) -> WebhookAttempt:
    return WebhookAttempt(
        delivery_id=row.delivery_id,
        endpoint_id=row.endpoint_id,
        number=row.number,
        started_at=row.started_at,
        duration_ms=row.duration_ms,
        status_code=row.status_code,
        response_body=row.response_body,
        error=row.error,
    )


def endpoint_snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """The audited state of an endpoint: never its secret (only that it changed)."""
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "eventTypes": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "disabledReason": endpoint.disabled_reason,
    }


def _endpoint_values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "secret": endpoint.secret,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "updated_at": endpoint.updated_at,
    }


def insert_endpoint(session: Session, tenant_id: uuid.UUID, endpoint: WebhookEndpoint) -> None:
    session.execute(
        insert(webhook_endpoints).values(
            tenant_id=tenant_id,
            id=endpoint.id,
            created_at=endpoint.created_at,
            **_endpoint_values(endpoint),
        )
    )


def update_endpoint(session: Session, tenant_id: uuid.UUID, endpoint: WebhookEndpoint) -> None:
    session.execute(
        update(webhook_endpoints)
        .where(E.tenant_id == tenant_id, E.id == endpoint.id)
        .values(**_endpoint_values(endpoint))
    )


def find_endpoint(
    session: Session, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, *, lock: bool = False
) -> WebhookEndpoint | None:
    query = select(webhook_endpoints).where(E.tenant_id == tenant_id, E.id == endpoint_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else endpoint_from_row(row)


def endpoints_by_id(
    session: Session, tenant_id: uuid.UUID, endpoint_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, WebhookEndpoint]:
    if not endpoint_ids:
        return {}
    rows = session.execute(
        select(webhook_endpoints).where(
            E.tenant_id == tenant_id, E.id.in_(sorted(set(endpoint_ids)))
        )
    ).all()
    return {row.id: endpoint_from_row(row) for row in rows}


def enabled_endpoints(session: Session, tenant_id: uuid.UUID) -> list[WebhookEndpoint]:
    """The tenant's enabled endpoints (the fan-out's candidates), oldest first."""
    rows = session.execute(
        select(webhook_endpoints)
        .where(E.tenant_id == tenant_id, E.enabled.is_(True))
        .order_by(E.created_at, E.id)
    ).all()
    return [endpoint_from_row(row) for row in rows]


def delete_endpoint(session: Session, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    """The endpoint with its delivery log (deliveries and attempts)."""
    session.execute(
        delete(webhook_attempts).where(A.tenant_id == tenant_id, A.endpoint_id == endpoint_id)
    )
    session.execute(
        delete(webhook_deliveries).where(D.tenant_id == tenant_id, D.endpoint_id == endpoint_id)
    )
    session.execute(delete(webhook_endpoints).where(E.tenant_id == tenant_id, E.id == endpoint_id))


def insert_deliveries(
    session: Session,
    tenant_id: uuid.UUID,
    deliveries: Sequence[WebhookDelivery],
    *,
    claimed_until: datetime | None = None,
) -> None:
    """Many deliveries in one COPY / executemany (the fan-out of a batch of events)."""
    rows = [
        {
            "tenant_id": tenant_id,
            "id": d.id,
            "endpoint_id": d.endpoint_id,
            "event_id": d.event_id,
            "event_type": d.event_type,
            "payload": d.payload,
            "status": d.status.value,
            "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at,
            "first_attempt_at": d.first_attempt_at,
            "claimed_until": claimed_until,
            "last_error": d.last_error,
            "created_at": d.created_at,
            "delivered_at": d.delivered_at,
        }
        for d in deliveries
    ]
    insert_rows(session, webhook_deliveries, rows)


def find_delivery(
    session: Session, tenant_id: uuid.UUID, delivery_id: uuid.UUID, *, lock: bool = False
) -> WebhookDelivery | None:
    query = select(webhook_deliveries).where(D.tenant_id == tenant_id, D.id == delivery_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else delivery_from_row(row)


def attempts_of(
    session: Session, tenant_id: uuid.UUID, delivery_id: uuid.UUID
) -> list[WebhookAttempt]:
    rows = session.execute(
        select(webhook_attempts)
        .where(A.tenant_id == tenant_id, A.delivery_id == delivery_id)
        .order_by(A.number)
    ).all()
    return [attempt_from_row(row) for row in rows]


def lease_due(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    due_by: datetime,
    now: datetime,
    until: datetime,
    limit: int,
    skip_endpoints: Collection[uuid.UUID] = (),
) -> list[WebhookDelivery]:
    """Up to ``limit`` PENDING deliveries due by ``due_by`` (business clock) to enabled
    endpoints, not leased at ``now`` (system clock), earliest due first; leased until
    ``until``. Deliveries due together go in the order of their events; none to
    ``skip_endpoints``."""
    enabled = select(E.id).where(E.tenant_id == tenant_id, E.enabled.is_(True))
    if skip_endpoints:
        enabled = enabled.where(E.id.not_in(sorted(skip_endpoints)))
    rows = session.execute(
        select(webhook_deliveries)
        .where(
            D.tenant_id == tenant_id,
            D.status == DeliveryStatus.PENDING.value,
            D.next_attempt_at <= due_by,
            or_(D.claimed_until.is_(None), D.claimed_until < now),
            D.endpoint_id.in_(enabled),
        )
        .order_by(D.next_attempt_at, D.created_at, D.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    ids = [row.id for row in rows]
    if ids:
        session.execute(
            update(webhook_deliveries)
            .where(D.tenant_id == tenant_id, D.id.in_(ids))
            .values(claimed_until=until)
        )
    return [delivery_from_row(row) for row in rows]


def record_outcomes(
    session: Session,
    tenant_id: uuid.UUID,
    outcomes: Sequence[tuple[WebhookDelivery, WebhookAttempt]],
) -> set[uuid.UUID]:
    """Store each attempt number ``after.attempts`` and its delivery's state after it, and
    free the leases, in three statements for the batch; returns the deliveries recorded. One
    whose attempt is recorded already (by a worker whose lease this one outlived) is skipped."""
    if not outcomes:
        return set()
    rows = session.execute(
        select(D.id, D.attempts)
        .where(
            D.tenant_id == tenant_id,
            D.id.in_([after.id for after, _ in outcomes]),
            D.status == DeliveryStatus.PENDING.value,
        )
        .with_for_update()
    ).all()
    current = {row.id: row.attempts for row in rows}
    ours = [(a, t) for a, t in outcomes if current.get(a.id) == a.attempts - 1]
    if not ours:
        return set()
    _update_outcomes(session, tenant_id, [after for after, _ in ours])
    insert_rows(session, webhook_attempts, [_attempt_row(tenant_id, t) for _, t in ours])
    return {after.id for after, _ in ours}


def _update_outcomes(
    session: Session, tenant_id: uuid.UUID, deliveries: Sequence[WebhookDelivery]
) -> None:
    """The deliveries' states after their attempts, leases freed, in one executemany."""
    session.execute(
        update(webhook_deliveries)
        .where(D.tenant_id == bindparam("t_id"), D.id == bindparam("d_id"))
        .values(
            status=bindparam("s"),
            attempts=bindparam("n"),
            next_attempt_at=bindparam("due"),
            first_attempt_at=bindparam("first"),
            last_error=bindparam("err"),
            delivered_at=bindparam("done"),
            claimed_until=None,
        ),
        [
            {
                "t_id": tenant_id,
                "d_id": after.id,
                "s": after.status.value,
                "n": after.attempts,
                "due": after.next_attempt_at,
                "first": after.first_attempt_at,
                "err": after.last_error,
                "done": after.delivered_at,
            }
            for after in deliveries
        ],
    )


def _attempt_row(tenant_id: uuid.UUID, attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "delivery_id": attempt.delivery_id,
        "number": attempt.number,
        "endpoint_id": attempt.endpoint_id,
        "started_at": attempt.started_at,
        "duration_ms": attempt.duration_ms,
        "status_code": attempt.status_code,
        "response_body": attempt.response_body,
        "error": attempt.error,
    }


def release_leases(
    session: Session, tenant_id: uuid.UUID, delivery_ids: Sequence[uuid.UUID]
) -> None:
    """Free the leases of deliveries that were not attempted (due again at once)."""
    if delivery_ids:
        session.execute(
            update(webhook_deliveries)
            .where(D.tenant_id == tenant_id, D.id.in_(list(delivery_ids)))
            .values(claimed_until=None)
        )


def make_due(session: Session, tenant_id: uuid.UUID, delivery_id: uuid.UUID, at: datetime) -> None:
    """PENDING again, due at ``at``, as a new series (replay): the same id and payload. A
    lease is kept: a worker sending it right now finishes its attempt, and no second worker
    can lease it meanwhile and post it at the same moment."""
    session.execute(
        update(webhook_deliveries)
        .where(D.tenant_id == tenant_id, D.id == delivery_id)
        .values(
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=at,
            first_attempt_at=None,
            delivered_at=None,
        )
    )
