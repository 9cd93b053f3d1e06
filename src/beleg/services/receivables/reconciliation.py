"""Bank reconciliation (receivables issue, item 4; ADR 0026): match a statement's lines to
open items and pay them, or assign a line to documents a user chose.

One transaction per call. The statement header and its open lines are locked first, so two
reconciliations of one statement run one after the other and the second finds the lines the
first reconciled done. Each assignment is a payment through the documents' own use case
(``services.documents.payments.record_payment``: booked bank account against receivable, an
excess kept ONACCOUNT), a row of ``bank_line_assignments`` (unique per line and document) and
the line's remaining amount reduced; every line that changed gets an audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.banking import reconciliation as repo
from beleg.db.banking.reconciliation import OpenLine, StoredAssignment
from beleg.db.banking.statements import lock_header
from beleg.db.database import Database
from beleg.db.receivables.candidates import open_items
from beleg.domain.audit.chain import AuditAction
from beleg.domain.banking.matching import (
    Assignment,
    BankLine,
    Candidates,
    Match,
    OpenItem,
    Outcome,
    match_line,
)
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.cash_point import CashPoint
from beleg.services.documents.payments import PaymentInput, record_payment

ENTITY = "BankStatementLine"
MANUAL = "MANUAL"
ON_ACCOUNT = "ONACCOUNT"


@dataclass(frozen=True, slots=True)
class LineResult:
    """What one line got: its match (assignments, or suggestions only)."""

    line_no: int
    amount: Decimal  # what was unreconciled of the line before
    match: Match


@dataclass(frozen=True, slots=True)
class ManualAssignment:
    document_id: uuid.UUID
    amount: Decimal


def bank_line(line: OpenLine) -> BankLine:
    return BankLine(
        amount=line.remaining,
        currency=line.currency,
        remittance=line.remittance,
        end_to_end_id=line.end_to_end_id,
        counterparty_iban=line.counterparty_iban,
    )


def reconcile_statement(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    statement_id: uuid.UUID,
    line_no: int | None = None,
    cash_point: CashPoint,
    clock: Clock,
) -> list[LineResult]:
    """Match every line of the statement not yet reconciled (or line ``line_no``) and pay
    what matched; lines already reconciled are left alone, so a second run assigns nothing."""
    with db.transaction() as session:
        lock_header(session, tenant_id, statement_id)
        lines = repo.lock_lines(session, tenant_id, statement_id, line_no)
        found = open_items(session, tenant_id, {ln.currency for ln in lines})
        candidates = Candidates.of(found)
        results = []
        for line in lines:
            match = match_line(bank_line(line), candidates)
            if match.assignments:
                _assign(
                    session,
                    actor=actor,
                    tenant_id=tenant_id,
                    line=line,
                    assignments=match.assignments,
                    rule=str(match.rule),
                    cash_point=cash_point,
                    clock=clock,
                )
                for assignment in match.assignments:
                    candidates.paid(assignment)
            results.append(LineResult(line.line_no, line.remaining, match))
        return results


def confirm_suggestion(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    statement_id: uuid.UUID,
    line_no: int,
    documents: Sequence[ManualAssignment],
    cash_point: CashPoint,
    clock: Clock,
) -> LineResult:
    """Assign line ``line_no`` to the ``documents`` a user chose, each with the amount it
    pays (at most what remains of it; together at most what is left of the line)."""
    with db.transaction() as session:
        lock_header(session, tenant_id, statement_id)
        line = repo.require_line(session, tenant_id, statement_id, line_no)
        if line.remaining == 0:
            raise Conflict("banking.line_reconciled", field="line", line=line_no)
        assignments = _chosen(session, tenant_id, line, documents)
        _assign(
            session,
            actor=actor,
            tenant_id=tenant_id,
            line=line,
            assignments=assignments,
            rule=MANUAL,
            cash_point=cash_point,
            clock=clock,
        )
        total = sum((a.amount for a in assignments), Decimal(0))
        full = total == abs(line.remaining)
        outcome = Outcome.FULL if full else Outcome.PARTIAL
        return LineResult(line_no, line.remaining, Match(outcome, None, assignments))


def _chosen(
    session: Session, tenant_id: uuid.UUID, line: OpenLine, documents: Sequence[ManualAssignment]
) -> tuple[Assignment, ...]:
    """The checked assignments of a user's choice; 400 naming the field, 409 for a document
    the line already paid."""
    if not documents:
        raise ValidationFailed("banking.assignment_empty", field="documents")
    ids = [d.document_id for d in documents]
    items = {i.document_id: i for i in open_items(session, tenant_id, None, ids)}
    earlier = {
        a.document_id for a in repo.assignments(session, tenant_id, line.statement_id, line.line_no)
    }
    chosen: list[Assignment] = []
    for index, wanted in enumerate(documents):
        field = f"documents[{index}]"
        if ids.index(wanted.document_id) != index:
            raise ValidationFailed(
                "banking.assignment_document_repeated",
                field=f"{field}.document",
                document=wanted.document_id,
            )
        if wanted.document_id in earlier:
            raise Conflict(
                "banking.assignment_document_assigned",
                field=f"{field}.document",
                line=line.line_no,
                document=wanted.document_id,
            )
        chosen.append(_checked(line, items.get(wanted.document_id), wanted, field))
    _within_line(line, chosen)
    return tuple(chosen)


def _checked(
    line: OpenLine, item: OpenItem | None, wanted: ManualAssignment, field: str
) -> Assignment:
    """One chosen document: open, of the line's currency and direction, and an amount more
    than 0 and at most its remaining (a credit memo is paid out whole)."""
    direction = BankLine(line.remaining, line.currency).direction
    if item is None or item.currency != line.currency or item.sign != direction:
        raise ValidationFailed(
            "banking.assignment_document_not_open",
            field=f"{field}.document",
            document=wanted.document_id,
        )
    whole = item.sign > 0 or wanted.amount == item.remaining
    if not 0 < wanted.amount <= item.remaining or not whole:
        raise ValidationFailed(
            "banking.assignment_amount_out_of_range",
            field=f"{field}.amount",
            amount=wanted.amount,
            remaining=item.remaining,
            document=item.number,
        )
    return Assignment(item, wanted.amount)


def _within_line(line: OpenLine, chosen: Sequence[Assignment]) -> None:
    total = sum((a.amount for a in chosen), Decimal(0))
    if total > abs(line.remaining):
        raise ValidationFailed(
            "banking.assignment_exceeds_line",
            field="documents",
            amount=total,
            remaining=abs(line.remaining),
        )


def _assign(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    line: OpenLine,
    assignments: Sequence[Assignment],
    rule: str,
    cash_point: CashPoint,
    clock: Clock,
) -> None:
    """Pay each assignment's document from the line, then record the assignments."""
    for a in assignments:
        record_payment(
            session,
            actor=actor,
            tenant_id=tenant_id,
            doc_type=DocumentType(a.item.doc_type),
            number=a.item.number,
            payment=PaymentInput(
                day=line.value_date,
                amount=a.amount + a.on_account,
                paying_account=line.account_code,
                rest_type=ON_ACCOUNT if a.on_account else None,
            ),
            cash_point=cash_point,
            clock=clock,
        )
    rows = [_stored(line, a, rule, clock.now()) for a in assignments]
    _recorded(session, actor=actor, tenant_id=tenant_id, line=line, rows=rows, clock=clock)


def _recorded(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    line: OpenLine,
    rows: Sequence[StoredAssignment],
    clock: Clock,
) -> None:
    """Store the assignment rows, reduce the line's remaining amount and audit the line."""
    repo.insert_assignments(session, tenant_id, rows)
    assigned = sum((r.amount + r.on_account for r in rows), Decimal(0))
    remaining = line.remaining - assigned if line.remaining > 0 else line.remaining + assigned
    repo.set_remaining(session, tenant_id, line, remaining)
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=f"{line.statement_id}/{line.line_no}",
        before={"remainingAmount": line.remaining},
        after={
            "remainingAmount": remaining,
            "rule": rows[0].rule if rows else None,
            "assignments": [_audited(r) for r in rows],
        },
        clock=clock,
    )


def _audited(row: StoredAssignment) -> dict[str, object]:
    return {
        "document": row.document_id,
        "number": row.number,
        "amount": row.amount,
        "onAccount": row.on_account,
    }


def _stored(line: OpenLine, a: Assignment, rule: str, now: datetime) -> StoredAssignment:
    return StoredAssignment(
        statement_id=line.statement_id,
        line_no=line.line_no,
        document_id=a.item.document_id,
        doc_type=a.item.doc_type,
        number=a.item.number,
        amount=a.amount,
        on_account=a.on_account,
        rule=rule,
        created_at=now,
    )
