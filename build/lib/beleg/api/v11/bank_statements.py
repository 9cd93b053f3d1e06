"""BankStatementLines (seed 003 §4.1): headers, appended lines, streams per bank account."""

from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from pydantic import ConfigDict

from beleg.api.inputs import BusinessDate, IsoBusinessDate
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.models import V11Input
from beleg.api.v11.paths import path_uuid
from beleg.api.v11.rendering import AccountingJSON, Number
from beleg.domain.banking.statements import TEXT_FIELDS, AppendResult, LineInput, StatementLine
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.queries.banking import statements as read
from beleg.services.banking import statements as service
from beleg.services.tenancy.test_clock import business_today

router = APIRouter(prefix="/bank_statements", tags=["BankStatementLines"], route_class=BelegRoute)


class BankStatementHeaderDto(V11Input):
    id: str | None = None
    file_name: str
    currency_code: str | None = None
    value_date_from: BusinessDate | None = None
    value_date_to: BusinessDate | None = None
    bank_account: str
    bank_account_name: str | None = None
    statement_date: BusinessDate | None = None
    status: str | None = None


class BankStatementLineDto(V11Input):
    model_config = ConfigDict(extra="allow")  # the many optional text fields of the seed
    id: int | None = None
    value_date: BusinessDate
    booking_date: BusinessDate
    amount: Number
    currency_code: str | None = None
    transaction_id: str | None = None
    status: str | None = None


class BankStatementRequestDto(V11Input):
    bank_statement_lines: list[BankStatementLineDto]
    return_lines: bool = False


def _lines(body: BankStatementRequestDto) -> list[LineInput]:
    lines = []
    for index, line in enumerate(body.bank_statement_lines):
        extra = line.model_extra or {}
        unknown = sorted(set(extra) - set(TEXT_FIELDS))
        if unknown:
            raise ValidationFailed(
                "banking.unknown_field",
                field=f"bankStatementLines[{index}].{unknown[0]}",
                name=unknown[0],
            )
        lines.append(
            LineInput(
                value_date=line.value_date,
                booking_date=line.booking_date,
                amount=line.amount,
                currency=line.currency_code,
                transaction_id=line.transaction_id or None,
                texts={k: str(v) for k, v in extra.items() if v is not None},
            )
        )
    return lines


def _result(outcome: AppendResult, return_lines: bool) -> Response:
    body: dict[str, Any] = {"addedCount": len(outcome.added), "duplicatesCount": outcome.duplicates}
    if return_lines:
        body["addedLines"] = [read.line_item(_stored(line)) for line in outcome.added]
        body["duplicateTransactionIds"] = list(outcome.duplicate_ids)
    return AccountingJSON(body)


def _stored(line: StatementLine) -> SimpleNamespace:
    """An added line in the shape the read model renders stored lines from."""
    return SimpleNamespace(
        line_no=line.line_no,
        fields=dict(line.texts),
        value_date=line.value_date,
        amount=line.amount,
        currency=line.currency.code,
        booking_date=line.booking_date,
        transaction_id=line.transaction_id,
        status=line.status,
        remaining_amount=line.remaining_amount,
    )


@router.get("", operation_id="getAllBankStatements", response_class=AccountingJSON)
def headers(actor: Actor = requires("bank:read"), rt: Runtime = Depends(runtime)) -> Response:
    return AccountingJSON(read.list_statements(db=rt.db, tenant_id=actor.principal.tenant_id))


@router.post("", operation_id="createBankStatement", response_class=AccountingJSON)
def create(
    body: BankStatementHeaderDto | list[BankStatementHeaderDto] = Body(),
    actor: Actor = requires("bank:write"),
    rt: Runtime = Depends(runtime),
) -> Response:
    if isinstance(body, list):  # seed 003 §7 item 35: the example posts a one-element array
        if len(body) != 1:
            raise ValidationFailed("banking.one_header", field="body")
        body = body[0]
    tenant_id = actor.principal.tenant_id
    day = body.statement_date or business_today(db=rt.db, tenant_id=tenant_id, system=rt.clock)
    header = service.create_statement(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        bank_account_id=path_uuid(body.bank_account, "bankAccount"),
        file_name=body.file_name,
        statement_date=day,
        clock=rt.clock,
    )
    return AccountingJSON(read.get_statement(db=rt.db, tenant_id=tenant_id, statement_id=header.id))


@router.get("/{header_id}", operation_id="getBankStatement", response_class=AccountingJSON)
def header(
    header_id: str, actor: Actor = requires("bank:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(
        read.get_statement(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            statement_id=path_uuid(header_id, "header"),
        )
    )


@router.get(
    "/{header_id}/lines", operation_id="getBankStatementLines", response_class=AccountingJSON
)
def lines(
    *,
    header_id: str,
    date_from: IsoBusinessDate | None = Query(None, alias="from"),
    date_to: IsoBusinessDate | None = Query(None, alias="to"),
    line_number_gt: int | None = Query(None, ge=0, le=2**31 - 1),
    actor: Actor = requires("bank:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    if (date_from is None) != (date_to is None):
        raise ValidationFailed("banking.date_range_incomplete", field="from")
    return AccountingJSON(
        read.statement_lines(
            db=rt.db,
            tenant_id=actor.principal.tenant_id,
            statement_id=path_uuid(header_id, "header"),
            date_from=date_from,
            date_to=date_to,
            after_line=line_number_gt,
        )
    )


@router.post(
    "/{header_id}/lines", operation_id="addBankStatementLines", response_class=AccountingJSON
)
def add_lines(
    header_id: str,
    body: BankStatementRequestDto,
    actor: Actor = requires("bank:write"),
    rt: Runtime = Depends(runtime),
) -> Response:
    outcome = service.append_lines(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        statement_id=path_uuid(header_id, "header"),
        lines=_lines(body),
        clock=rt.clock,
    )
    return _result(outcome, body.return_lines)


@router.post(
    "/by_bank_account/{bank_account}/lines",
    operation_id="addBankAccountLines",
    response_class=AccountingJSON,
)
def add_account_lines(
    bank_account: str,
    body: BankStatementRequestDto,
    actor: Actor = requires("bank:write"),
    rt: Runtime = Depends(runtime),
) -> Response:
    tenant_id = actor.principal.tenant_id
    outcome = service.append_to_bank_account(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        bank_account_id=path_uuid(bank_account, "bankAccount"),
        lines=_lines(body),
        today=business_today(db=rt.db, tenant_id=tenant_id, system=rt.clock),
        clock=rt.clock,
    )
    return _result(outcome, body.return_lines)
