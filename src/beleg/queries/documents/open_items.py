"""Read side of open items (``GET /v2/open-items``, ``/v2/open-items/summary``; ADR 0024):
every issued invoice and credit memo and every standing cash-based invoice of the tenant,
derived from the stored documents, invoices and their history in one ``UNION ALL`` (rules in
``domain.documents.open_items``). No table of its own: the remaining amount is the stored
``remaining`` plus the unbooked carries, summed in SQL; totals are ``OpenItemTotal`` records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    case,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)

from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import (
    cb_bookings,
    cb_invoices,
    dunning_notice_items,
    dunning_notices,
    sales_document_history,
    sales_documents,
)
from beleg.db.tables.ledger import AMOUNT_SCALE
from beleg.db.types import ExactDecimal
from beleg.domain.accounting.invoices import BookingKind, PaymentType
from beleg.domain.accounting.lines import Direction
from beleg.domain.documents.model import PAYABLE, State
from beleg.domain.documents.open_items import (
    CARRIED_TYPES,
    CASH_IN,
    CASH_OUT,
    ItemKind,
    OpenItemStatus,
    item_status,
)
from beleg.money import Currency, round_to_currency
from beleg.queries.listing import ListSpec

ISSUED = (State.FINALIZED.value, State.EXTERNAL.value)
NOTICE = "DUNNING_NOTICE"  # a dunning notice's fee (ADR 0027)
DOCUMENT_TYPES = (*(t.value for t in PAYABLE), CASH_OUT, CASH_IN, NOTICE)
AMOUNT = ExactDecimal(AMOUNT_SCALE)
COLUMNS = (
    "id",
    "kind",
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
    "dunningDate",
    "dunningLevel",
)


@dataclass(frozen=True, slots=True)
class OpenItemFilter:
    """The explicit filters of the list and the summary (beside RSQL ``search``)."""

    customer_id: uuid.UUID | None = None
    status: OpenItemStatus | None = None
    due_before: date | None = None
    currency: str | None = None
    kind: ItemKind | None = None


@dataclass(frozen=True, slots=True)
class OpenItemTotal:
    """The open items of one kind and currency (and customer, when grouped by customer)."""

    kind: str
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
    """Per sales document: the standing ONACCOUNT/CREDIT_CASHED amounts (no journal)."""
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


def _cash_carried(tenant_id: uuid.UUID) -> Any:
    """Per cash-based invoice: the standing EXISTING_CREDIT payments (no journal)."""
    b = cb_bookings.c
    return (
        select(b.invoice_id, func.sum(b.payment_amount).label("carried"))
        .where(
            b.tenant_id == tenant_id,
            b.kind == BookingKind.PAYMENT.value,
            b.payment_type == PaymentType.EXISTING_CREDIT.value,
            b.cancelled.is_(False),
        )
        .group_by(b.invoice_id)
        .subquery("cash_carried")
    )


def _levels(tenant_id: uuid.UUID) -> Any:
    """Per dunned document: the last dunning level's number (ADR 0027)."""
    i = dunning_notice_items.c
    return (
        select(i.document_id, func.max(i.level_no).label("level"))
        .where(i.tenant_id == tenant_id)
        .group_by(i.document_id)
        .subquery("dunned")
    )


def _sales(tenant_id: uuid.UUID) -> Select[Any]:
    d = sales_documents.c
    carried = _carried(tenant_id)
    levels = _levels(tenant_id)
    carry = type_coerce(func.coalesce(carried.c.carried, literal(0, AMOUNT)), AMOUNT)
    return (
        select(
            d.id,
            literal(ItemKind.RECEIVABLE.value).label("kind"),
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
            type_coerce(d.remaining + carry, AMOUNT).label("unsigned"),
            type_coerce((d.remaining + carry) * d.sign, AMOUNT).label("open_amount"),
            d.dunning_date,
            levels.c.level.label("dunning_level"),
        )
        .select_from(
            sales_documents.outerjoin(carried, carried.c.document_id == d.id).outerjoin(
                levels, levels.c.document_id == d.id
            )
        )
        .where(
            d.tenant_id == tenant_id,
            d.doc_type.in_([t.value for t in PAYABLE]),
            d.state.in_(ISSUED),
        )
    )


def _cash(tenant_id: uuid.UUID) -> Select[Any]:
    """Cash-based invoices (seed 003 §3.3) that stand: outgoing ones are receivables,
    incoming ones payables (what the tenant owes, positive)."""
    c = cb_invoices.c
    carried = _cash_carried(tenant_id)
    carry = type_coerce(func.coalesce(carried.c.carried, literal(0, AMOUNT)), AMOUNT)
    outgoing = c.direction == Direction.OUTGOING.value
    return (
        select(
            c.id,
            case((outgoing, ItemKind.RECEIVABLE.value), else_=ItemKind.PAYABLE.value).label("kind"),
            case((outgoing, CASH_OUT), else_=CASH_IN).label("doc_type"),
            func.coalesce(c.sequence, c.invoice_reference).label("number"),
            c.invoice_date.label("doc_date"),
            c.due_date,
            c.paid_date,
            c.partner_id.label("customer_id"),
            c.partner_name.label("customer_name"),
            c.currency,
            literal(1).label("sign"),
            c.total,
            c.unpaid_account,
            carry.label("carried"),
            type_coerce(c.remaining + carry, AMOUNT).label("unsigned"),
            type_coerce(c.remaining + carry, AMOUNT).label("open_amount"),
            type_coerce(literal(None), c.due_date.type).label("dunning_date"),
            type_coerce(literal(None), Integer()).label("dunning_level"),
        )
        .select_from(cb_invoices.outerjoin(carried, carried.c.invoice_id == c.id))
        .where(c.tenant_id == tenant_id, c.cancelled_date.is_(None))
    )


def _fees(tenant_id: uuid.UUID) -> Select[Any]:
    """Dunning notices with a fee (ADR 0027): receivable on the customer's unpaid account
    from the notice date, as their fee journal books it."""
    n = dunning_notices.c
    return select(
        n.id,
        literal(ItemKind.RECEIVABLE.value).label("kind"),
        literal(NOTICE).label("doc_type"),
        n.number,
        n.notice_date.label("doc_date"),
        n.notice_date.label("due_date"),
        type_coerce(literal(None), n.notice_date.type).label("paid_date"),
        n.customer_id,
        n.customer_name,
        n.currency,
        literal(1).label("sign"),
        n.fee.label("total"),
        n.unpaid_account,
        type_coerce(literal(0, AMOUNT), AMOUNT).label("carried"),
        type_coerce(n.fee_remaining, AMOUNT).label("unsigned"),
        type_coerce(n.fee_remaining, AMOUNT).label("open_amount"),
        type_coerce(literal(None), n.notice_date.type).label("dunning_date"),
        type_coerce(literal(None), Integer()).label("dunning_level"),
    ).where(n.tenant_id == tenant_id, n.fee > literal(0, AMOUNT))


def items_of(tenant_id: uuid.UUID) -> Any:
    """Every open item of the tenant (sales documents, cash-based invoices and dunning
    fees) as one subquery with the columns of ``_sales``."""
    return union_all(_sales(tenant_id), _cash(tenant_id), _fees(tenant_id)).subquery("open_items")


def _status_condition(unsigned: ColumnElement[Any], status: OpenItemStatus) -> Any:
    """Stored amounts are positive, so the unsigned rest is > 0 exactly while the item is open
    (``item_status``) and < 0 once it is overpaid."""
    if status is OpenItemStatus.PAID:
        return unsigned == literal(0, AMOUNT)
    if status is OpenItemStatus.OPEN:
        return unsigned > literal(0, AMOUNT)
    return unsigned < literal(0, AMOUNT)


def filtered(items: Any, given: OpenItemFilter) -> Select[Any]:
    """The open items of ``items_of`` that match ``given``."""
    i = items.c
    statement = select(*[column for column in i if column.key != "unsigned"])
    if given.customer_id is not None:
        statement = statement.where(i.customer_id == given.customer_id)
    if given.status is not None:
        statement = statement.where(
            _status_condition(type_coerce(i.unsigned, AMOUNT), given.status)
        )
    if given.due_before is not None:
        statement = statement.where(i.due_date < given.due_before)
    if given.currency is not None:
        statement = statement.where(i.currency == given.currency.upper())
    if given.kind is not None:
        statement = statement.where(i.kind == given.kind.value)
    return statement


def _scaled(amount: Decimal, currency: Currency) -> Decimal:
    """An exact stored amount at the currency's scale (stored amounts have 4 places)."""
    return round_to_currency(amount, currency)


def open_item(row: Any) -> dict[str, Any]:
    currency = Currency.of(row.currency)
    remaining = Decimal(row.open_amount)
    return {
        "id": row.id,
        "kind": row.kind,
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
        "dunningDate": row.dunning_date,
        "dunningLevel": row.dunning_level,
    }


def open_item_list(tenant_id: uuid.UUID, given: OpenItemFilter) -> ListSpec:
    items = items_of(tenant_id)
    i = items.c
    return ListSpec(
        statement=filtered(items, given),
        filters={
            "kind": FilterField(i.kind, Kind.ENUM, tuple(k.value for k in ItemKind)),
            "documentType": FilterField(i.doc_type, Kind.ENUM, DOCUMENT_TYPES),
            "documentNumber": FilterField(i.number),
            "documentDate": FilterField(i.doc_date, Kind.DATE),
            "dueDate": FilterField(i.due_date, Kind.DATE),
            "customerId": FilterField(i.customer_id, Kind.UUID),
            "customerName": FilterField(i.customer_name),
        },
        sortable={
            "dueDate": i.due_date,
            "documentDate": i.doc_date,
            "documentNumber": i.number,
            "customerName": i.customer_name,
        },
        default_sort=[i.due_date, i.doc_date, i.number, i.id],
        to_item=open_item,
        columns=COLUMNS,
    )


def summary(
    *, db: Database, tenant_id: uuid.UUID, given: OpenItemFilter, per_customer: bool
) -> list[OpenItemTotal]:
    """Totals of the matching open items per kind and currency (and customer with
    ``per_customer``), summed in SQL."""
    items = filtered(items_of(tenant_id), given).subquery("items")
    i = items.c
    amount = type_coerce(i.open_amount, AMOUNT)
    zero = literal(0, AMOUNT)
    keys = _keys(items, per_customer)
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


def _keys(items: Any, per_customer: bool) -> list[Any]:
    i = items.c
    return [i.kind, i.currency, i.customer_id] if per_customer else [i.kind, i.currency]


def _split(session: Any, items: Any, per_customer: bool) -> dict[tuple[Any, ...], Decimal]:
    """The sum of the positive remaining amounts per key (the rest is credit)."""
    amount = type_coerce(items.c.open_amount, AMOUNT)
    keys = _keys(items, per_customer)
    query = (
        select(*keys, type_coerce(func.sum(amount), AMOUNT).label("receivable"))
        .where(amount > literal(0, AMOUNT))
        .group_by(*keys)
    )
    return {tuple(row[: len(keys)]): Decimal(row.receivable) for row in session.execute(query)}


def _total(row: Any, split: dict[tuple[Any, ...], Decimal], per_customer: bool) -> OpenItemTotal:
    currency = Currency.of(row.currency)
    key = (row.kind, row.currency, row.customer_id) if per_customer else (row.kind, row.currency)
    remaining = Decimal(row.remaining)
    receivable = split.get(key, Decimal(0))
    return OpenItemTotal(
        kind=row.kind,
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
