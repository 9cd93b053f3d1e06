"""Data access of bank reconciliation (ADR 0026): the statement lines still to reconcile,
locked, and what each line paid (``bank_line_assignments``). Every function runs in the
caller's transaction and is scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import (
    bank_accounts,
    bank_line_assignments,
    bank_statement_lines,
    bank_statements,
)
from beleg.domain.errors import NotFound
from beleg.money import Currency, round_to_currency

REMITTANCE_FIELDS = (
    "reasonForTransfer",
    "reasonForTransfer1",
    "reasonForTransfer2",
    "reasonForTransfer3",
    "reasonForTransfer4",
    "reasonForTransfer5",
)


@dataclass(frozen=True, slots=True)
class OpenLine:
    """A statement line with what is still unreconciled of it (``remaining``, signed)."""

    statement_id: uuid.UUID
    line_no: int
    amount: Decimal
    remaining: Decimal
    currency: str
    value_date: date
    remittance: str
    end_to_end_id: str | None
    counterparty_iban: str | None
    account_code: str  # the ledger account of the line's bank account


@dataclass(frozen=True, slots=True)
class StoredAssignment:
    statement_id: uuid.UUID
    line_no: int
    document_id: uuid.UUID
    doc_type: str
    number: str
    amount: Decimal
    on_account: Decimal
    rule: str
    created_at: datetime


def lock_lines(
    session: Session,
    tenant_id: uuid.UUID,
    statement_id: uuid.UUID,
    line_no: int | None = None,
    *,
    open_only: bool = True,
    lock: bool = True,
) -> list[OpenLine]:
    """The statement's lines (or line ``line_no``) that are not fully reconciled, locked in
    line order until the transaction ends (PostgreSQL; SQLite writes one at a time). A
    concurrent reconciliation waits here and then sees the lines it reconciled as done."""
    c, a = bank_statement_lines.c, bank_accounts.c
    query = (
        select(bank_statement_lines, a.account_code)
        .join(bank_accounts, (a.tenant_id == c.tenant_id) & (a.id == c.bank_account_id))
        .where(c.tenant_id == tenant_id, c.statement_id == statement_id)
        .order_by(c.line_no)
    )
    if lock:
        query = query.with_for_update(of=bank_statement_lines)
    if line_no is not None:
        query = query.where(c.line_no == line_no)
    if open_only:
        query = query.where(c.remaining_amount != 0)
    return [_line(row) for row in session.execute(query).all()]


def _line(row: Any) -> OpenLine:
    fields = row.fields or {}
    details = fields.get("details") or {}
    texts = [fields.get(k) for k in REMITTANCE_FIELDS] + [details.get("structuredReference")]
    return OpenLine(
        statement_id=row.statement_id,
        line_no=row.line_no,
        amount=at_scale(row.amount, row.currency),
        remaining=at_scale(row.remaining_amount, row.currency),
        currency=row.currency,
        value_date=row.value_date,
        remittance=" ".join(t for t in texts if t),
        end_to_end_id=details.get("endToEndId"),
        counterparty_iban=fields.get("partnerAccountNumber"),
        account_code=row.account_code,
    )


def at_scale(amount: Decimal, code: str) -> Decimal:
    """A stored amount (4 places) at its currency's scale when that is exact."""
    scaled = round_to_currency(amount, Currency.of(code))
    return scaled if scaled == amount else amount


def require_line(
    session: Session,
    tenant_id: uuid.UUID,
    statement_id: uuid.UUID,
    line_no: int,
    *,
    lock: bool = True,
) -> OpenLine:
    """The line (locked unless only read); NotFound naming ``line`` when the statement has
    no such line."""
    found = lock_lines(session, tenant_id, statement_id, line_no, open_only=False, lock=lock)
    if not found:
        raise NotFound("banking.statement_line_not_found", field="line", line=line_no)
    return found[0]


def set_remaining(
    session: Session, tenant_id: uuid.UUID, line: OpenLine, remaining: Decimal
) -> None:
    c = bank_statement_lines.c
    session.execute(
        update(bank_statement_lines)
        .where(
            c.tenant_id == tenant_id,
            c.statement_id == line.statement_id,
            c.line_no == line.line_no,
        )
        .values(remaining_amount=remaining)
    )


def insert_assignments(
    session: Session, tenant_id: uuid.UUID, rows: Sequence[StoredAssignment]
) -> None:
    if rows:
        session.execute(
            insert(bank_line_assignments),
            [{"tenant_id": tenant_id, **_values(r)} for r in rows],
        )


def _values(row: StoredAssignment) -> dict[str, Any]:
    return {name: getattr(row, name) for name in StoredAssignment.__slots__}


def assignments(
    session: Session, tenant_id: uuid.UUID, statement_id: uuid.UUID, line_no: int | None = None
) -> list[StoredAssignment]:
    """What the statement's lines (or one line) paid, in line order."""
    c = bank_line_assignments.c
    query = (
        select(bank_line_assignments)
        .where(c.tenant_id == tenant_id, c.statement_id == statement_id)
        .order_by(c.line_no, c.created_at, c.number)
    )
    if line_no is not None:
        query = query.where(c.line_no == line_no)
    return [
        StoredAssignment(**{n: getattr(r, n) for n in StoredAssignment.__slots__})
        for r in session.execute(query).all()
    ]


def require_statement(session: Session, tenant_id: uuid.UUID, statement_id: uuid.UUID) -> None:
    """NotFound naming ``id`` unless the tenant has the statement (no lock: for readers)."""
    s = bank_statements.c
    found = session.execute(
        select(s.id).where(s.tenant_id == tenant_id, s.id == statement_id)
    ).one_or_none()
    if found is None:
        raise NotFound("banking.statement_not_found", field="id", statement=statement_id)
