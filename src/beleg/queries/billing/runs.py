"""Read models of billing groups and runs (camelCase, as ``/v2/billing-groups`` and
``/v2/billing-runs`` show them): a run with its counters summed over its chunks (readable
while it runs: every chunk commits on its own), its failures, and its documents with the
billed lines and their explanations (spec "DocumentPreview / billed document line")."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select

from beleg.db.billing import groups as groups_db
from beleg.db.billing import runs as runs_db
from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import (
    billed_lines,
    billing_groups,
    billing_run_results,
    billing_runs,
    sales_documents,
)
from beleg.domain.billing.groups import BillingGroup, LateUsageHandling
from beleg.domain.billing.runs import RunStatus
from beleg.domain.errors import NotFound
from beleg.money import Currency, with_scale, without_trailing_zeros
from beleg.queries.listing import ListSpec

GROUP_COLUMNS = ["code", "name", "splitByOriginalPeriod", "lateUsageHandling", "createdAt"]
RUN_COLUMNS = ["id", "status", "asOf", "billingGroup", "scheduled", "createdAt", "finishedAt"]
FAILURES_SHOWN = 1000  # a run answers at most this many failures; the results hold them all


def group_item(group: BillingGroup) -> dict[str, Any]:
    return {
        "code": group.code,
        "name": group.name,
        "splitByOriginalPeriod": group.split_by_original_period,
        "lateUsageHandling": group.late_usage_handling.value,
        "createdAt": group.created_at,
        "updatedAt": group.updated_at,
    }


def group_list(tenant_id: uuid.UUID) -> ListSpec:
    c = billing_groups.c
    handling = tuple(h.value for h in LateUsageHandling)
    return ListSpec(
        statement=select(billing_groups).where(c.tenant_id == tenant_id),
        filters={
            "code": FilterField(c.code),
            "name": FilterField(c.name),
            "lateUsageHandling": FilterField(c.late_usage_handling, Kind.ENUM, handling),
        },
        sortable={"code": c.code, "createdAt": c.created_at},
        default_sort=[c.code],
        to_item=lambda row: group_item(groups_db.group_from_row(row)),
        columns=GROUP_COLUMNS,
    )


def get_group(*, db: Database, tenant_id: uuid.UUID, code: str) -> dict[str, Any]:
    with db.reader() as session:
        group = groups_db.find_group(session, tenant_id, code)
    if group is None:
        raise NotFound("billing.group_unknown", field="code", code=code)
    return group_item(group)


def _run_head(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "asOf": row.as_of,
        "datedFrom": row.dated_from,
        "billingGroup": row.billing_group,
        "scheduled": row.scheduled,
        "createdAt": row.created_at,
        "startedAt": row.started_at,
        "finishedAt": row.finished_at,
    }


def run_list(tenant_id: uuid.UUID) -> ListSpec:
    c = billing_runs.c
    statuses = tuple(s.value for s in RunStatus)
    return ListSpec(
        statement=select(billing_runs).where(c.tenant_id == tenant_id),
        filters={
            "status": FilterField(c.status, Kind.ENUM, statuses),
            "asOf": FilterField(c.as_of, Kind.DATE),
            "billingGroup": FilterField(c.billing_group),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={"asOf": c.as_of, "createdAt": c.created_at},
        default_sort=[c.created_at.desc()],
        to_item=_run_head,
        columns=RUN_COLUMNS,
    )


def run_view(*, db: Database, tenant_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    """The run with its counters and failures."""
    with db.reader() as session:
        run = runs_db.load_run(session, tenant_id, run_id)
        counters = runs_db.counters(session, tenant_id, run_id)
        r = billing_run_results.c
        failed = session.execute(
            select(r.contract_id, r.reason)
            .where(r.tenant_id == tenant_id, r.run_id == run_id, r.failed.is_(True))
            .order_by(r.chunk_no, r.contract_id)
            .limit(FAILURES_SHOWN)
        ).all()
    return {
        "id": run.id,
        "status": run.status.value,
        "asOf": run.as_of,
        "datedFrom": run.dated_from,
        "billingGroup": run.billing_group,
        "scheduled": run.scheduled,
        "dryRun": False,
        "contracts": {
            "total": run.contracts_total,
            "done": counters.contracts_done,
            "failed": counters.contracts_failed,
        },
        "chunks": {"total": run.chunks_total, "done": counters.chunks_done},
        "documents": counters.documents,
        "netAmount": counters.net_amount,
        "failures": [{"contract": row.contract_id, "reason": row.reason} for row in failed],
        "createdAt": run.created_at,
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
    }


def run_documents(*, db: Database, tenant_id: uuid.UUID, run_id: uuid.UUID) -> list[dict[str, Any]]:
    """The documents the run issued, in number order, each with its billed lines."""
    b, d = billed_lines.c, sales_documents.c
    with db.reader() as session:
        runs_db.load_run(session, tenant_id, run_id)
        lines = session.execute(
            select(billed_lines)
            .where(b.tenant_id == tenant_id, b.run_id == run_id)
            .order_by(b.document_id, b.line_no)
        ).all()
        ids = sorted({line.document_id for line in lines})
        heads = session.execute(
            select(sales_documents).where(d.tenant_id == tenant_id, d.id.in_(ids))
        ).all()
    by_document: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for line in lines:
        by_document[line.document_id].append(line)
    documents = [_document(head, by_document[head.id]) for head in heads]
    return sorted(documents, key=lambda doc: (doc["date"], doc["number"] or ""))


def _document(head: Row[Any], lines: list[Row[Any]]) -> dict[str, Any]:
    places = Currency.of(head.currency).minor_units
    return {
        "id": head.id,
        "number": head.number,
        "type": "CREDIT_NOTE" if head.sign < 0 else "INVOICE",
        "date": head.doc_date,
        "customer": head.customer_id,
        "currency": head.currency,
        "netAmount": with_scale(head.net, places),
        "taxAmount": with_scale(head.tax, places),
        "totalAmount": with_scale(head.total, places),
        "lines": [_line(line, invoice=head.sign > 0) for line in lines],
    }


def _line(row: Row[Any], *, invoice: bool) -> dict[str, Any]:
    """A billed line; a credit carried onto an invoice shows its net negative (negated, not
    multiplied by -1: a 0.00 credit stays 0.00 as in the preview, not -0.00)."""
    return {
        "contract": row.contract_id,
        "option": row.option_code,
        "description": row.description,
        "servicePeriod": {"from": row.served_start, "to": row.served_end},
        "quantity": without_trailing_zeros(Decimal(row.quantity)),
        "unitPrice": None if row.unit_price is None else Decimal(row.unit_price),
        "netAmount": -row.net_amount if row.credit and invoice else row.net_amount,
        "taxRate": row.tax_rate,
        "explanation": row.explanation,
    }
