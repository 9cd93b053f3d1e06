"""Open items and the customer account view (receivables issue, item 1; ADR 0024): every
issued invoice and credit memo with its remaining amount, their totals per currency (and
customer), and a customer's transactions with value and entry dates. Scope
``open-items:read``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import Field

from beleg.api.inputs import IsoBusinessDate
from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel, Page
from beleg.api.security import requires
from beleg.domain.documents.open_items import AccountEntryType, ItemKind, OpenItemStatus
from beleg.domain.identity.principal import Actor
from beleg.queries.documents import customer_accounts
from beleg.queries.documents import open_items as read

router = APIRouter(tags=["Open items"], route_class=BelegRoute)
READ = "open-items:read"
DocumentKind = Literal[
    "INVOICE", "CREDIT_MEMO", "OUTGOING_CASH_INVOICE", "INCOMING_CASH_INVOICE", "DUNNING_NOTICE"
]
Currency3 = Annotated[
    str | None,
    Query(min_length=3, max_length=3, pattern="^[A-Za-z]{3}$", description="ISO 4217 code"),
]


class OpenItemOut(ApiModel):
    id: uuid.UUID = Field(description="The document's or cash-based invoice's id")
    kind: ItemKind = Field(description="RECEIVABLE, or PAYABLE (incoming cash-based invoices)")
    document_type: DocumentKind
    document_number: str | None
    document_date: date
    due_date: date | None
    paid_date: date | None
    customer_id: uuid.UUID | None
    customer_name: str | None
    currency: str
    original_amount: Decimal = Field(description="The document's total; credit memos negative")
    remaining_amount: Decimal = Field(
        description="What the ledger still holds of it: owed positive, credit negative (a "
        "payable: what the tenant still owes)"
    )
    carried_to_account: Decimal = Field(
        description="Part of the remaining amount settled on the customer's account without a "
        "booking (restType ONACCOUNT or CREDIT_CASHED, a cash-based invoice's EXISTING_CREDIT)"
    )
    status: OpenItemStatus
    account: str | None = Field(description="The receivables or personal account (DE)")
    dunning_date: date | None = Field(None, description="The day of the last dunning notice")
    dunning_level: int | None = Field(None, description="The last dunning level, from 1")


class OpenItemTotalOut(ApiModel):
    kind: ItemKind
    currency: str
    customer_id: uuid.UUID | None
    customer_name: str | None
    remaining_amount: Decimal = Field(description="Signed sum of the remaining amounts")
    receivable_amount: Decimal = Field(description="Sum of the positive remaining amounts")
    credit_amount: Decimal = Field(description="Sum of the negative remaining amounts")
    items: int = Field(ge=0)
    open: int = Field(ge=0)
    overpaid: int = Field(ge=0)


class OpenItemSummaryOut(ApiModel):
    totals: list[OpenItemTotalOut]


class AccountBalanceOut(ApiModel):
    currency: str
    balance: Decimal


class AccountTransactionOut(ApiModel):
    id: uuid.UUID
    type: AccountEntryType
    document_id: uuid.UUID
    document_type: DocumentKind
    document_number: str | None
    currency: str
    amount: Decimal = Field(description="The change of the balance: charges positive")
    balance: Decimal = Field(description="The running balance in this currency")
    value_date: date = Field(description="Valuta: the document's date or the payment's date")
    entry_date: date = Field(description="The day it was recorded (tenant's timezone)")
    recorded_at: datetime
    note: str | None
    cancelled: bool = Field(description="A payment or write-off cancelled later")


class CustomerAccountOut(ApiModel):
    customer_id: uuid.UUID
    balances: list[AccountBalanceOut]
    transactions: list[AccountTransactionOut]


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


class OpenItemParams:
    """The explicit filters of open items."""

    def __init__(
        self,
        customer: uuid.UUID | None = Query(None, description="The customer's (or supplier's) id"),
        status: OpenItemStatus | None = Query(None),
        due_before: IsoBusinessDate | None = Query(
            None, alias="dueBefore", description="Due before this day, YYYY-MM-DD"
        ),
        currency: Currency3 = None,
        kind: ItemKind | None = Query(None),
    ) -> None:
        self.filter = read.OpenItemFilter(customer, status, due_before, currency, kind)


@router.get(
    "/open-items",
    response_model=Page[OpenItemOut],
    responses=CSV_RESPONSE,
    summary="List open items",
)
def list_open_items(
    request: Request,
    params: ListParams = Depends(),
    given: OpenItemParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    spec = read.open_item_list(_tenant(actor), given.filter)
    return list_response(request, spec, params, rt, "open-items.csv")


@router.get(
    "/open-items/summary",
    response_model=OpenItemSummaryOut,
    summary="Totals of open items per kind and currency, optionally per customer",
)
def open_item_summary(
    given: OpenItemParams = Depends(),
    per_customer: bool = Query(False, alias="perCustomer"),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    totals = read.summary(
        db=rt.db, tenant_id=_tenant(actor), given=given.filter, per_customer=per_customer
    )
    return {
        "totals": [
            {
                "kind": t.kind,
                "currency": t.currency,
                "customerId": t.customer_id,
                "customerName": t.customer_name,
                "remainingAmount": t.remaining,
                "receivableAmount": t.receivable,
                "creditAmount": t.credit,
                "items": t.items,
                "open": t.open,
                "overpaid": t.overpaid,
            }
            for t in totals
        ]
    }


@router.get(
    "/customers/{customer_id}/account",
    response_model=CustomerAccountOut,
    summary="A customer's transactions with value and entry dates and the running balance",
)
def customer_account(
    customer_id: Annotated[uuid.UUID, Path(description="The customer's id")],
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    return customer_accounts.customer_account(
        db=rt.db, tenant_id=_tenant(actor), customer_id=customer_id
    )
