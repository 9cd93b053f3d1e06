"""What the demo's usage became (``beleg demo``): the events recorded and the usage lines of
the tenant's issued documents.

Definitions (amounts in the tenant's currency, exact, never rounded here):
- usage lines: billed lines of a usage option (USAGE or TIME_BASED_USAGE) on a finalized
  document; a credit counts negative, on a credit note and carried over onto an invoice alike;
- usage of a month: the net of the usage lines of the documents dated in it;
- corrections: credit notes with a usage credit (in the demo, late usage of the group
  CORRECTION: the quantity of a billed period changed, and the billed line is credited on a
  credit note of its own);
- carried over: the usage credits on invoices (late usage of the group CARRY_OVER, credited
  on the contract's next invoice as a negative line);
- capped lines: usage charges whose billable quantity the cap cut (the aggregated quantity
  less the free quota is above it).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from beleg.db.database import Database
from beleg.db.tables import billed_lines, sales_documents, usage_events

ZERO = Decimal(0)
USAGE_KINDS = ("USAGE", "TIME_BASED_USAGE")
INVOICE = "INVOICE"
CREDIT_MEMO = "CREDIT_MEMO"
FINALIZED = "FINALIZED"


@dataclass(frozen=True, slots=True)
class UsageFigures:
    events: int
    revenue: Decimal  # net of every usage line
    by_month: Mapping[str, Decimal]  # YYYY-MM -> net of the month's usage lines
    corrections: int  # credit notes crediting usage
    carried_over: int  # usage credits carried onto invoices
    capped: int  # usage charges the cap cut


def _usage_lines(tenant_id: uuid.UUID) -> Any:
    b, d = billed_lines.c, sales_documents.c
    return (
        select(
            b.document_id,
            b.credit,
            b.net_amount,
            b.explanation,
            d.doc_type,
            d.doc_date,
        )
        .join(sales_documents, (d.tenant_id == b.tenant_id) & (d.id == b.document_id))
        .where(b.tenant_id == tenant_id, b.kind.in_(USAGE_KINDS), d.state == FINALIZED)
    )


def _capped(explanation: Mapping[str, Any]) -> bool:
    """Whether the cap cut the line: aggregated less the free quota above the billed."""
    aggregated, billed = explanation.get("aggregatedQuantity"), explanation.get("cappedQuantity")
    if aggregated is None or billed is None:
        return False
    free = Decimal(explanation.get("freeQuota") or 0)
    return Decimal(aggregated) - free > Decimal(billed)


def usage_figures(*, db: Database, tenant_id: uuid.UUID) -> UsageFigures:
    """The tenant's usage figures (module docstring)."""
    by_month: dict[str, Decimal] = defaultdict(lambda: ZERO)
    corrections: set[uuid.UUID] = set()
    carried = capped = 0
    with db.reader() as session:
        events = session.execute(
            select(func.count()).where(usage_events.c.tenant_id == tenant_id)
        ).scalar_one()
        for row in session.execute(_usage_lines(tenant_id)):
            net = Decimal(row.net_amount)
            by_month[row.doc_date.strftime("%Y-%m")] += -net if row.credit else net
            if row.credit and row.doc_type == CREDIT_MEMO:
                corrections.add(row.document_id)
            carried += row.credit and row.doc_type == INVOICE
            capped += not row.credit and _capped(row.explanation)
    return UsageFigures(
        events=int(events),
        revenue=sum(by_month.values(), ZERO),
        by_month=dict(by_month),
        corrections=len(corrections),
        carried_over=carried,
        capped=capped,
    )
