"""Read side of open items (``GET /v2/open-items``, ``/v2/open-items/summary``; ADR 0024):
every issued invoice and credit memo of the tenant, derived from the stored documents and
their history (rules in ``domain.documents.open_items``). No table of its own: the remaining
amount is the document's ``remaining`` plus its unbooked carries, summed in SQL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select, type_coerce

from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import sales_document_history, sales_documents
from beleg.db.tables.ledger import AMOUNT_SCALE
from beleg.db.types import ExactDecimal
from beleg.domain.documents.model import PAYABLE, State
from beleg.domain.documents.open_items import (
    CARRIED_TYPES,
    OpenItemStatus,
    item_status,
)
from beleg.money import Currency, round_to_currency
from beleg.queries.listing import ListSpec

ISSUED = (State.FINALIZED.value, State.EXTERNAL.value)
AMOUNT = ExactDecimal(AMOUNT_SCALE)
COLUMNS = (
    "id",
    "documentType",
    "documentNumber",
    "documentDate",
    "dueDate",
    "paidDate",
    "customerId",
    "customerName",
    "currency",
    "originalAmount",
    "remainingAmount",
    "carriedToAccount",
    "status",
    "account",
)


@dataclass(frozen=True, slots=True)
class OpenItemFilter:
    """The explicit filters of the list and the summary (beside RSQL ``search``)."""

    customer_id: uuid.UUID | None = None
    status: OpenItemStatus | None = None
    due_before: date | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class OpenItemTotal:
    """The open items of one currency (and customer, when grouped by customer)."""

    currency: str
    customer_id: uuid.UUID | None
    customer_name: str | None
    remaining: Decimal  # signed sum: receivable positive, credit negative
    receivable: Decimal  # the sum of the positive remaining amounts
    credit: Decimal  # the sum of the negative ones (as a negative number)
    items: int
    open: int
    overpaid: int


def _carried(tenant_id: uuid.UUID) -> Any:
    h = sales_document_history.c
    return (
        select(h.document_id, func.sum(h.amount).label("carried"))
        .where(
            h.tenant_id == tenant_id,
            h.entry_type.in_([t.value for t in CARRIED_TYPES]),
            h.is_payment.is_(True),
            h.cancelled.is_(False),
        )
        .group_by(h.document_id)
        .subquery("carried")
    )


def _statement(tenant_id: uuid.UUID) -> tuple[Select[Any], ColumnElement[Any]]:
    """The open items of a tenant and the expression of their unsigned remaining amount."""
    d = sales_documents.c
    carried = _carried(tenant_id)
    carry = type_coerce(func.coalesce(carried.c.carried, literal(0, AMOUNT)), AMOUNT)
    unsigned = type_coerce(d.remaining + carry, AMOUNT)
    statement = (
        select(
            d.id,
            d.doc_type,
            d.number,
            d.doc_date,
            d.due_date,
            d.paid_date,
            d.customer_id,
            d.customer_name,
            d.currency,
            d.sign,
            d.total,
            d.unpaid_account,
            carry.label("carried"),
            type_coerce(unsigned * d.sign, AMOUNT).label("open_amount"),
        )
        .select_from(
            sales_documents.outerjoin(
                carried, and_(carried.c.document_id == d.id, d.tenant_id == tenant_id)
            )
        )
        .where(
            d.tenant_id == tenant_id,
            d.doc_type.in_([t.value for t in PAYABLE]),
            d.state.in_(ISSUED),
        )
    )
    return statement, unsigned


def _status_condition(unsigned: ColumnElement[Any], status: OpenItemStatus) -> Any:
    """Stored amounts are positive, so the unsigned rest is > 0 exactly while the item is open
    (``item_status``) and < 0 once it is overpaid."""
    if status is OpenItemStatus.PAID:
        return unsigned == literal(0, AMOUNT)
    if status is OpenItemStatus.OPEN:
        return unsigned > literal(0, AMOUNT)
    return unsigned < literal(0, AMOUNT)


def filtered(tenant_id: uuid.UUID, given: OpenItemFilter) -> Select[Any]:
    """The tenant's open items that match ``given``."""
    d = sales_documents.c
    statement, unsigned = _statement(tenant_id)
    if given.customer_id is not None:
        statement = statement.where(d.customer_id == given.customer_id)
    if given.status is not None:
        statement = statement.where(_status_condition(unsigned, given.status))
    if given.due_before is not None:
        statement = statement.where(d.due_date < given.due_before)
    if given.currency is not None:
        statement = statement.where(d.currency == given.currency.upper())
    return statement


def _scaled(amount: Decimal, currency: Currency) -> Decimal:
    """An exact stored amount at the currency's scale (stored amounts have 4 places)."""
    return round_to_currency(amount, currency)


def open_item(row: Any) -> dict[str, Any]:
    currency = Currency.of(row.currency)
    remaining = Decimal(row.open_amount)
    return {
        "id": row.id,
        "documentType": row.doc_type,
        "documentNumber": row.number,
        "documentDate": row.doc_date,
        "dueDate": row.due_date,
        "paidDate": row.paid_date,
        "customerId": row.customer_id,
        "customerName": row.customer_name,
        "currency": row.currency,
        "originalAmount": _scaled(Decimal(row.total) * row.sign, currency),
        "remainingAmount": _scaled(remaining, currency),
        "carriedToAccount": _scaled(Decimal(row.carried) * row.sign, currency),
        "status": item_status(row.sign, remaining).value,
        "account": row.unpaid_account,
    }


def open_item_list(tenant_id: uuid.UUID, given: OpenItemFilter) -> ListSpec:
    d = sales_documents.c
    return ListSpec(
        statement=filtered(tenant_id, given),
        filters={
            "documentType": FilterField(d.doc_type, Kind.ENUM, tuple(t.value for t in PAYABLE)),
            "documentNumber": FilterField(d.number),
            "documentDate": FilterField(d.doc_date, Kind.DATE),
            "dueDate": FilterField(d.due_date, Kind.DATE),
            "customerId": FilterField(d.customer_id, Kind.UUID),
            "customerName": FilterField(d.customer_name),
        },
        sortable={
            "dueDate": d.due_date,
            "documentDate": d.doc_date,
            "documentNumber": d.number,
            "customerName": d.customer_name,
        },
        default_sort=[d.due_date, d.doc_date, d.number, d.id],
        to_item=open_item,
        columns=COLUMNS,
    )


def summary(
    *, db: Database, tenant_id: uuid.UUID, given: OpenItemFilter, per_customer: bool
) -> list[OpenItemTotal]:
    """Totals of the matching open items per currency (and customer with ``per_customer``),
    summed in SQL."""
    items = filtered(tenant_id, given).subquery("items")
    i = items.c
    amount = type_coerce(i.open_amount, AMOUNT)
    zero = literal(0, AMOUNT)
    keys: list[Any] = [i.currency]
    if per_customer:
        keys += [i.customer_id]
    names = func.max(i.customer_name) if per_customer else literal(None)
    query = (
        select(
            *keys,
            names.label("customer_name"),
            type_coerce(func.coalesce(func.sum(amount), zero), AMOUNT).label("remaining"),
            func.count().label("items"),
            func.sum(case((amount * i.sign > zero, 1), else_=0)).label("open_count"),
            func.sum(case((amount * i.sign < zero, 1), else_=0)).label("overpaid"),
        )
        .group_by(*keys)
        .order_by(*keys)
    )
    with db.reader() as session:
        rows = session.execute(query).all()
        split = _split(session, items, per_customer)
    return [_total(row, split, per_customer) for row in rows]


def _split(session: Any, items: Any, per_customer: bool) -> dict[tuple[Any, ...], Decimal]:
    """The sum of the positive remaining amounts per key (the rest is credit)."""
    i = items.c
    amount = type_coerce(i.open_amount, AMOUNT)
    keys: list[Any] = [i.currency, i.customer_id] if per_customer else [i.currency]
    query = (
        select(*keys, type_coerce(func.sum(amount), AMOUNT).label("receivable"))
        .where(amount > literal(0, AMOUNT))
        .group_by(*keys)
    )
    return {tuple(row[: len(keys)]): Decimal(row.receivable) for row in session.execute(query)}


def _total(row: Any, split: dict[tuple[Any, ...], Decimal], per_customer: bool) -> OpenItemTotal:
    currency = Currency.of(row.currency)
    key = (row.currency, row.customer_id) if per_customer else (row.currency,)
    remaining = Decimal(row.remaining)
    receivable = split.get(key, Decimal(0))
    return OpenItemTotal(
        currency=row.currency,
        customer_id=row.customer_id if per_customer else None,
        customer_name=row.customer_name if per_customer else None,
        remaining=_scaled(remaining, currency),
        receivable=_scaled(receivable, currency),
        credit=_scaled(remaining - receivable, currency),
        items=row.items,
        open=row.open_count,
        overpaid=row.overpaid,
    )
