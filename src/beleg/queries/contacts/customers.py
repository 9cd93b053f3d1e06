"""Read side of the billing API's customers (/v2/customers): one customer, and the list with
RSQL filters, paging and CSV (the accounting API's customers are the same rows)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from beleg.db.contacts import customers as repo
from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import contacts, tenants
from beleg.domain.contacts.customers import CustomerType, PaymentMethod
from beleg.domain.contacts.partners import ContactKind
from beleg.queries.listing import ListSpec

COLUMNS = (
    "id",
    "customerNumber",
    "type",
    "companyName",
    "firstName",
    "lastName",
    "vatId",
    "country",
    "currency",
    "invoiceAddress",
    "shippingAddress",
    "paymentMethod",
    "eInvoicing",
    "createdAt",
    "updatedAt",
)


def get_customer(*, db: Database, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> dict[str, Any]:
    """The customer as /v2 shows it; NotFound naming ``id`` otherwise."""
    with db.reader() as session:
        return repo.customer(session, tenant_id, customer_id).snapshot()


def _item(row: Any) -> dict[str, Any]:
    return repo.customer_from_row(row).snapshot()


def customer_list(tenant_id: uuid.UUID) -> ListSpec:
    """The tenant's customers, oldest first; the items have no payment accounts yet
    (``with_payment_accounts`` adds them to a page)."""
    c = contacts.c
    text = {
        name: c.fields[name].as_string()
        for name in ("companyName", "firstName", "lastName", "country")
    }
    currency = func.coalesce(c.currency, tenants.c.currency)
    statement = (
        select(contacts, tenants.c.currency.label("tenant_currency"))
        .join(tenants, tenants.c.id == c.tenant_id)
        .where(c.tenant_id == tenant_id, c.kind == ContactKind.CUSTOMER.value)
    )
    return ListSpec(
        statement=statement,
        filters={
            "id": FilterField(c.id, Kind.UUID),
            "customerNumber": FilterField(c.number),
            "type": FilterField(c.customer_type, Kind.ENUM, tuple(t.value for t in CustomerType)),
            **{name: FilterField(column) for name, column in text.items()},
            "vatId": FilterField(c.vat_id),
            "currency": FilterField(currency),
            "paymentMethod": FilterField(
                c.payment_method, Kind.ENUM, tuple(m.value for m in PaymentMethod)
            ),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
            "updatedAt": FilterField(c.updated_at, Kind.DATETIME),
        },
        sortable={
            "customerNumber": c.number,
            "companyName": text["companyName"],
            "lastName": text["lastName"],
            "createdAt": c.created_at,
            "updatedAt": c.updated_at,
        },
        default_sort=[c.created_at, c.id],
        to_item=_item,
        columns=list(COLUMNS),
    )


def with_payment_accounts(
    *, db: Database, tenant_id: uuid.UUID, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The page's customers with their payment accounts (one query for the page)."""
    ids = [uuid.UUID(item["id"]) for item in items]
    with db.reader() as session:
        found = repo.payment_accounts(session, tenant_id, ids)
    return [
        {**item, "paymentAccounts": [a.snapshot() for a in found.get(uuid.UUID(item["id"]), [])]}
        for item in items
    ]
