"""Writing and reading usage events: the bulk write of a checked batch (COPY on PostgreSQL,
one executemany on SQLite: never a row at a time), and single events by the client's id."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg.errors
from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import usage_events
from beleg.domain.errors import Conflict
from beleg.domain.usage.events import EventStatus
from beleg.domain.usage.records import UsageEvent

U = usage_events.c
COLUMNS = (
    "tenant_id",
    "id",
    "event_id",
    "contract_id",
    "option_code",
    "quantity",
    "occurred_at",
    "ended_at",
    "properties",
    "status",
    "received_at",
)


def insert_events(session: Session, *, tenant_id: uuid.UUID, events: Sequence[UsageEvent]) -> None:
    """Write ``events`` in one statement: COPY on PostgreSQL, executemany on SQLite. A client
    id stored meanwhile by a concurrent batch fails the whole write (the unique constraint)."""
    if not events:
        return
    try:
        if session.get_bind().dialect.name == "postgresql":
            _copy(session, tenant_id, events)
        else:
            _insert(session, tenant_id, events)
    except (IntegrityError, psycopg.errors.UniqueViolation):
        raise Conflict("usage.event_id_taken", field="events") from None


def _insert(session: Session, tenant_id: uuid.UUID, events: Sequence[UsageEvent]) -> None:
    session.execute(
        insert(usage_events),
        [
            {
                "tenant_id": tenant_id,
                "id": e.id,
                "event_id": e.event_id,
                "contract_id": e.contract_id,
                "option_code": e.option,
                "quantity": e.quantity,
                "occurred_at": e.occurred_at,
                "ended_at": e.ended_at,
                "properties": e.properties,
                "status": e.status.value,
                "received_at": e.received_at,
            }
            for e in events
        ],
    )


# COPY text format: backslash, tab, newline and carriage return are escaped (PostgreSQL docs,
# "COPY", File Formats); NULL is \N. UUIDs go as 32 hex digits, which uuid input accepts.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _copy(session: Session, tenant_id: uuid.UUID, events: Sequence[UsageEvent]) -> None:
    """One COPY in the session's transaction (psycopg 3 ``cursor.copy``), the rows formatted
    as COPY text here: psycopg's per-value adaptation (``write_row``) cost more than the
    database's write."""
    driver = session.connection().connection.driver_connection
    if driver is None:
        raise RuntimeError("the session has no driver connection")
    statement = f"COPY usage_events ({', '.join(COLUMNS)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write("".join(_copy_lines(tenant_id, events)).encode())


def _copy_lines(tenant_id: uuid.UUID, events: Sequence[UsageEvent]) -> list[str]:
    """One COPY text line per event; the ids of the tenant and of each contract, and the
    batch's one receipt instant, are formatted once."""
    tenant, dumps, escapes = tenant_id.hex, json.dumps, _COPY_ESCAPES
    texts: dict[object, str] = {}
    lines = []
    for e in events:
        contract = texts.get(e.contract_id) or texts.setdefault(e.contract_id, e.contract_id.hex)
        received = texts.get(e.received_at) or texts.setdefault(
            e.received_at, e.received_at.isoformat()
        )
        ended = _NULL if e.ended_at is None else e.ended_at.isoformat()
        properties = _NULL if e.properties is None else dumps(e.properties).translate(escapes)
        lines.append(
            f"{tenant}\t{e.id.hex}\t{e.event_id.translate(escapes)}\t{contract}\t"
            f"{e.option}\t{e.quantity}\t{e.occurred_at.isoformat()}\t{ended}\t{properties}\t"
            f"{e.status.value}\t{received}\n"
        )
    return lines


def _event(row: Row[Any]) -> UsageEvent:
    return UsageEvent(
        id=row.id,
        event_id=row.event_id,
        contract_id=row.contract_id,
        option=row.option_code,
        quantity=row.quantity,
        occurred_at=row.occurred_at,
        ended_at=row.ended_at,
        properties=row.properties,
        status=EventStatus(row.status),
        received_at=row.received_at,
    )


def find_event(
    session: Session, *, tenant_id: uuid.UUID, event_id: str, lock: bool = False
) -> UsageEvent | None:
    query = select(usage_events).where(U.tenant_id == tenant_id, U.event_id == event_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _event(row)


def event_from_row(row: Row[Any]) -> UsageEvent:
    return _event(row)


def cancel_event(
    session: Session, *, tenant_id: uuid.UUID, event: UsageEvent, at: datetime
) -> None:
    session.execute(
        update(usage_events)
        .where(U.tenant_id == tenant_id, U.id == event.id)
        .values(status=EventStatus.CANCELLED.value, cancelled_at=at)
    )


def delete_event(session: Session, *, tenant_id: uuid.UUID, event: UsageEvent) -> None:
    session.execute(delete(usage_events).where(U.tenant_id == tenant_id, U.id == event.id))


def event_snapshot(event: UsageEvent) -> dict[str, Any]:
    """The audited state of an event."""
    return {
        "event_id": event.event_id,
        "contract_id": event.contract_id,
        "option_code": event.option,
        "quantity": event.quantity,
        "occurred_at": event.occurred_at,
        "ended_at": event.ended_at,
        "properties": event.properties,
        "status": event.status.value,
    }
