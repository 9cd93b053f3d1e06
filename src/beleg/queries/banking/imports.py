"""Read models of ``/v2/bank-statements``: statement headers with their line count and signed
sum, and one statement with its transactions (the seed's texts plus what an imported file
said: end-to-end id, mandate, creditor id, bank transaction code, return reason, batch)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import (
    bank_accounts,
    bank_line_assignments,
    bank_statement_lines,
    bank_statements,
)
from beleg.domain.banking.statements import TEXT_FIELDS
from beleg.domain.errors import NotFound
from beleg.queries.listing import ListSpec

COLUMNS = ["id", "bankAccount", "iban", "fileName", "statementDate", "lineCount", "total"]


def _statements(tenant_id: uuid.UUID) -> Any:
    s, lines, a = bank_statements.c, bank_statement_lines.c, bank_accounts.c
    counts = (
        select(
            lines.statement_id,
            func.count().label("line_count"),
            func.sum(lines.amount).label("total"),
        )
        .where(lines.tenant_id == tenant_id)
        .group_by(lines.statement_id)
        .subquery()
    )
    return (
        select(
            bank_statements,
            a.iban,
            a.currency,
            counts.c.line_count,
            counts.c.total,
        )
        .join(bank_accounts, (a.tenant_id == s.tenant_id) & (a.id == s.bank_account_id))
        .outerjoin(counts, counts.c.statement_id == s.id)
        .where(s.tenant_id == tenant_id)
    )


def statement_item(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "bankAccount": row.bank_account_id,
        "iban": row.iban,
        "fileName": row.file_name,
        "statementDate": row.statement_date,
        "currency": row.currency,
        "lineCount": row.line_count or 0,
        "total": row.total if row.total is not None else Decimal(0),
        "createdAt": row.created_at,
    }


def statement_list(tenant_id: uuid.UUID) -> ListSpec:
    s = bank_statements.c
    return ListSpec(
        statement=_statements(tenant_id),
        filters={
            "fileName": FilterField(s.file_name),
            "statementDate": FilterField(s.statement_date, Kind.DATE),
            "iban": FilterField(bank_accounts.c.iban),
        },
        sortable={"statementDate": s.statement_date, "createdAt": s.created_at},
        default_sort=[s.created_at, s.id],
        to_item=statement_item,
        columns=COLUMNS,
    )


def transaction_item(row: Any, assigned: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    fields = row.fields
    return {
        "line": row.line_no,
        "transactionId": row.transaction_id,
        "bookingDate": row.booking_date,
        "valueDate": row.value_date,
        "amount": row.amount,
        "currency": row.currency,
        "status": row.status,
        "remainingAmount": row.remaining_amount,
        "reconciled": row.remaining_amount == 0,
        "assignments": assigned or [],
        **{k: v for k, v in fields.items() if k in TEXT_FIELDS},
        "details": dict(fields.get("details") or {}),
    }


def get_statement(*, db: Database, tenant_id: uuid.UUID, statement_id: uuid.UUID) -> dict[str, Any]:
    """One statement with every transaction in line order."""
    c = bank_statement_lines.c
    with db.reader() as session:
        head = session.execute(
            _statements(tenant_id).where(bank_statements.c.id == statement_id)
        ).one_or_none()
        if head is None:
            raise NotFound("banking.statement_not_found", field="id", statement=statement_id)
        rows = session.execute(
            select(bank_statement_lines)
            .where(c.tenant_id == tenant_id, c.statement_id == statement_id)
            .order_by(c.line_no)
        ).all()
        assigned = _assignments(session, tenant_id, statement_id)
    items = [transaction_item(r, assigned.get(r.line_no)) for r in rows]
    return {**statement_item(head), "transactions": items}


def _assignments(
    session: Any, tenant_id: uuid.UUID, statement_id: uuid.UUID
) -> dict[int, list[dict[str, Any]]]:
    """What each line of the statement paid (ADR 0026), by line number."""
    a = bank_line_assignments.c
    found: dict[int, list[dict[str, Any]]] = {}
    rows = session.execute(
        select(bank_line_assignments)
        .where(a.tenant_id == tenant_id, a.statement_id == statement_id)
        .order_by(a.line_no, a.created_at, a.number)
    ).all()
    for r in rows:
        found.setdefault(r.line_no, []).append(
            {
                "document": r.document_id,
                "documentType": r.doc_type,
                "number": r.number,
                "amount": r.amount,
                "onAccount": r.on_account,
                "rule": r.rule,
            }
        )
    return found
