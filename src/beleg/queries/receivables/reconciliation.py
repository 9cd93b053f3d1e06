"""Read side of reconciliation (ADR 0026): the ranked suggestions for one statement line,
with what the automatic matching would do with it first; nothing is written."""

from __future__ import annotations

import uuid
from typing import Any

from beleg.db.banking import reconciliation as lines
from beleg.db.database import Database
from beleg.db.receivables.candidates import open_items
from beleg.domain.banking.matching import (
    BankLine,
    Candidates,
    Suggestion,
    match_line,
    suggestions,
)


def line_suggestions(
    *, db: Database, tenant_id: uuid.UUID, statement_id: uuid.UUID, line_no: int
) -> dict[str, Any]:
    """The line with its ranked candidates; a reconciled line has none."""
    with db.reader() as session:
        lines.require_statement(session, tenant_id, statement_id)
        line = lines.require_line(session, tenant_id, statement_id, line_no, lock=False)
        found = open_items(session, tenant_id, {line.currency}) if line.remaining else []
    bank = BankLine(
        line.remaining, line.currency, line.remittance, line.end_to_end_id, line.counterparty_iban
    )
    candidates = Candidates.of(found)
    match = match_line(bank, candidates)
    ranked = [Suggestion(a.item, match.rule) for a in match.assignments if match.rule]
    ranked += [s for s in suggestions(bank, candidates) if s.item not in {r.item for r in ranked}]
    return {
        "line": line.line_no,
        "amount": line.amount,
        "remainingAmount": line.remaining,
        "reconciled": line.remaining == 0,
        "outcome": match.outcome.value if line.remaining else None,
        "rule": match.rule.value if match.rule else None,
        "suggestions": [_suggestion(s) for s in ranked],
    }


def _suggestion(s: Suggestion) -> dict[str, Any]:
    return {
        "document": s.item.document_id,
        "documentType": s.item.doc_type,
        "number": s.item.number,
        "customer": s.item.customer_id,
        "remainingAmount": s.item.remaining,
        "currency": s.item.currency,
        "documentDate": s.item.doc_date,
        "reason": s.rule.value,
    }
