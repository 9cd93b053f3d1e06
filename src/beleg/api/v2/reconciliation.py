"""Bank reconciliation (receivables issue, item 4; ADR 0026): match a statement's
transactions to open items automatically, read the suggestions for one transaction, assign a
transaction to documents by hand. Each route declares one scope (``bank:write``,
``bank:read``); matching pays documents, so the writing routes also need ``documents:write``
(a key that may only import statements books no payments), and the suggestions, which name
documents and customers, ``open-items:read``: 403 naming the missing scope."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import Field

from beleg.api.problems import ApiError
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.queries.receivables import reconciliation as read
from beleg.services.pos.payments import CASH_POINT
from beleg.services.receivables import reconciliation as service
from beleg.services.receivables.reconciliation import LineResult, ManualAssignment

router = APIRouter(prefix="/bank-statements", tags=["Bank statements"], route_class=BelegRoute)
StatementId = Annotated[uuid.UUID, Path(description="The statement's id")]
LineNo = Annotated[int, Path(ge=1, le=2_147_483_647, description="The transaction's line number")]


class AssignedOut(ApiModel):
    document: uuid.UUID
    document_type: str
    number: str
    amount: Decimal = Field(description="Paid on the document")
    on_account: Decimal = Field(description="Excess kept on the customer's account")


class SuggestionOut(ApiModel):
    document: uuid.UUID
    document_type: str
    number: str
    customer: uuid.UUID | None
    remaining_amount: Decimal = Field(description="What is open of the document (unsigned)")
    currency: str
    document_date: date
    reason: str = Field(
        description="END_TO_END_ID, DOCUMENT_NUMBERS, REFERENCE, AMOUNT_AND_IBAN or AMOUNT"
    )


class LineOut(ApiModel):
    line: int
    amount: Decimal = Field(description="What was unreconciled of the transaction (signed)")
    outcome: str = Field(
        description="FULL, PARTIAL, OVERPAID (the excess kept on account; OPOS cases come "
        "later), or SUGGESTED (nothing assigned)"
    )
    rule: str | None
    assignments: list[AssignedOut]
    suggestions: list[SuggestionOut]


class ReconcileOut(ApiModel):
    assigned: list[LineOut] = Field(description="Transactions paid in full")
    partial: list[LineOut] = Field(description="Partial payments of one document")
    overpaid: list[LineOut] = Field(description="Overpayments, the excess on account")
    suggested: list[LineOut] = Field(description="Not assigned: suggestions for a user")


class SuggestionsOut(ApiModel):
    line: int
    amount: Decimal
    remaining_amount: Decimal
    reconciled: bool
    outcome: str | None = Field(description="What the automatic matching would do")
    rule: str | None
    suggestions: list[SuggestionOut]


class AssignIn(ApiModel):
    document: uuid.UUID = Field(description="The invoice or credit memo paid")
    amount: Decimal = Field(description="Paid on it: more than 0, at most what remains of it")


class AssignBody(ApiModel):
    documents: list[AssignIn] = Field(min_length=1, max_length=100)


def also(actor: Actor, scope: str) -> None:
    """The second scope a route needs, refused as ``requires`` refuses its first."""
    if not actor.principal.holds(scope):
        raise ApiError(403, "missing-scope", "api.scope_missing", field="scope", scope=scope)


def _line(result: LineResult) -> dict[str, Any]:
    match = result.match
    return {
        "line": result.line_no,
        "amount": result.amount,
        "outcome": match.outcome.value,
        "rule": match.rule.value if match.rule else ("MANUAL" if match.assignments else None),
        "assignments": [
            {
                "document": a.item.document_id,
                "documentType": a.item.doc_type,
                "number": a.item.number,
                "amount": a.amount,
                "onAccount": a.on_account,
            }
            for a in match.assignments
        ],
        "suggestions": [
            {
                "document": s.item.document_id,
                "documentType": s.item.doc_type,
                "number": s.item.number,
                "customer": s.item.customer_id,
                "remainingAmount": s.item.remaining,
                "currency": s.item.currency,
                "documentDate": s.item.doc_date,
                "reason": s.rule.value,
            }
            for s in match.suggestions
        ],
    }


def _grouped(results: list[LineResult]) -> dict[str, Any]:
    keys = {"FULL": "assigned", "PARTIAL": "partial", "OVERPAID": "overpaid"}
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in (*keys.values(), "suggested")}
    for result in results:
        out[keys.get(result.match.outcome.value, "suggested")].append(_line(result))
    return out


@router.post(
    "/{statement_id}/reconcile",
    response_model=ReconcileOut,
    summary="Match the statement's open transactions to open items and pay them (audited)",
)
def reconcile(
    statement_id: StatementId,
    actor: Actor = requires("bank:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    also(actor, "documents:write")
    results = service.reconcile_statement(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        statement_id=statement_id,
        cash_point=CASH_POINT,
        clock=rt.clock,
    )
    return _grouped(results)


@router.get(
    "/{statement_id}/transactions/{line}/suggestions",
    response_model=SuggestionsOut,
    summary="Ranked open items a transaction may pay, with the reason",
)
def suggestions(
    statement_id: StatementId,
    line: LineNo,
    actor: Actor = requires("bank:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    also(actor, "open-items:read")
    return read.line_suggestions(
        db=rt.db, tenant_id=actor.principal.tenant_id, statement_id=statement_id, line_no=line
    )


@router.post(
    "/{statement_id}/transactions/{line}/assign",
    response_model=LineOut,
    summary="Assign a transaction to documents chosen by a user and pay them (audited)",
)
def assign(
    statement_id: StatementId,
    line: LineNo,
    body: AssignBody,
    actor: Actor = requires("bank:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    also(actor, "documents:write")
    result = service.confirm_suggestion(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        statement_id=statement_id,
        line_no=line,
        documents=[ManualAssignment(d.document, d.amount) for d in body.documents],
        cash_point=CASH_POINT,
        clock=rt.clock,
    )
    return _line(result)
