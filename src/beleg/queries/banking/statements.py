"""Read side of bank accounts and bank statements (seed 003 BankAccountDto,
BankStatementHeaderDto, BankStatementLineDto)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select

from beleg.db.database import Database
from beleg.db.tables import bank_accounts, bank_statement_lines, bank_statements
from beleg.domain.banking.statements import TEXT_FIELDS
from beleg.domain.errors import NotFound
from beleg.queries.rendering import plain


def bank_account_item(row: Any) -> dict[str, Any]:
    return {
        k: v
        for k, v in {
            "id": str(row.id),
            "name": row.name,
            "bankName": row.bank_name,
            "accountOwnerName": row.owner_name,
            "bic": row.bic,
            "iban": row.iban,
            "accountCode": row.account_code,
            "accountUserDescription": row.description,
            "currencyCode": row.currency,
            "shown": row.shown,
        }.items()
        if v is not None
    }


def list_bank_accounts(*, db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    with db.reader() as session:
        rows = session.execute(
            select(bank_accounts)
            .where(bank_accounts.c.tenant_id == tenant_id)
            .order_by(bank_accounts.c.account_code, bank_accounts.c.name)
        ).all()
    return [bank_account_item(r) for r in rows]


def get_bank_account(
    *, db: Database, tenant_id: uuid.UUID, bank_account_id: uuid.UUID
) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(bank_accounts).where(
                bank_accounts.c.tenant_id == tenant_id, bank_accounts.c.id == bank_account_id
            )
        ).one_or_none()
    if row is None:
        raise NotFound(
            "banking.bank_account_not_found", field="bankAccount", bank_account=bank_account_id
        )
    return bank_account_item(row)


def _header_query(tenant_id: uuid.UUID) -> Any:
    s, lines = bank_statements.c, bank_statement_lines.c
    span = (
        select(
            lines.statement_id,
            func.min(lines.value_date).label("first"),
            func.max(lines.value_date).label("last"),
        )
        .where(lines.tenant_id == tenant_id)
        .group_by(lines.statement_id)
        .subquery()
    )
    return (
        select(
            bank_statements,
            bank_accounts.c.name.label("account_name"),
            bank_accounts.c.account_code,
            bank_accounts.c.currency,
            span.c.first,
            span.c.last,
        )
        .join(
            bank_accounts,
            (bank_accounts.c.tenant_id == s.tenant_id) & (bank_accounts.c.id == s.bank_account_id),
        )
        .outerjoin(span, span.c.statement_id == s.id)
        .where(s.tenant_id == tenant_id)
    )


def header_item(row: Any) -> dict[str, Any]:
    """Seed 003 §7 item 35: ``bankAccount`` is the bank account's uuid; its account code is
    ``accountCode`` beside it. Without lines the value dates are the statement date."""
    return {
        "id": str(row.id),
        "bankAccount": str(row.bank_account_id),
        "accountCode": row.account_code,
        "fileName": row.file_name,
        "currencyCode": row.currency,
        "statementDate": row.statement_date,
        "valueDateFrom": row.first or row.statement_date,
        "valueDateTo": row.last or row.statement_date,
        "status": row.status,
        "bankAccountName": row.account_name,
    }


def list_statements(*, db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    with db.reader() as session:
        rows = session.execute(
            _header_query(tenant_id).order_by(bank_statements.c.created_at)
        ).all()
    return [header_item(r) for r in rows]


def get_statement(*, db: Database, tenant_id: uuid.UUID, statement_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            _header_query(tenant_id).where(bank_statements.c.id == statement_id)
        ).one_or_none()
    if row is None:
        raise NotFound("banking.statement_not_found", field="header", statement=statement_id)
    return header_item(row)


def line_item(row: Any) -> dict[str, Any]:
    return {
        "id": row.line_no,
        **{k: v for k, v in row.fields.items() if k in TEXT_FIELDS},
        "valueDate": row.value_date,
        "amount": plain(row.amount),
        "currencyCode": row.currency,
        "bookingDate": row.booking_date,
        **({"transactionId": row.transaction_id} if row.transaction_id else {}),
        "status": row.status,
        "remainingAmount": plain(row.remaining_amount),
    }


def statement_lines(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    statement_id: uuid.UUID,
    date_from: date | None,
    date_to: date | None,
    after_line: int | None,
) -> list[dict[str, Any]]:
    """Lines by booking date range (inclusive) and/or after a line number (polling)."""
    get_statement(db=db, tenant_id=tenant_id, statement_id=statement_id)
    c = bank_statement_lines.c
    query = select(bank_statement_lines).where(
        c.tenant_id == tenant_id, c.statement_id == statement_id
    )
    if date_from is not None and date_to is not None:
        query = query.where(c.booking_date >= date_from, c.booking_date <= date_to)
    if after_line is not None:
        query = query.where(c.line_no > after_line)
    with db.reader() as session:
        rows = session.execute(query.order_by(c.line_no)).all()
    return [line_item(r) for r in rows]
