"""Bank statement import (receivables issue, item 3): upload a camt.053 or MT940 file, list
the statements, read one with its transactions. The file is the request body (Content-Type
application/xml, text/xml, text/plain or application/octet-stream) or the ``file`` part of a
multipart/form-data upload; its format is found from the content, never from its name. The
body limit is the application's (``BELEG_MAX_BODY_BYTES``). Scopes ``bank:read`` and
``bank:write``. Imported statements and lines are also those of ``/api/1.1/bank_statements``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel, Page
from beleg.api.security import requires
from beleg.domain.banking.statements import ImportResult
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.queries.banking import imports as read
from beleg.services.banking import statements as service

router = APIRouter(prefix="/bank-statements", tags=["Bank statements"], route_class=BelegRoute)
READ, WRITE = "bank:read", "bank:write"
StatementId = Annotated[uuid.UUID, Path(description="The statement's id")]
FILE_TYPES = ("application/xml", "text/xml", "text/plain", "application/octet-stream")
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            **{t: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


class BalanceMismatchOut(ApiModel):
    statement: str = Field(description="The file's statement id, else #n (1-based place)")
    opening_balance: Decimal
    transactions: Decimal = Field(description="Signed sum of its transactions (+ credit)")
    closing_balance: Decimal
    difference: Decimal = Field(description="Closing less opening less transactions")


class ImportedStatementOut(ApiModel):
    id: uuid.UUID | None = Field(description="The new statement; null when all were duplicates")
    bank_account: uuid.UUID
    iban: str
    imported: int = Field(description="Transactions added")
    duplicates: int = Field(description="Transactions already stored for the bank account")
    total: Decimal = Field(description="Signed sum of the added transactions (+ credit)")
    currency: str
    balance_mismatches: list[BalanceMismatchOut] = Field(
        description="The file's statements of this account whose opening balance plus their "
        "transactions is not their closing balance: imported, but the file may lack bookings"
    )


class ImportOut(ApiModel):
    format: str = Field(description="camt.053 or MT940, as read from the content")
    imported: int
    duplicates: int
    statements: list[ImportedStatementOut]


class StatementOut(ApiModel):
    id: uuid.UUID
    bank_account: uuid.UUID
    iban: str | None
    file_name: str
    statement_date: date
    currency: str
    line_count: int
    total: Decimal = Field(description="Signed sum of the statement's lines")
    created_at: datetime


class AssignmentOut(ApiModel):
    document: uuid.UUID
    document_type: str
    number: str
    amount: Decimal = Field(description="Paid on the document")
    on_account: Decimal = Field(description="Excess kept on the customer's account")
    rule: str = Field(
        description="END_TO_END_ID, DOCUMENT_NUMBERS, REFERENCE, "
        "AMOUNT_AND_IBAN, or MANUAL (assigned by a user)"
    )


class TransactionOut(ApiModel):
    line: int
    transaction_id: str | None = Field(description="Bank reference, or sha256: of the booking")
    booking_date: date
    value_date: date
    amount: Decimal = Field(description="+ credit, - debit")
    currency: str
    status: str
    remaining_amount: Decimal = Field(description="What is not reconciled yet (signed)")
    reconciled: bool = Field(description="Fully assigned to documents (ADR 0026)")
    assignments: list[AssignmentOut]
    partner_name: str | None = None
    partner_account_number: str | None = Field(None, description="Counterparty IBAN")
    partner_bank_code: str | None = Field(None, description="Counterparty BIC")
    reason_for_transfer: str | None = Field(None, description="Remittance text")
    originator_bank_reference: str | None = None
    description: str | None = None
    details: dict[str, str] = Field(
        description="endToEndId, mandateId, creditorId, structuredReference, domain, family, "
        "subfamily, proprietaryCode, gvc, returnReason, bankReference, entryReference, batch, "
        "batchPart, reversal, format"
    )


class StatementDetailOut(StatementOut):
    transactions: list[TransactionOut]


def _uploaded(request: Request, body: bytes) -> tuple[bytes, str | None]:
    """The file's bytes and name: the ``file`` part of multipart/form-data, else the body."""
    kind = request.headers.get("content-type", "")
    if not kind.lower().startswith("multipart/form-data"):
        return body, None
    head = f"Content-Type: {kind}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    parts: list[Message] = list(message.iter_parts()) if message.is_multipart() else []
    for part in parts:
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return (payload if isinstance(payload, bytes) else b""), part.get_filename()
    raise ValidationFailed("banking.upload_without_file", field="file")


def _out(result: ImportResult) -> dict[str, Any]:
    return {
        "format": result.format,
        "imported": result.imported,
        "duplicates": result.duplicates,
        "statements": [
            {
                "id": s.statement_id,
                "bankAccount": s.bank_account_id,
                "iban": s.iban,
                "imported": s.imported,
                "duplicates": s.duplicates,
                "total": s.total,
                "currency": s.currency,
                "balanceMismatches": [
                    {
                        "statement": m.statement,
                        "openingBalance": m.opening_balance,
                        "transactions": m.transactions,
                        "closingBalance": m.closing_balance,
                        "difference": m.difference,
                    }
                    for m in s.balance_mismatches
                ],
            }
            for s in result.statements
        ],
    }


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "",
    response_model=ImportOut,
    status_code=201,
    summary="Import a camt.053 or MT940 file (audited; duplicates skipped)",
    openapi_extra=UPLOAD_BODY,
)
def import_file(
    request: Request,
    actor: Actor = requires(WRITE),  # first: no body is read for a caller without the scope
    file_name: Annotated[str | None, Query(alias="fileName", max_length=200)] = None,
    data: bytes = Depends(raw_body),
    rt: Runtime = Depends(runtime),
) -> Any:
    content, part_name = _uploaded(request, data)
    result = service.import_statement_file(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        data=content,
        file_name=file_name or part_name,
        clock=rt.clock,
    )
    return _out(result)


@router.get(
    "",
    response_model=Page[StatementOut],
    responses=CSV_RESPONSE,
    summary="List bank statements",
)
def list_statements(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    spec = read.statement_list(actor.principal.tenant_id)
    return list_response(request, spec, params, rt, "bank-statements.csv")


@router.get(
    "/{statement_id}",
    response_model=StatementDetailOut,
    summary="A bank statement with its transactions",
)
def get_statement(
    statement_id: StatementId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_statement(
        db=rt.db, tenant_id=actor.principal.tenant_id, statement_id=statement_id
    )
