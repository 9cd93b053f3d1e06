"""Read side of items and item categories (seed 003 §4.15): ItemDto, ItemCategoryDto, the
searched list, the page ``{content, totalCount}`` (ResultItemDto) and the item defaults that
business-document lines take over.

Echoed amounts keep their digits without trailing zeros (``sellingPrice`` 12 -> ``12``); the
computed ``calculatedNetPrice`` is shown at the currency's scale. Optional fields are omitted,
not null (seed 003 §2). ``search`` is a case-insensitive substring of name, readable
description, number or bar code (§2.4.1); the page also matches the category name (§4.15.7).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from beleg.db.database import Database
from beleg.db.tables import item_categories, items, tenants
from beleg.db.tables.catalog import CATEGORY_COLUMNS, ITEM_COLUMNS
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.money import Currency, round_to_currency
from beleg.queries.rendering import plain

MAX_LIMIT = 1000  # seed 003 §4.15.7: "Max. limit of 1000"; also the default
NO_CATEGORY = "NONE"
i, k = items.c, item_categories.c
SORTABLE: dict[str, ColumnElement[Any]] = {
    "name": i.name_folded,
    "number": i.number,
    "unitOfMeasure": i.unit_of_measure,
    "sellingPrice": i.selling_price,
    "amountType": i.amount_type,
    "weight": i.weight,
    "size": i.size,
    "currency": i.currency,
    "purchasePrice": i.purchase_price,
    "margin": i.margin,
    "additionalCharge": i.additional_charge,
    "calculatedNetPrice": i.calculated_net_price,
    "itemCategory": k.name_folded,
    "barCode": i.bar_code,
    "supplierOrderNumber": i.supplier_order_number,
    "account": i.account,
    "taxClassEntry": i.tax_class_entry,
    "color": i.color,
    "id": i.id,
}


def item_dto(row: Any) -> dict[str, Any]:
    """ItemDto (5.51) of an ``items`` row, fields in the seed's order."""
    m = row._mapping if hasattr(row, "_mapping") else row
    values: dict[str, Any] = {"id": str(m["id"])}
    for name, column in ITEM_COLUMNS.items():
        value = m[column]
        if value is None:
            continue
        if name == "calculatedNetPrice":
            value = round_to_currency(value, Currency.of(m["currency"]))
        elif isinstance(value, Decimal):
            value = plain(value)
        elif isinstance(value, uuid.UUID):
            value = str(value)
        values[name] = value
    return values


def category_dto(row: Any, item_count: int) -> dict[str, Any]:
    """ItemCategoryDto (5.50): its fields and the number of its items."""
    m = row._mapping if hasattr(row, "_mapping") else row
    values: dict[str, Any] = {"id": str(m["id"])}
    values.update(
        {
            name: m[column]
            for name, column in CATEGORY_COLUMNS.items()
            if m[column] is not None and name != "color"
        }
    )
    values["itemCount"] = item_count
    values["color"] = m["color"]
    return values


def get_item(*, db: Database, tenant_id: uuid.UUID, item_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(items).where(i.tenant_id == tenant_id, i.id == item_id)
        ).one_or_none()
    if row is None:
        raise NotFound("catalog.item_not_found", field="item", item_id=item_id)
    return item_dto(row)


def list_items(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    category: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    main_currency: bool = False,
) -> list[dict[str, Any]]:
    """GET /items: by name, at most ``limit`` (1000 at most)."""
    query = _filtered(tenant_id, category, search, main_currency, with_category_name=False)
    query = query.order_by(i.name_folded, i.id).limit(min(limit or MAX_LIMIT, MAX_LIMIT))
    with db.reader() as session:
        return [item_dto(r) for r in session.execute(query).all()]


def page_items(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    category: str | None = None,
    search: str | None = None,
    main_currency: bool = False,
    limit: int | None = None,
    offset: int = 0,
    sort: str | None = None,
) -> dict[str, Any]:
    """GET /items/paginated: ``{content, totalCount}`` (ResultItemDto); ``sort`` is
    ``prop[:asc|desc],...`` over the ItemDto fields in ``SORTABLE`` (nulls last)."""
    query = _filtered(tenant_id, category, search, main_currency, with_category_name=True)
    order = [*_ordering(sort), i.name_folded, i.id]
    with db.reader() as session:
        total = session.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        rows = session.execute(
            query.order_by(*order).limit(min(limit or MAX_LIMIT, MAX_LIMIT)).offset(offset)
        ).all()
    return {"content": [item_dto(r) for r in rows], "totalCount": total}


def _filtered(
    tenant_id: uuid.UUID,
    category: str | None,
    search: str | None,
    main_currency: bool,
    *,
    with_category_name: bool,
) -> Select[Any]:
    query = select(items).where(i.tenant_id == tenant_id)
    if with_category_name:  # the page searches and sorts by the category's name too
        query = query.select_from(
            items.outerjoin(
                item_categories, and_(k.tenant_id == i.tenant_id, k.id == i.item_category_id)
            )
        )
    if category == NO_CATEGORY:
        query = query.where(i.item_category_id.is_(None))
    elif category:
        query = query.where(i.item_category_id == _category_id(category))
    if search:
        if "\x00" in search:
            raise ValidationFailed("catalog.text_contains_nul", field="search", name="search")
        term = search.casefold()
        matches = [i.search_text.contains(term, autoescape=True)]
        if with_category_name:
            matches.append(k.name_folded.contains(term, autoescape=True))
        query = query.where(or_(*matches))
    if main_currency:
        main = select(tenants.c.currency).where(tenants.c.id == tenant_id).scalar_subquery()
        query = query.where(i.currency == main)
    return query


def _category_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(
            "catalog.category_filter_invalid", field="category", value=value
        ) from None


def _ordering(sort: str | None) -> list[ColumnElement[Any]]:
    order: list[ColumnElement[Any]] = []
    for part in (p.strip() for p in (sort or "").split(",")):
        if not part:
            continue
        name, _, direction = part.partition(":")
        column = SORTABLE.get(name.strip())
        direction = direction.strip().lower() or "asc"
        if column is None or direction not in ("asc", "desc"):
            raise ValidationFailed(
                "catalog.sort_invalid", field="sort", part=part, props=", ".join(SORTABLE)
            )
        order.append((column.desc() if direction == "desc" else column.asc()).nulls_last())
    return order


def _counts(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = session.execute(
        select(i.item_category_id, func.count())
        .where(i.tenant_id == tenant_id, i.item_category_id.is_not(None))
        .group_by(i.item_category_id)
    ).all()
    return {category_id: count for category_id, count in rows}


def list_categories(*, db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """GET /item_categories: by name, each with its ``itemCount``."""
    with db.reader() as session:
        rows = session.execute(
            select(item_categories).where(k.tenant_id == tenant_id).order_by(k.name_folded, k.id)
        ).all()
        counts = _counts(session, tenant_id)
    return [category_dto(r, counts.get(r.id, 0)) for r in rows]


def get_category(*, db: Database, tenant_id: uuid.UUID, category_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(item_categories).where(k.tenant_id == tenant_id, k.id == category_id)
        ).one_or_none()
        if row is None:
            raise NotFound(
                "catalog.category_not_found", field="item_category", category_id=category_id
            )
        count = session.execute(
            select(func.count())
            .select_from(items)
            .where(i.tenant_id == tenant_id, i.item_category_id == category_id)
        ).scalar_one()
    return category_dto(row, count)
