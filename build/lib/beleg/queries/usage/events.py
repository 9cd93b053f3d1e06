"""Usage events as ``/v2/usages`` shows them (camelCase; quantities as strings without the
column's trailing zeros, ``"1.5"``); ``id`` is the client's event id."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import contracts, usage_events
from beleg.db.usage import events as repo
from beleg.domain.errors import NotFound
from beleg.domain.usage.events import EventStatus
from beleg.domain.usage.records import UsageEvent
from beleg.money import without_trailing_zeros
from beleg.queries.listing import ListSpec

COLUMNS = [
    "id",
    "contract",
    "contractNumber",
    "option",
    "quantity",
    "timestamp",
    "end",
    "status",
    "receivedAt",
]


def usage_item(event: UsageEvent, contract_number: str | None) -> dict[str, Any]:
    return {
        "id": event.event_id,
        "contract": event.contract_id,
        "contractNumber": contract_number,
        "option": event.option,
        "quantity": str(without_trailing_zeros(event.quantity)),
        "timestamp": event.occurred_at,
        "end": event.ended_at,
        "properties": event.properties or {},
        "status": event.status.value,
        "receivedAt": event.received_at,
    }


def _statement(tenant_id: uuid.UUID) -> Any:
    u, c = usage_events.c, contracts.c
    return (
        select(usage_events, c.contract_number)
        .outerjoin(contracts, (c.tenant_id == u.tenant_id) & (c.id == u.contract_id))
        .where(u.tenant_id == tenant_id)
    )


def usage_list(tenant_id: uuid.UUID) -> ListSpec:
    u, c = usage_events.c, contracts.c
    return ListSpec(
        statement=_statement(tenant_id),
        filters={
            "id": FilterField(u.event_id),
            "contract": FilterField(u.contract_id, Kind.UUID),
            "contractNumber": FilterField(c.contract_number),
            "option": FilterField(u.option_code),
            "status": FilterField(u.status, Kind.ENUM, tuple(s.value for s in EventStatus)),
            "timestamp": FilterField(u.occurred_at, Kind.DATETIME),
            "receivedAt": FilterField(u.received_at, Kind.DATETIME),
        },
        sortable={"timestamp": u.occurred_at, "id": u.event_id, "receivedAt": u.received_at},
        default_sort=[u.occurred_at, u.event_id],
        to_item=lambda row: usage_item(repo.event_from_row(row), row.contract_number),
        columns=COLUMNS,
    )


def get_usage(*, db: Database, tenant_id: uuid.UUID, event_id: str) -> dict[str, Any]:
    u = usage_events.c
    with db.reader() as session:
        row = session.execute(_statement(tenant_id).where(u.event_id == event_id)).one_or_none()
    if row is None:
        raise NotFound("usage.event_not_found", field="id", id=event_id)
    return usage_item(repo.event_from_row(row), row.contract_number)
