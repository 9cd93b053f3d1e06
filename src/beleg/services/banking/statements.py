"""Bank statements (seed 003 §3.8): create a header for a bank account, append lines to a
header, append to a bank account's single stream header (created on first use), or import a
camt.053 / MT940 file (one header per bank account the file speaks of).

Lines are numbered 1..n per header in the order received; duplicates by transaction id are
skipped (``domain.banking.statements``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session, ledger, sequences
from beleg.db.audit import record_change
from beleg.db.banking import statements as repo
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.banking.statements import (
    API_SOURCE,
    FILE_SOURCE,
    STREAM_FILE_NAME,
    AppendResult,
    BalanceMismatch,
    ImportedStatement,
    ImportResult,
    LineInput,
    StatementHeader,
    balance_mismatch,
    sanitize_file_name,
    statement_line,
    without_duplicates,
)
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.formats.banking.detect import parse_statement_file
from beleg.formats.banking.lines import line_inputs
from beleg.formats.banking.model import ParsedFile

ENTITY = "BankStatement"


def create_statement(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    bank_account_id: uuid.UUID,
    file_name: str,
    statement_date: date,
    clock: Clock,
) -> StatementHeader:
    """A new, empty statement header of the bank account."""
    with db.transaction() as session:
        return _open_statement(
            session,
            actor=actor,
            tenant_id=tenant_id,
            bank_account_id=bank_account_id,
            file_name=file_name,
            statement_date=statement_date,
            clock=clock,
        )


def _open_statement(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    bank_account_id: uuid.UUID,
    file_name: str,
    statement_date: date,
    clock: Clock,
    source: str = API_SOURCE,
) -> StatementHeader:
    """Store a new statement header with its audit entry."""
    repo.check_bank_account(session, tenant_id, bank_account_id)
    header = StatementHeader(
        id=uuid.uuid4(),
        bank_account_id=bank_account_id,
        file_name=sanitize_file_name(file_name),
        statement_date=statement_date,
        created_at=clock.now(),
        source=source,
    )
    repo.insert_header(session, tenant_id, header)
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=header.id,
        before=None,
        after={
            "tenant_id": tenant_id,
            "id": header.id,
            "bank_account_id": header.bank_account_id,
            "file_name": header.file_name,
            "statement_date": header.statement_date,
            "status": header.status,
            "created_at": header.created_at,
            "source": header.source,
        },
        clock=clock,
    )
    return header


def append_lines(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    statement_id: uuid.UUID,
    lines: Sequence[LineInput],
    clock: Clock,
) -> AppendResult:
    """Append ``lines`` to the statement ``statement_id``."""
    with db.transaction() as session:
        header = repo.lock_header(session, tenant_id, statement_id)
        return _append(
            session, actor=actor, tenant_id=tenant_id, header=header, lines=lines, clock=clock
        )


def append_to_bank_account(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    bank_account_id: uuid.UUID,
    lines: Sequence[LineInput],
    today: date,
    clock: Clock,
) -> AppendResult:
    """Append to the bank account's single header, created on first use (PSD2, PayPal)."""
    with db.transaction() as session:
        repo.check_bank_account(session, tenant_id, bank_account_id)
        headers = repo.lock_headers_of_account(session, tenant_id, bank_account_id)
        if len(headers) > 1:
            raise Conflict(
                "banking.several_statements",
                field="bankAccount",
                bank_account=bank_account_id,
                count=len(headers),
            )
        header = (
            headers[0]
            if headers
            else _open_statement(
                session,
                actor=actor,
                tenant_id=tenant_id,
                bank_account_id=bank_account_id,
                file_name=STREAM_FILE_NAME,
                statement_date=today,
                clock=clock,
            )
        )
        return _append(
            session, actor=actor, tenant_id=tenant_id, header=header, lines=lines, clock=clock
        )


def _append(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    header: StatementHeader,
    lines: Sequence[LineInput],
    clock: Clock,
) -> AppendResult:
    main, _ = ledger.main_currency_and_closing(session, tenant_id)
    wanted = {ln.transaction_id for ln in lines if ln.transaction_id}
    seen = repo.stored_transaction_ids(session, tenant_id, header.bank_account_id, wanted)
    split = without_duplicates(lines, seen)
    added = [statement_line(header, line, main=main, index=i) for i, line in split.added]
    if added:
        first = sequences.allocate(
            session,
            tenant_id=tenant_id,
            series=sequences.statement_line_series(header.id),
            count=len(added),
        )
        added = [replace(line, line_no=n) for n, line in enumerate(added, start=first)]
        repo.insert_lines(session, tenant_id, added)
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=header.id,
        before=None,
        after={"addedLines": len(added), "duplicates": split.duplicates},
        clock=clock,
    )
    return AppendResult(tuple(added), split.duplicate_ids, split.duplicates)


def import_statement_file(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    data: bytes,
    file_name: str | None,
    clock: Clock,
) -> ImportResult:
    """Import a camt.053 or MT940 file in one transaction, all or nothing.

    The format is found from the content. Every statement's account must be one of the
    tenant's bank accounts by IBAN, in that account's currency, else the whole file is refused
    naming the IBAN or the currency. A statement whose opening balance plus transactions is
    not its closing balance is imported and reported (``BalanceMismatch``). Per bank
    account a header is created (named ``file_name``, dated by its last statement) holding
    the transactions not yet stored for that account: the duplicate key is the bank's
    reference, or a hash of the booking when there is none (``formats.banking.model``). A
    bank account whose transactions were all imported before gets no new header.
    """
    parsed = parse_statement_file(data)  # refused before anything is written
    name = file_name or f"{parsed.format}-{clock.now():%Y%m%d%H%M%S}"
    with db.transaction() as session:
        accounts = repo.bank_accounts_by_iban(session, tenant_id)
        ibans = _ibans(parsed, accounts)
        for account_id in sorted(accounts[iban][0] for iban in ibans):  # one order: no deadlock
            repo.lock_bank_account(session, tenant_id, account_id)
        imported = [
            _import_account(
                session,
                actor=actor,
                tenant_id=tenant_id,
                bank_account_id=accounts[iban][0],
                iban=iban,
                parsed=parsed,
                file_name=name,
                clock=clock,
            )
            for iban in ibans
        ]
    return ImportResult(parsed.format, tuple(imported))


def _ibans(parsed: ParsedFile, accounts: dict[str, tuple[uuid.UUID, str]]) -> list[str]:
    """The accounts of the file in order of appearance; refused if one is not the tenant's
    or a statement is in another currency than its account."""
    ibans: list[str] = []
    for index, statement in enumerate(parsed.statements):
        if statement.account not in accounts:
            raise ValidationFailed(
                "banking.statement_account_unknown",
                field=f"statements[{index}].account",
                iban=statement.account,
            )
        account_currency = accounts[statement.account][1]
        if statement.currency != account_currency:
            raise ValidationFailed(
                "banking.statement_currency_mismatch",
                field=f"statements[{index}].currency",
                iban=statement.account,
                currency=statement.currency,
                account_currency=account_currency,
            )
        if statement.account not in ibans:
            ibans.append(statement.account)
    return ibans


def _import_account(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    bank_account_id: uuid.UUID,
    iban: str,
    parsed: ParsedFile,
    file_name: str,
    clock: Clock,
) -> ImportedStatement:
    statements = [s for s in parsed.statements if s.account == iban]
    transactions = [t for s in statements for t in s.transactions]
    lines = line_inputs(iban, parsed.format, transactions)
    currency = statements[0].currency
    mismatches = _mismatches(parsed, iban)
    wanted = {ln.transaction_id for ln in lines if ln.transaction_id}
    seen = repo.stored_transaction_ids(session, tenant_id, bank_account_id, wanted)
    if not [ln for ln in lines if ln.transaction_id not in seen]:
        return ImportedStatement(
            bank_account_id, iban, None, 0, len(lines), Decimal(0), currency, mismatches
        )
    header = _open_statement(
        session,
        actor=actor,
        tenant_id=tenant_id,
        bank_account_id=bank_account_id,
        file_name=file_name,
        statement_date=max(s.statement_date for s in statements),
        clock=clock,
        source=FILE_SOURCE,
    )
    result = _append(
        session, actor=actor, tenant_id=tenant_id, header=header, lines=lines, clock=clock
    )
    total = sum((line.amount for line in result.added), Decimal(0))
    return ImportedStatement(
        bank_account_id,
        iban,
        header.id,
        len(result.added),
        result.duplicates,
        total,
        currency,
        mismatches,
    )


def _mismatches(parsed: ParsedFile, iban: str) -> tuple[BalanceMismatch, ...]:
    """The statements of ``iban`` in the file that do not add up, named by their id or their
    1-based place in the file."""
    found = (
        balance_mismatch(
            s.statement_id or f"#{n}",
            s.opening_balance,
            [t.amount for t in s.transactions],
            s.closing_balance,
        )
        for n, s in enumerate(parsed.statements, start=1)
        if s.account == iban
    )
    return tuple(m for m in found if m is not None)
