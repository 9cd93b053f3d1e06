"""Data access of banking: bank accounts (as far as statements need them), statement headers
and their lines. Every function runs in the caller's transaction and is scoped to one
tenant."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.orm import Session

from beleg.db.tables import bank_accounts, bank_statement_lines, bank_statements
from beleg.domain.banking.statements import API_SOURCE, StatementHeader, StatementLine
from beleg.domain.errors import NotFound


def check_bank_account(session: Session, tenant_id: uuid.UUID, bank_account_id: uuid.UUID) -> None:
    """NotFound naming ``bankAccount`` unless the tenant has the bank account."""
    a = bank_accounts.c
    found = session.execute(
        select(a.id).where(a.tenant_id == tenant_id, a.id == bank_account_id)
    ).one_or_none()
    if found is None:
        raise NotFound(
            "banking.bank_account_not_found", field="bankAccount", bank_account=bank_account_id
        )


def insert_header(session: Session, tenant_id: uuid.UUID, header: StatementHeader) -> None:
    session.execute(
        insert(bank_statements).values(
            tenant_id=tenant_id,
            id=header.id,
            bank_account_id=header.bank_account_id,
            file_name=header.file_name,
            statement_date=header.statement_date,
            status=header.status,
            created_at=header.created_at,
            source=header.source,
        )
    )


def lock_header(session: Session, tenant_id: uuid.UUID, statement_id: uuid.UUID) -> StatementHeader:
    """The statement header, locked until the transaction ends; NotFound naming ``header``."""
    s = bank_statements.c
    row = session.execute(
        select(bank_statements)
        .where(s.tenant_id == tenant_id, s.id == statement_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound("banking.statement_not_found", field="header", statement=statement_id)
    return _header(row)


def lock_headers_of_account(
    session: Session, tenant_id: uuid.UUID, bank_account_id: uuid.UUID
) -> list[StatementHeader]:
    """Every statement header of the bank account created by the API or a stream (not by a
    file import), locked until the transaction ends."""
    s = bank_statements.c
    rows = session.execute(
        select(bank_statements)
        .where(
            s.tenant_id == tenant_id,
            s.bank_account_id == bank_account_id,
            s.source == API_SOURCE,
        )
        .with_for_update()
    ).all()
    return [_header(r) for r in rows]


def _header(row: Row[Any]) -> StatementHeader:
    return StatementHeader(
        id=row.id,
        bank_account_id=row.bank_account_id,
        file_name=row.file_name,
        statement_date=row.statement_date,
        created_at=row.created_at,
        status=row.status,
        source=row.source,
    )


def stored_transaction_ids(
    session: Session, tenant_id: uuid.UUID, bank_account_id: uuid.UUID, wanted: Collection[str]
) -> set[str]:
    """Those of the transaction ids ``wanted`` that lines of the bank account already have."""
    if not wanted:
        return set()
    c = bank_statement_lines.c
    return set(
        session.execute(
            select(c.transaction_id).where(
                c.tenant_id == tenant_id,
                c.bank_account_id == bank_account_id,
                c.transaction_id.in_(list(wanted)),
            )
        ).scalars()
    )


def insert_lines(session: Session, tenant_id: uuid.UUID, lines: Sequence[StatementLine]) -> None:
    """Store statement lines, one statement for all."""
    if not lines:
        return
    session.execute(
        insert(bank_statement_lines),
        [
            {
                "tenant_id": tenant_id,
                "statement_id": line.statement_id,
                "line_no": line.line_no,
                "bank_account_id": line.bank_account_id,
                "transaction_id": line.transaction_id,
                "value_date": line.value_date,
                "booking_date": line.booking_date,
                "amount": line.amount,
                "remaining_amount": line.remaining_amount,
                "currency": line.currency.code,
                "status": line.status,
                "fields": {
                    **line.texts,
                    **({"details": dict(line.details)} if line.details else {}),
                },
            }
            for line in lines
        ],
    )


def bank_accounts_by_iban(
    session: Session, tenant_id: uuid.UUID
) -> dict[str, tuple[uuid.UUID, str]]:
    """The tenant's bank accounts that have an IBAN, by the IBAN without spaces, upper case:
    their id and currency."""
    a = bank_accounts.c
    rows = session.execute(
        select(a.id, a.iban, a.currency).where(a.tenant_id == tenant_id, a.iban.is_not(None))
    ).all()
    return {str(r.iban).replace(" ", "").upper(): (r.id, r.currency) for r in rows}


def lock_bank_account(session: Session, tenant_id: uuid.UUID, bank_account_id: uuid.UUID) -> None:
    """Lock the bank account row until the transaction ends, so two imports into one account
    check their duplicates one after the other (no-op on SQLite, which writes one at a time)."""
    a = bank_accounts.c
    session.execute(
        select(a.id).where(a.tenant_id == tenant_id, a.id == bank_account_id).with_for_update()
    ).one()
