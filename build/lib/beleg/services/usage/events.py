"""Recording usage events (spec/billing-api.md "Usage"; ADR 0016), one transaction each.

``record_events`` checks a whole batch set-based (one query each for its contracts, its
customers' contracts, its options and its client ids already stored), then writes every new
event in one statement (COPY on PostgreSQL). Any rejection writes nothing. The batch is
audited as one entry (entity ``UsageBatch``: count and the first and last client id) and
announced as one outbox event ``usage.recorded``; cancel and delete are audited per event
(seed 001: usage actions create, delete and cancel are in the audit trail).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import tenancy as tenancy_db
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.outbox import enqueue
from beleg.db.usage import events as repo
from beleg.db.usage import lookups
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.identity.principal import Actor
from beleg.domain.usage.batch import event_id_of, parse_events, split_duplicates
from beleg.domain.usage.checks import check_event, resolve_contract
from beleg.domain.usage.events import EventInput, EventStatus, Rejection
from beleg.domain.usage.records import BatchOutcome, UsageEvent, sequential_keys

BATCH_ENTITY, EVENT_ENTITY = "UsageBatch", "UsageEvent"


def record_events(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    raw: Sequence[object],
    batch: bool,
    clock: Clock,
) -> BatchOutcome:
    """Record the events of ``raw`` (decoded JSON objects; at most BATCH_LIMIT, checked by
    the caller): all of them or, with any rejection, none. Duplicates are reported and
    skipped. ``batch`` names fields ``events[i].field``, else ``field``."""
    with db.transaction() as session:
        ids = [event_id_of(item) for item in raw]
        stored = lookups.stored_event_ids(
            session, tenant_id=tenant_id, event_ids={i for i in ids if i is not None}
        )
        fresh_raw, duplicates = split_duplicates(raw, ids, stored)
        fresh, rejected = parse_events(fresh_raw, batch=batch)
        checked = _check(session, tenant_id, fresh, clock)
        rejected += [c for c in checked if isinstance(c, Rejection)]
        if rejected:
            rejected.sort(key=lambda r: r.index)
            return BatchOutcome(accepted=0, duplicates=tuple(duplicates), rejected=tuple(rejected))
        events = [c for c in checked if isinstance(c, UsageEvent)]
        repo.insert_events(session, tenant_id=tenant_id, events=events)
        if events:
            _audit_batch(session, actor=actor, tenant_id=tenant_id, events=events, clock=clock)
    return BatchOutcome(accepted=len(events), duplicates=tuple(duplicates), rejected=())


def _check(
    session: Session, tenant_id: uuid.UUID, events: Sequence[EventInput], clock: Clock
) -> list[UsageEvent | Rejection]:
    if not events:
        return []
    contracts = lookups.contracts_named(
        session, tenant_id=tenant_id, references={e.contract for e in events if e.contract}
    )
    customers = lookups.running_contracts_of_customers(
        session, tenant_id=tenant_id, references={e.customer for e in events if e.customer}
    )
    options = lookups.usage_options(session, tenant_id=tenant_id, codes={e.option for e in events})
    zone = ZoneInfo(tenancy_db.tenant_timezone(session, tenant_id))
    received_at = tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock).now()
    keys = sequential_keys(received_at, len(events), secrets.randbits(42))
    results: list[UsageEvent | Rejection] = []
    for event, key in zip(events, keys, strict=True):
        contract = resolve_contract(event, contracts, customers)
        if isinstance(contract, Rejection):
            results.append(contract)
            continue
        option = options.get(event.option)
        results.append(
            check_event(event, contract, option, zone=zone, received_at=received_at, event_key=key)
        )
    return results


def _audit_batch(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    events: Sequence[UsageEvent],
    clock: Clock,
) -> None:
    """One audit entry and one outbox event for the batch, not one per event (ADR 0016)."""
    batch_id = uuid.uuid4()
    summary = {
        "count": len(events),
        "first_event_id": events[0].event_id,
        "last_event_id": events[-1].event_id,
        "contracts": len({e.contract_id for e in events}),
        "received_at": events[0].received_at,
    }
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE,
        entity_type=BATCH_ENTITY,
        entity_id=batch_id,
        before=None,
        after=summary,
        clock=clock,
    )
    payload = {"batch": str(batch_id), "count": len(events)}
    enqueue(session, tenant_id=tenant_id, topic="usage.recorded", payload=payload, clock=clock)


def cancel_event(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, event_id: str, clock: Clock
) -> UsageEvent:
    """ACTIVE -> CANCELLED: the event keeps its row and client id and counts no more. A
    cancelled event again is a 409 naming ``id``."""
    with db.transaction() as session:
        before = _find(session, tenant_id, event_id)
        if before.status is EventStatus.CANCELLED:
            raise Conflict("usage.event_cancelled", field="id", id=event_id)
        now = tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock).now()
        repo.cancel_event(session, tenant_id=tenant_id, event=before, at=now)
        after = _with_status(before, EventStatus.CANCELLED)
        _audit_event(session, actor, tenant_id, AuditAction.CANCEL, before, after, clock)
        return after


def delete_event(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, event_id: str, clock: Clock
) -> None:
    """Remove the event: it never counts again and its client id is free."""
    with db.transaction() as session:
        before = _find(session, tenant_id, event_id)
        repo.delete_event(session, tenant_id=tenant_id, event=before)
        _audit_event(session, actor, tenant_id, AuditAction.DELETE, before, None, clock)


def _find(session: Session, tenant_id: uuid.UUID, event_id: str) -> UsageEvent:
    found = repo.find_event(session, tenant_id=tenant_id, event_id=event_id, lock=True)
    if found is None:
        raise NotFound("usage.event_not_found", field="id", id=event_id)
    return found


def _with_status(event: UsageEvent, status: EventStatus) -> UsageEvent:
    return event._replace(status=status)


def _audit_event(  # noqa: PLR0917 -- one call site per action, read positionally
    session: Session,
    actor: Actor,
    tenant_id: uuid.UUID,
    action: AuditAction,
    before: UsageEvent,
    after: UsageEvent | None,
    clock: Clock,
) -> None:
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=action,
        entity_type=EVENT_ENTITY,
        entity_id=before.id,
        before=repo.event_snapshot(before),
        after=None if after is None else repo.event_snapshot(after),
        clock=clock,
    )
    topic = "usage.cancelled" if action is AuditAction.CANCEL else "usage.deleted"
    payload = {"id": before.event_id, "contract": str(before.contract_id)}
    enqueue(session, tenant_id=tenant_id, topic=topic, payload=payload, clock=clock)
