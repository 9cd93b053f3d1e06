"""The billed lines of issued charges (``tables/billing.billed_lines``): read per chunk of
contracts in one query, written per chunk in one statement."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from beleg.db.bulk import insert_rows
from beleg.db.tables import billed_lines
from beleg.domain.billing.days import Explanation
from beleg.domain.billing.schedule import BilledLine
from beleg.domain.catalog.options import OptionKind
from beleg.domain.contracts.periods import Period

B = billed_lines.c


@dataclass(frozen=True, slots=True)
class BilledRow:
    """A billed line as stored: which contract, which document line, which revision."""

    contract_id: uuid.UUID
    line: BilledLine
    revision: int
    document_id: uuid.UUID
    line_no: int
    run_id: uuid.UUID | None
    explanation: Explanation


def billed_for(
    session: Session, tenant_id: uuid.UUID, contract_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[BilledLine]]:
    """Every billed line of the contracts, per contract, in the order they were written."""
    ids = list(contract_ids)
    found: dict[uuid.UUID, list[BilledLine]] = defaultdict(list)
    if not ids:
        return found
    rows = session.execute(
        select(billed_lines)
        .where(B.tenant_id == tenant_id, B.contract_id.in_(ids))
        .order_by(B.created_at, B.document_id, B.line_no)
    ).all()
    for row in rows:
        found[row.contract_id].append(_line(row))
    return found


def _line(row: Row[Any]) -> BilledLine:
    return BilledLine(
        item_key=row.item_key,
        option=row.option_code,
        description=row.description,
        kind=OptionKind(row.kind),
        grid=Period(row.grid_start, row.grid_end),
        served=Period(row.served_start, row.served_end),
        variant=row.variant,
        base_amount=Decimal(row.base_amount),
        quantity=Decimal(row.quantity),
        unit_price=None if row.unit_price is None else Decimal(row.unit_price),
        net_amount=row.net_amount,
        tax_rate=row.tax_rate,
        credit=row.credit,
    )


def insert_billed(
    session: Session, tenant_id: uuid.UUID, rows: Sequence[BilledRow], *, now: datetime
) -> None:
    """Write the billed lines of a chunk (one COPY on PostgreSQL). A line billed already
    under the same key fails the statement (``uq_billed_lines_once``), and with it the chunk."""
    insert_rows(session, billed_lines, [_values(tenant_id, r, now) for r in rows])


def _values(tenant_id: uuid.UUID, row: BilledRow, now: datetime) -> dict[str, Any]:
    line = row.line
    return {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "contract_id": row.contract_id,
        "item_key": line.item_key,
        "option_code": line.option,
        "description": line.description,
        "kind": line.kind.value,
        "grid_start": line.grid.start,
        "grid_end": line.grid.end,
        "served_start": line.served.start,
        "served_end": line.served.end,
        "variant": line.variant,
        "base_amount": str(line.base_amount),
        "quantity": str(line.quantity),
        "unit_price": None if line.unit_price is None else str(line.unit_price),
        "net_amount": line.net_amount,
        "tax_rate": line.tax_rate,
        "credit": line.credit,
        "explanation": explanation_document(row.explanation),
        "revision": row.revision,
        "document_id": row.document_id,
        "line_no": row.line_no,
        "run_id": row.run_id,
        "created_at": now,
    }


def explanation_document(why: Explanation) -> dict[str, Any]:
    """A line's explanation in the API's shape (spec "DocumentPreview"), decimals as text."""
    return {
        "priceVersion": why.price_version,
        "aggregatedQuantity": _text(why.aggregated_quantity),
        "freeQuota": _text(why.free_quota),
        "cappedQuantity": _text(why.capped_quantity),
        "tiers": [
            {
                "firstUnit": str(t.first_unit),
                "upTo": _text(t.last_unit),
                "quantity": str(t.quantity),
                "unitPrice": str(t.unit_price),
                "flatFee": str(t.flat_fee),
                "amount": str(t.amount),
            }
            for t in why.tiers
        ],
        "prorationFactor": None if why.proration is None else str(why.proration),
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
