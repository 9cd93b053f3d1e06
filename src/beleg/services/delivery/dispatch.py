"""The dispatcher (ADR 0021): a tenant's pending domain events become webhook deliveries and
mails, in batches, each batch one transaction with the events marked done, so that an event
becomes its deliveries and mails exactly once, whatever crashes or concurrent workers happen.

What delivery does with an event is a *reaction*: ``(session, tenant_id, events, clock)``,
subscribed to its topics in ``SUBSCRIPTIONS``. A reaction writes rows only (deliveries, mails); the
sending happens later, outside any transaction (``services/delivery/work.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import structlog

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.database import Database
from beleg.db.delivery import events as repo
from beleg.domain.delivery.catalogue import TOPICS as WEBHOOK_TOPICS
from beleg.domain.delivery.events import DomainEvent
from beleg.services.delivery.fanout import fan_out
from beleg.services.delivery.mails import INVOICE_TOPIC, invoice_mails

Reaction = Callable[[Session, uuid.UUID, Sequence[DomainEvent], Clock], None]
BATCH = 500  # events per transaction
log = structlog.get_logger("beleg.delivery")

# (topics, reaction): every event of one of the topics goes to the reaction, in this order
SUBSCRIPTIONS: tuple[tuple[frozenset[str], Reaction], ...] = (
    (WEBHOOK_TOPICS, fan_out),  # the published event catalogue -> webhook deliveries
    (frozenset({INVOICE_TOPIC}), invoice_mails),  # the invoice mail of a contract's document
)
REACTIONS: dict[str, list[Reaction]] = {}
for _topics, _reaction in SUBSCRIPTIONS:
    for _topic in _topics:
        REACTIONS.setdefault(_topic, []).append(_reaction)


def dispatch_pending(*, db: Database, tenant_id: uuid.UUID, clock: Clock, limit: int = 5000) -> int:
    """Dispatch up to ``limit`` pending events of the tenant, ``BATCH`` per transaction;
    return how many."""
    dispatched = 0
    while dispatched < limit:
        taken = _dispatch_batch(db, tenant_id, clock, min(BATCH, limit - dispatched))
        dispatched += taken
        if taken == 0:
            break
    return dispatched


def _dispatch_batch(db: Database, tenant_id: uuid.UUID, clock: Clock, size: int) -> int:
    """One transaction for ``size`` events; if it fails, the same events one by one, so that
    one event whose reaction fails cannot hold up every later one of the tenant."""
    try:
        return _dispatch(db, tenant_id, clock, size)
    except Exception:
        log.exception("dispatch.batch_failed", tenant_id=str(tenant_id))
    dispatched = 0
    for _ in range(size):
        try:
            taken = _dispatch(db, tenant_id, clock, 1)
        except Exception as error:
            _set_aside(db, tenant_id, clock, error)
            continue
        if taken == 0:
            break
        dispatched += taken
    return dispatched


def _dispatch(db: Database, tenant_id: uuid.UUID, clock: Clock, size: int) -> int:
    with db.transaction() as session:
        now = clock.now()
        events = repo.take_pending(
            session, tenant_id=tenant_id, topics=REACTIONS.keys(), limit=size, now=now
        )
        for reaction in _reactions_of(events):
            reaction(
                session, tenant_id, [e for e in events if reaction in REACTIONS[e.topic]], clock
            )
        repo.mark_done(session, event_ids=[e.id for e in events], now=now)
    return len(events)


def _set_aside(db: Database, tenant_id: uuid.UUID, clock: Clock, error: Exception) -> None:
    """The oldest pending event failed on its own: record the error and let it wait
    (``db/outbox.py`` ``retry_wait``), or, after ``MAX_ATTEMPTS``, give it up (done, with
    its error kept), so the events after it flow."""
    log.error("dispatch.event_failed", tenant_id=str(tenant_id), error=repr(error))
    with db.transaction() as session:
        now = clock.now()
        oldest = repo.take_pending(
            session, tenant_id=tenant_id, topics=REACTIONS.keys(), limit=1, now=now
        )
        for event in oldest:  # none: another worker holds it now
            repo.record_failure(
                session, event_id=event.id, error=f"{type(error).__name__}: {error}", now=now
            )


def _reactions_of(events: Sequence[DomainEvent]) -> list[Reaction]:
    """Every reaction any of ``events`` asks for, once each, in registration order."""
    seen: list[Reaction] = []
    for event in events:
        for reaction in REACTIONS.get(event.topic, ()):
            if reaction not in seen:
                seen.append(reaction)
    return seen
