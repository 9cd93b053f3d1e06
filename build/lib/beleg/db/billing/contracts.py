"""The contracts of a billing chunk, read in bulk: four queries for any number of contracts,
their rows locked until the chunk commits (PostgreSQL), so a concurrent run, a termination or
a plan change of the same contract waits for the chunk and then sees what it billed."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, select
from sqlalchemy.orm import Session

from beleg.db.contracts import contract_from_rows
from beleg.db.tables import contract_items, contract_pauses, contract_realignments, contracts
from beleg.domain.contracts.records import Contract


def load_many(
    session: Session, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID], *, lock: bool
) -> list[Contract]:
    """The contracts of ``ids`` that exist, in the order of ``ids``."""
    if not ids:
        return []
    C = contracts.c
    query = select(contracts).where(C.tenant_id == tenant_id, C.id.in_(ids)).order_by(C.id)
    rows = session.execute(query.with_for_update() if lock else query).all()
    items = _children(session, contract_items, tenant_id, ids, "served_from", "created_at", "id")
    changes = _children(session, contract_realignments, tenant_id, ids, "next_period_start")
    pauses = _children(session, contract_pauses, tenant_id, ids, "paused_from")
    loaded = {
        row.id: contract_from_rows(row, items[row.id], changes[row.id], pauses[row.id])
        for row in rows
    }
    return [loaded[i] for i in ids if i in loaded]


def _children(
    session: Session, table: Table, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID], *order: str
) -> dict[uuid.UUID, list[Row[Any]]]:
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    query = (
        select(table)
        .where(table.c.tenant_id == tenant_id, table.c.contract_id.in_(ids))
        .order_by(table.c.contract_id, *(table.c[name] for name in order))
    )
    for row in session.execute(query):
        found[row.contract_id].append(row)
    return found
