"""CashBasedSetup (seed 003 §4.5) and CashBasedAccounting (§4.2: POST /rebooks)."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from beleg.api.inputs import BusinessDate, IsoBusinessDate, WholeNumber
from beleg.api.language import preferred_language
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import requires
from beleg.api.v11.models import (
    AccountBalanceDto,
    AccountDto,
    RebookJournalDto,
    TaxClassEntryDto,
    V11Input,
    documented,
)
from beleg.api.v11.paths import path_uuid
from beleg.api.v11.rendering import AccountingJSON, Number
from beleg.domain import dates
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.rebooks import rebook_type
from beleg.queries.banking import statements as banking
from beleg.queries.ledger import accounts as read
from beleg.services.ledger import rebooks
from beleg.services.tenancy.test_clock import business_today

router = APIRouter(tags=["CashBasedSetup"], route_class=BelegRoute)
rebook_router = APIRouter(tags=["CashBasedAccounting"], route_class=BelegRoute)
TYPE_PATTERN = "^[EMALSU]$"
ITEM_TYPES = ("E", "M")  # income accounts, plus the receivables account (seed 003 §3.7)


class RebookCreationDto(V11Input):
    type: str
    date: BusinessDate | None = None
    amount: Number
    description: str = ""
    reference: str = ""
    account: str
    contra_account: str


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@rebook_router.post(
    "/rebooks",
    operation_id="createRebook",
    response_class=AccountingJSON,
    responses=documented(RebookJournalDto),
    summary="Create a tax-free rebook journal (U) from account to contraAccount",
)
def create_rebook(
    body: RebookCreationDto, actor: Actor = requires("ledger:write"), rt: Runtime = Depends(runtime)
) -> Response:
    day = body.date or business_today(db=rt.db, tenant_id=_tenant(actor), system=rt.clock)
    rebook = rebooks.create_rebook(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        rebook_type=body.type,
        account=body.account,
        contra_account=body.contra_account,
        amount=body.amount,
        booking_date=day,
        description=body.description,
        reference=body.reference,
        clock=rt.clock,
    )
    amount = rebook.amount
    return AccountingJSON(
        {
            "id": rebook.number,
            "rebookType": rebook.rebook_type.value,
            "account": rebook.account,
            "contraAccount": rebook.contra_account,
            "date": day,
            "cancelled": False,
            "description": rebook.description,
            "reference": rebook.reference,
            "invoiceDate": day,
            "currencyRate": 1,
            "currencyCode": rebook.currency,
            "amount": amount,
            # seed 003 §7 item 32: the example's names for date, reference and amount
            "payedDate": day,
            "invoiceReference": rebook.reference,
            "journalTotPrice": amount,
        }
    )


@router.get(
    "/accounts",
    operation_id="getAllAccounts",
    response_class=AccountingJSON,
    responses=documented(list[AccountDto]),
)
def accounts(
    type: str | None = Query(None, pattern=TYPE_PATTERN),
    actor: Actor = requires("ledger:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    return AccountingJSON(
        read.list_accounts(db=rt.db, tenant_id=_tenant(actor), types=(type,) if type else None)
    )


@router.get(
    "/accounts/item_accounts", operation_id="getItemAccounts", response_class=AccountingJSON
)
def item_accounts(
    actor: Actor = requires("ledger:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(
        read.list_accounts(db=rt.db, tenant_id=_tenant(actor), types=ITEM_TYPES, receivables=True)
    )


@router.get(
    "/accounts/receipt_accounts", operation_id="getReceiptAccounts", response_class=AccountingJSON
)
def receipt_accounts(
    actor: Actor = requires("ledger:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(
        read.list_accounts(db=rt.db, tenant_id=_tenant(actor), types=ITEM_TYPES, receivables=True)
    )


@router.get(
    "/accounts/rebook_accounts", operation_id="getRebookAccounts", response_class=AccountingJSON
)
def rebook_accounts(
    type: str = Query("REBOOK"),
    date: IsoBusinessDate | None = None,
    search: str | None = None,
    actor: Actor = requires("ledger:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    del date  # accounts have no validity period yet: every account is effective
    return AccountingJSON(
        read.list_accounts(
            db=rt.db, tenant_id=_tenant(actor), rebook=rebook_type(type), search=search
        )
    )


@router.get(
    "/accounts/balances",
    operation_id="getAccountBalances",
    response_class=AccountingJSON,
    responses=documented(list[AccountBalanceDto]),
)
def balances(
    *,
    request: Request,
    method: str = Query("N", pattern="^[NT]$"),
    date_from: IsoBusinessDate | None = Query(None, alias="from"),
    date_to: IsoBusinessDate | None = Query(None, alias="to"),
    type: str | None = Query(None, pattern=TYPE_PATTERN),
    opening_balances: bool = False,
    closing_entries: bool = False,
    filterNullValues: bool = False,
    compactReceivables: bool = False,
    dbhCreditDebit: bool = False,
    actor: Actor = requires("ledger:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    del request
    year = business_today(db=rt.db, tenant_id=_tenant(actor), system=rt.clock).year
    query = read.BalanceQuery(
        date_from=date_from or date(year, 1, 1),
        date_to=date_to or date(year, 12, 31),
        gross=method == "T",
        account_type=type,
        opening_balances=opening_balances,
        closing_entries=closing_entries,
        hide_zero=filterNullValues,
        compact_receivables=compactReceivables,
    )
    if query.date_from > query.date_to:
        raise ValidationFailed("ledger.period_reversed", field="from")
    items = read.balances(db=rt.db, tenant_id=_tenant(actor), query=query)
    if not dbhCreditDebit:
        items = [{k: v for k, v in item.items() if k not in ("credit", "debit")} for item in items]
    return AccountingJSON(items)


@router.get(
    "/accounts/balances_per_month",
    operation_id="getAccountBalancesPerMonth",
    response_class=AccountingJSON,
)
def balances_per_month(
    *,
    fiscal_year: Annotated[WholeNumber, Query(ge=dates.EARLIEST.year, le=dates.LATEST.year)],
    opening_balances: bool = False,
    closing_entries: bool = False,
    totals: bool = False,
    method: str = Query("N", pattern="^[NT]$"),
    filterNullValues: bool = False,
    compactReceivables: bool = False,
    actor: Actor = requires("ledger:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    query = read.BalanceQuery(
        date_from=date(fiscal_year, 1, 1),
        date_to=date(fiscal_year, 12, 31),
        gross=method == "T",
        opening_balances=opening_balances,
        closing_entries=closing_entries,
        hide_zero=filterNullValues,
        compact_receivables=compactReceivables,
    )
    return AccountingJSON(
        read.balances_per_month(
            db=rt.db, tenant_id=_tenant(actor), year=fiscal_year, query=query, totals=totals
        )
    )


@router.get(
    "/accounts/{account}",
    operation_id="getAccount",
    response_class=AccountingJSON,
    responses=documented(AccountDto),
)
def account(
    account: str, actor: Actor = requires("ledger:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(read.get_account(db=rt.db, tenant_id=_tenant(actor), code=account))


@router.get(
    "/accounts/{account}/rebook_contra_accounts",
    operation_id="getRebookContraAccounts",
    response_class=AccountingJSON,
)
def rebook_contra_accounts(
    *,
    account: str,
    type: str = Query("REBOOK"),
    date: IsoBusinessDate | None = None,
    search: str | None = None,
    actor: Actor = requires("ledger:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    del date
    kind = rebook_type(type)
    source = read.get_account(db=rt.db, tenant_id=_tenant(actor), code=account)
    if source not in read.list_accounts(db=rt.db, tenant_id=_tenant(actor), rebook=kind):
        raise ValidationFailed(
            "ledger.account_not_rebookable", field="account", code=account, kind=kind.value
        )
    return AccountingJSON(
        read.list_accounts(
            db=rt.db, tenant_id=_tenant(actor), rebook=kind, exclude=account, search=search
        )
    )


@router.get(
    "/accounts/{account}/tax_class_entries",
    operation_id="getTaxClassEntries",
    response_class=AccountingJSON,
    responses=documented(list[TaxClassEntryDto]),
)
def tax_class_entries(
    account: str,
    request: Request,
    actor: Actor = requires("ledger:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    return AccountingJSON(
        read.tax_class_entries(
            db=rt.db, tenant_id=_tenant(actor), code=account, language=preferred_language(request)
        )
    )


@router.get(
    "/accounts/{account}/tax_class_entries/{tax_class_entry}",
    operation_id="getTaxClassEntry",
    response_class=AccountingJSON,
)
def tax_class_entry(
    account: str,
    tax_class_entry: str,
    request: Request,
    actor: Actor = requires("ledger:read"),
    rt: Runtime = Depends(runtime),
) -> Response:
    return AccountingJSON(
        read.tax_class_entries(
            db=rt.db,
            tenant_id=_tenant(actor),
            code=account,
            language=preferred_language(request),
            entry=tax_class_entry,
        )[0]
    )


@router.get("/bank_accounts", operation_id="getAllBankAccounts", response_class=AccountingJSON)
def bank_accounts(actor: Actor = requires("bank:read"), rt: Runtime = Depends(runtime)) -> Response:
    return AccountingJSON(banking.list_bank_accounts(db=rt.db, tenant_id=_tenant(actor)))


@router.get(
    "/bank_accounts/{bank_account}", operation_id="getBankAccount", response_class=AccountingJSON
)
def bank_account(
    bank_account: str, actor: Actor = requires("bank:read"), rt: Runtime = Depends(runtime)
) -> Response:
    return AccountingJSON(
        banking.get_bank_account(
            db=rt.db,
            tenant_id=_tenant(actor),
            bank_account_id=path_uuid(bank_account, "bankAccount"),
        )
    )
