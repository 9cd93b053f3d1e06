"""Bank statements (seed 003 §3.8): headers per bank account and appended lines.

Lines are numbered 1..n per header in the order received. A line whose ``transactionId``
was already stored for the bank account, or repeats within the request, is skipped as a
duplicate (seed §7 item 36: duplicates are per bank account); lines without an id never are.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db import sequences
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import bank_accounts, bank_statement_lines, bank_statements, tenants
from beleg.domain.amounts import check_amount
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.money import is_currency

TEXT_FIELDS = (
    "partnerAccountNumber",
    "originatorBankReference",
    "originatorBankCode",
    "originator",
    "partnerName",
    "originatorAccountNumber",
    "partnerBankCode",
    "reasonForTransfer",
    "reasonForTransfer1",
    "reasonForTransfer2",
    "reasonForTransfer3",
    "reasonForTransfer4",
    "reasonForTransfer5",
    "customerData",
    "additionalText",
    "description",
    "note",
)
STREAM_FILE_NAME = "API"
MAX_FILE_NAME = 200


@dataclass(frozen=True, slots=True)
class LineInput:
    value_date: date
    booking_date: date
    amount: Decimal
    currency: str | None = None
    transaction_id: str | None = None
    texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AppendResult:
    added: list[dict[str, Any]]
    duplicate_ids: list[str]  # distinct, in order of first appearance
    duplicates: int


def sanitize_file_name(name: str) -> str:
    """Seed 003 §3.10: special characters stripped, whitespace replaced by ``_``."""
    cleaned = re.sub(r"[^\w.\- ]", "", name, flags=re.UNICODE).strip()
    cleaned = re.sub(r"\s+", "_", cleaned)[:MAX_FILE_NAME]
    if not cleaned:
        raise ValidationFailed(
            "fileName is empty after removing special characters",
            de="fileName ist nach dem Entfernen der Sonderzeichen leer",
            field="fileName",
        )
    return cleaned


def _bank_account(session: Session, tenant_id: uuid.UUID, bank_account_id: uuid.UUID) -> Any:
    row = session.execute(
        select(bank_accounts).where(
            bank_accounts.c.tenant_id == tenant_id, bank_accounts.c.id == bank_account_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(
            f"bank account {bank_account_id} does not exist",
            de="Bankkonto nicht gefunden.",
            field="bankAccount",
        )
    return row


def _insert_header(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    bank_account_id: uuid.UUID,
    file_name: str,
    statement_date: date,
    clock: Clock,
) -> uuid.UUID:
    _bank_account(session, tenant_id, bank_account_id)
    row = {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "bank_account_id": bank_account_id,
        "file_name": sanitize_file_name(file_name),
        "statement_date": statement_date,
        "status": "NEW",
        "created_at": clock.now(),
    }
    session.execute(insert(bank_statements).values(**row))
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE,
        entity_type="BankStatement",
        entity_id=row["id"],
        before=None,
        after=row,
        clock=clock,
    )
    return row["id"]


def create_statement(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    bank_account_id: uuid.UUID,
    file_name: str,
    statement_date: date,
    clock: Clock,
) -> uuid.UUID:
    with db.transaction() as session:
        return _insert_header(
            session,
            actor=actor,
            tenant_id=tenant_id,
            bank_account_id=bank_account_id,
            file_name=file_name,
            statement_date=statement_date,
            clock=clock,
        )


def append_lines(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    statement_id: uuid.UUID,
    lines: list[LineInput],
    clock: Clock,
) -> AppendResult:
    with db.transaction() as session:
        header = session.execute(
            select(bank_statements)
            .where(bank_statements.c.tenant_id == tenant_id, bank_statements.c.id == statement_id)
            .with_for_update()
        ).one_or_none()
        if header is None:
            raise NotFound(
                f"bank statement {statement_id} does not exist",
                de="Kontoauszug nicht gefunden.",
                field="header",
            )
        return _append(session, actor=actor, header=header, lines=lines, clock=clock)


def append_to_bank_account(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    bank_account_id: uuid.UUID,
    lines: list[LineInput],
    today: date,
    clock: Clock,
) -> AppendResult:
    """Append to the bank account's single header, created on first use (PSD2, PayPal)."""
    with db.transaction() as session:
        _bank_account(session, tenant_id, bank_account_id)
        headers = session.execute(
            select(bank_statements)
            .where(
                bank_statements.c.tenant_id == tenant_id,
                bank_statements.c.bank_account_id == bank_account_id,
            )
            .with_for_update()
        ).all()
        if len(headers) > 1:
            raise Conflict(
                f"bank account {bank_account_id} has {len(headers)} statement "
                "headers; append to one of them directly",
                de=f"Das Bankkonto hat {len(headers)} Kontoauszüge; bitte direkt an einen anhängen",
                field="bankAccount",
            )
        if not headers:
            header_id = _insert_header(
                session,
                actor=actor,
                tenant_id=tenant_id,
                bank_account_id=bank_account_id,
                file_name=STREAM_FILE_NAME,
                statement_date=today,
                clock=clock,
            )
            headers = session.execute(
                select(bank_statements).where(
                    bank_statements.c.tenant_id == tenant_id, bank_statements.c.id == header_id
                )
            ).all()
        return _append(session, actor=actor, header=headers[0], lines=lines, clock=clock)


def _append(
    session: Session, *, actor: Actor, header: Any, lines: list[LineInput], clock: Clock
) -> AppendResult:
    tenant_id, account_id = header.tenant_id, header.bank_account_id
    main = session.execute(select(tenants.c.currency).where(tenants.c.id == tenant_id)).scalar_one()
    wanted = {ln.transaction_id for ln in lines if ln.transaction_id}
    seen = (
        set(
            session.execute(
                select(bank_statement_lines.c.transaction_id).where(
                    bank_statement_lines.c.tenant_id == tenant_id,
                    bank_statement_lines.c.bank_account_id == account_id,
                    bank_statement_lines.c.transaction_id.in_(wanted),
                )
            ).scalars()
        )
        if wanted
        else set()
    )
    added: list[dict[str, Any]] = []
    duplicate_ids: list[str] = []
    duplicates = 0
    for index, line in enumerate(lines):
        if line.transaction_id and line.transaction_id in seen:
            duplicates += 1
            if line.transaction_id not in duplicate_ids:
                duplicate_ids.append(line.transaction_id)
            continue
        if line.transaction_id:
            seen.add(line.transaction_id)
        added.append(_line_row(header, line, main, index))
    if added:
        first = sequences.allocate(
            session,
            tenant_id=tenant_id,
            series=sequences.statement_line_series(header.id),
            count=len(added),
        )
        for number, row in enumerate(added, start=first):
            row["line_no"] = number
        session.execute(insert(bank_statement_lines), added)
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.UPDATE,
        entity_type="BankStatement",
        entity_id=header.id,
        before=None,
        after={"addedLines": len(added), "duplicates": duplicates},
        clock=clock,
    )
    return AppendResult(added, duplicate_ids, duplicates)


def _line_row(header: Any, line: LineInput, main: str, index: int) -> dict[str, Any]:
    prefix = f"bankStatementLines[{index}]"
    amount = check_amount(line.amount, f"{prefix}.amount", 4)
    currency = line.currency or main
    if not is_currency(currency):
        raise ValidationFailed(
            f"currency {currency!r} is not an ISO 4217 code",
            de=f"Währung {currency} ist kein ISO-4217-Code",
            field=f"{prefix}.currencyCode",
        )
    texts = {k: v for k, v in line.texts.items() if k in TEXT_FIELDS and v is not None}
    return {
        "tenant_id": header.tenant_id,
        "statement_id": header.id,
        "line_no": None,  # numbered once the lines to add are known
        "bank_account_id": header.bank_account_id,
        "transaction_id": line.transaction_id,
        "value_date": line.value_date,
        "booking_date": line.booking_date,
        "amount": amount,
        "remaining_amount": amount,
        "currency": currency,
        "status": "NEW",
        "fields": texts,
    }
