"""Data access of the catalogue: items and item categories (seed 003 §3.5, §4.15), and the
supplier check an item's ``supplier`` needs. Every function runs in the caller's transaction
and is scoped to one tenant.

Records go in and come out (``domain.catalog.items``); the columns only the database needs
are derived here: ``name_folded`` (the case-folded name, the same order on every database)
and, for items, ``search_text`` (case-folded name, readable description, number and bar
code, so that ``?search=`` matches case-insensitively on PostgreSQL and SQLite alike).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import item_categories, items
from beleg.db.tables.catalog import CATEGORY_COLUMNS, ITEM_COLUMNS
from beleg.domain.catalog.items import Item, ItemCategory, PriceMode
from beleg.domain.ledger.tax import AmountType
from beleg.money import Currency


def folded(text: str | None) -> str:
    """Case-folded text for case-insensitive search and ordering on every database."""
    return (text or "").casefold()


# --- categories -------------------------------------------------------------------------------


def find_category(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    category_id: uuid.UUID,
    lock: bool = False,
    shared: bool = False,
) -> ItemCategory | None:
    """The tenant's category, locked for update (``lock``) or against deletion (``shared``)
    until the transaction ends; None if it has none of that id."""
    k = item_categories.c
    query = select(item_categories).where(k.tenant_id == tenant_id, k.id == category_id)
    if lock or shared:
        query = query.with_for_update(read=shared and not lock)
    row = session.execute(query).one_or_none()
    return None if row is None else _category(row)


def _category(row: Row[Any]) -> ItemCategory:
    return ItemCategory(
        id=row.id,
        name=row.name,
        color=row.color,
        code=row.code,
        description=row.description,
        unit_of_measure=row.unit_of_measure,
        account=row.account,
        tax_class_entry=row.tax_class_entry,
    )


def _category_values(category: ItemCategory) -> dict[str, Any]:
    """The columns of ``category`` under their names (the DTO's fields)."""
    return {column: getattr(category, column) for column in CATEGORY_COLUMNS.values()}


def category_snapshot(category: ItemCategory) -> dict[str, Any]:
    """The audited state of a category: the ItemCategoryDto's fields that are set."""
    values = _category_values(category)
    return {name: values[c] for name, c in CATEGORY_COLUMNS.items() if values[c] is not None}


def insert_category(
    session: Session, *, tenant_id: uuid.UUID, category: ItemCategory, now: datetime
) -> None:
    session.execute(
        insert(item_categories).values(
            **_category_values(category),
            tenant_id=tenant_id,
            id=category.id,
            name_folded=folded(category.name),
            created_at=now,
            updated_at=now,
        )
    )


def update_category(
    session: Session, *, tenant_id: uuid.UUID, category: ItemCategory, now: datetime
) -> None:
    """Replace the stored category of ``category.id`` with ``category``."""
    k = item_categories.c
    session.execute(
        update(item_categories)
        .where(k.tenant_id == tenant_id, k.id == category.id)
        .values(**_category_values(category), name_folded=folded(category.name), updated_at=now)
    )


def category_item_count(session: Session, *, tenant_id: uuid.UUID, category_id: uuid.UUID) -> int:
    """How many items belong to the category."""
    count: int = session.execute(
        select(func.count())
        .select_from(items)
        .where(items.c.tenant_id == tenant_id, items.c.item_category_id == category_id)
    ).scalar_one()
    return count


def delete_category(session: Session, *, tenant_id: uuid.UUID, category_id: uuid.UUID) -> None:
    k = item_categories.c
    session.execute(delete(item_categories).where(k.tenant_id == tenant_id, k.id == category_id))


# --- items ------------------------------------------------------------------------------------


def find_item(
    session: Session, *, tenant_id: uuid.UUID, item_id: uuid.UUID, lock: bool = False
) -> Item | None:
    """The tenant's item (locked for update with ``lock``); None if it has none of that id.
    Document lines look their item up here for their defaults."""
    query = select(items).where(items.c.tenant_id == tenant_id, items.c.id == item_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _item(row)


def _item(row: Row[Any]) -> Item:
    return Item(
        id=row.id,
        name=row.name,
        selling_price=row.selling_price,
        amount_type=AmountType(row.amount_type),
        currency=Currency.of(row.currency),
        account=row.account,
        tax_class_entry=row.tax_class_entry,
        color=row.color,
        margin_mode=PriceMode(row.margin_mode),
        additional_charge_mode=PriceMode(row.additional_charge_mode),
        unit_of_measure=row.unit_of_measure,
        number=row.number,
        description=row.description,
        description_formatted=row.description_formatted,
        weight=row.weight,
        size=row.size,
        purchase_price=row.purchase_price,
        margin=row.margin,
        additional_charge=row.additional_charge,
        supplier_id=row.supplier_id,
        calculated_net_price=row.calculated_net_price,
        item_category_id=row.item_category_id,
        bar_code=row.bar_code,
        supplier_order_number=row.supplier_order_number,
        add_info1=row.add_info1,
        add_info2=row.add_info2,
        add_info3=row.add_info3,
    )


def _stored(value: object) -> object:
    """A record's value as its column holds it (codes for currencies and enums)."""
    if isinstance(value, Currency):
        return value.code
    if isinstance(value, AmountType | PriceMode):
        return value.value
    return value


def _item_values(item: Item) -> dict[str, Any]:
    """The columns of ``item`` that the ItemDto shows, plus the search columns."""
    values = {column: _stored(getattr(item, column)) for column in ITEM_COLUMNS.values()}
    values["name_folded"] = folded(item.name)
    values["search_text"] = "\n".join(
        folded(v) for v in (item.name, item.description_formatted, item.number, item.bar_code)
    )
    return values


def item_snapshot(item: Item) -> dict[str, Any]:
    """The audited state of an item: the ItemDto's fields that are set."""
    values = _item_values(item)
    return {name: values[c] for name, c in ITEM_COLUMNS.items() if values[c] is not None}


def insert_item(session: Session, *, tenant_id: uuid.UUID, item: Item, now: datetime) -> None:
    session.execute(
        insert(items).values(
            **_item_values(item), tenant_id=tenant_id, id=item.id, created_at=now, updated_at=now
        )
    )


def update_item(session: Session, *, tenant_id: uuid.UUID, item: Item, now: datetime) -> None:
    """Replace the stored item of ``item.id`` with ``item``."""
    session.execute(
        update(items)
        .where(items.c.tenant_id == tenant_id, items.c.id == item.id)
        .values(**_item_values(item), updated_at=now)
    )


def delete_item(session: Session, *, tenant_id: uuid.UUID, item_id: uuid.UUID) -> None:
    session.execute(delete(items).where(items.c.tenant_id == tenant_id, items.c.id == item_id))


# --- references -------------------------------------------------------------------------------
