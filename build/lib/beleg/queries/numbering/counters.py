"""Read side of document numbering (/v2): counters with their current values, the number
strategy of a document type with its rules (seed 000/001), sequence groups with the counter
of each document type (seed 003 §3.4)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.orm import Session

from beleg.db import sequences
from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import (
    document_counters,
    number_rules,
    number_strategies,
    sequence_group_counters,
    sequence_groups,
)
from beleg.domain.errors import NotFound
from beleg.domain.numbering.counters import AffixSource, CounterReset, DocumentType, SequenceBase
from beleg.queries.listing import ListSpec


def counter_item(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "prefix": row["prefix"],
        "suffix": row["suffix"],
        "width": row["width"],
        "reset": row["reset"],
        "start": int(row["start"]),
        "affixSource": row["affix_source"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def counter_list(tenant_id: uuid.UUID) -> ListSpec:
    c = document_counters.c
    return ListSpec(
        statement=select(document_counters).where(c.tenant_id == tenant_id),
        filters={
            "name": FilterField(c.name),
            "prefix": FilterField(c.prefix),
            "reset": FilterField(c.reset, Kind.ENUM, tuple(CounterReset)),
            "affixSource": FilterField(c.affix_source, Kind.ENUM, tuple(AffixSource)),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={"name": c.name, "createdAt": c.created_at},
        default_sort=[c.created_at, c.name, c.id],
        to_item=lambda row: counter_item(row._mapping),
        columns=[
            "id",
            "name",
            "prefix",
            "suffix",
            "width",
            "reset",
            "start",
            "affixSource",
            "createdAt",
            "updatedAt",
        ],
    )


def get_counter(*, db: Database, tenant_id: uuid.UUID, counter_id: uuid.UUID) -> dict[str, Any]:
    """A counter with the last number it issued in each period."""
    with db.reader() as session:
        row = session.execute(
            select(document_counters).where(
                document_counters.c.tenant_id == tenant_id, document_counters.c.id == counter_id
            )
        ).one_or_none()
        if row is None:
            raise NotFound("numbering.counter_id_not_found", field="id", counter_id=counter_id)
        values = sequences.last_values(
            session, tenant_id=tenant_id, series=sequences.document_counter_series(counter_id)
        )
    return {
        **counter_item(row._mapping),
        "values": [{"period": period, "lastValue": last} for period, last in values.items()],
    }


def strategy_item(session: Session, tenant_id: uuid.UUID, doc_type: DocumentType) -> dict[str, Any]:
    row = session.execute(
        select(number_strategies).where(
            number_strategies.c.tenant_id == tenant_id,
            number_strategies.c.doc_type == doc_type.value,
        )
    ).one_or_none()
    rules = session.execute(
        select(number_rules)
        .where(number_rules.c.tenant_id == tenant_id, number_rules.c.doc_type == doc_type.value)
        .order_by(number_rules.c.position)
    ).all()
    return {
        "docType": doc_type.value,
        "prefix": row.prefix if row else "",
        "suffix": row.suffix if row else "",
        "rules": [
            {
                "priority": r.priority,
                "customerType": r.customer_type,
                "country": r.country,
                "billingGroup": r.billing_group,
                "operatingSite": r.operating_site,
                "counterId": r.counter_id,
            }
            for r in rules
        ],
    }


def get_strategy(*, db: Database, tenant_id: uuid.UUID, doc_type: DocumentType) -> dict[str, Any]:
    """The strategy of a document type: its prefix and suffix (for counters whose affix
    source is STRATEGY) and its rules in creation order."""
    with db.reader() as session:
        return strategy_item(session, tenant_id, doc_type)


def _group_counters(
    session: Session, tenant_id: uuid.UUID, group_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, uuid.UUID]]:
    mapped = sequence_group_counters.c
    found: dict[uuid.UUID, dict[str, uuid.UUID]] = {g: {} for g in group_ids}
    for row in session.execute(
        select(sequence_group_counters).where(
            mapped.tenant_id == tenant_id, mapped.group_id.in_(group_ids)
        )
    ):
        found[row.group_id][row.doc_type] = row.counter_id
    return found


def sequence_group_item(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "base": row["base"],
        "defaultGroup": row["default_group"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def sequence_group_list(tenant_id: uuid.UUID) -> ListSpec:
    c = sequence_groups.c
    return ListSpec(
        statement=select(sequence_groups).where(c.tenant_id == tenant_id),
        filters={
            "name": FilterField(c.name),
            "base": FilterField(c.base, Kind.ENUM, tuple(SequenceBase)),
            "defaultGroup": FilterField(c.default_group, Kind.BOOLEAN),
        },
        sortable={"name": c.name, "createdAt": c.created_at},
        default_sort=[c.created_at, c.name, c.id],
        to_item=lambda row: sequence_group_item(row._mapping),
        columns=["id", "name", "base", "defaultGroup", "createdAt", "updatedAt"],
    )


def get_sequence_group(
    *, db: Database, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(sequence_groups).where(
                sequence_groups.c.tenant_id == tenant_id, sequence_groups.c.id == group_id
            )
        ).one_or_none()
        if row is None:
            raise NotFound("numbering.sequence_group_id_not_found", field="id", group_id=group_id)
        counters = _group_counters(session, tenant_id, [group_id])
    return {
        **sequence_group_item(row._mapping),
        "counters": {t.value: counters[group_id].get(t.value) for t in DocumentType},
    }
