"""Items and item categories: create, replace (PUT = full replacement) and delete
(seed 003 §3.5, §4.15). One transaction each, with its audit entry.

What is checked against the tenant's data here (the pure rules are in ``domain/items.py``):

* ``account`` must exist in the tenant's ledger and be a revenue account (type E or M, the
  accounts of outgoing invoice lines); ``taxClassEntry`` must be allowed on it (seed 003 §3.1).
* Without ``itemCategoryDefaulting`` both are required. With it, each of ``account``,
  ``taxClassEntry`` and ``unitOfMeasure`` that is absent comes from the item's category
  (§2.4.2: "If set to true and when no account and taxClassEntry are supplied, they will be
  defaulted from the item category"); the switch applies when the item is written and is not
  stored (the §2.4.2 response does not echo it).
* ``itemCategory`` must be a category of the tenant, ``supplier`` a supplier contact of it.
* ``currency`` defaults to the tenant's main currency (EUR for the seed's tenants).
* ``color`` is assigned at random when omitted (§2.4.2); categories get one too.
* A category that still has items cannot be deleted (§4.15.4: 400, ``ItemCategoryInUse``).
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.tables import contacts, item_categories, items
from beleg.db.tables.catalog import CATEGORY_COLUMNS, ITEM_COLUMNS
from beleg.domain.accounting.lines import Direction, resolve_tax_entry
from beleg.domain.audit.chain import AuditAction
from beleg.domain.catalog.items import (
    ItemCategoryInUse,
    PriceMode,
    calculated_net_price,
    html_to_text,
    normalise_category,
    normalise_item,
)
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.charts import Account
from beleg.money import Currency

DEFAULTED = (
    ("account", "account"),
    ("taxClassEntry", "tax_class_entry"),
    ("unitOfMeasure", "unit_of_measure"),
)


def random_color() -> str:
    """A random HTML colour, six lower-case hex digits (seed 003 §2.4.2 ``2bc25d``)."""
    return secrets.token_hex(3)


def folded(text: str | None) -> str:
    """Case-folded text for case-insensitive search and ordering on every database."""
    return (text or "").casefold()


# --- categories -------------------------------------------------------------------------------


def save_category(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    values: dict[str, Any],
    clock: Clock,
    category_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Create (no id) or replace an item category; its defaults must fit the ledger."""
    fields = normalise_category(values)
    with db.transaction() as session:
        before = _category(session, tenant_id, category_id, lock=True) if category_id else None
        books = load_books(session, tenant_id)
        if "account" in fields:
            account = revenue_account(books, fields["account"])
            if "taxClassEntry" in fields:
                resolve_tax_entry(account, fields["taxClassEntry"], "taxClassEntry")
        elif "taxClassEntry" in fields:
            _tax_entry_exists(books, fields["taxClassEntry"])
        now = clock.now()
        row: dict[str, Any] = {
            column: fields.get(name) for name, column in CATEGORY_COLUMNS.items()
        }
        row.update(
            tenant_id=tenant_id,
            id=category_id or uuid.uuid4(),
            updated_at=now,
            name_folded=folded(fields["name"]),
            color=fields.get("color") or random_color(),
        )
        if before is None:
            session.execute(insert(item_categories).values(**row, created_at=now))
        else:
            session.execute(
                update(item_categories)
                .where(item_categories.c.tenant_id == tenant_id, item_categories.c.id == row["id"])
                .values(**row)
            )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type="ItemCategory",
            entity_id=row["id"],
            before=before and _snapshot(before, CATEGORY_COLUMNS),
            after=_snapshot(row, CATEGORY_COLUMNS),
            clock=clock,
        )
        return row["id"]


def delete_category(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, category_id: uuid.UUID, clock: Clock
) -> None:
    """Delete a category that no item belongs to any more."""
    with db.transaction() as session:
        before = _category(session, tenant_id, category_id, lock=True)
        count = session.execute(
            select(func.count())
            .select_from(items)
            .where(items.c.tenant_id == tenant_id, items.c.item_category_id == category_id)
        ).scalar_one()
        if count:
            raise ItemCategoryInUse(
                f"item category {before['name']!r} still has {count} item(s); move or delete "
                "them before deleting the category",
                de=f"Die Artikelkategorie {before['name']} enthält noch {count} Artikel und kann "
                "nicht gelöscht werden",
                field="itemCategory",
            )
        session.execute(
            delete(item_categories).where(
                item_categories.c.tenant_id == tenant_id, item_categories.c.id == category_id
            )
        )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type="ItemCategory",
            entity_id=category_id,
            before=_snapshot(before, CATEGORY_COLUMNS),
            after=None,
            clock=clock,
        )


def _category(
    session: Session,
    tenant_id: uuid.UUID,
    category_id: uuid.UUID | None,
    *,
    lock: bool = False,
    shared: bool = False,
) -> dict[str, Any]:
    """The tenant's category, locked for update (``lock``) or against deletion (``shared``)."""
    query = select(item_categories).where(
        item_categories.c.tenant_id == tenant_id, item_categories.c.id == category_id
    )
    if lock or shared:
        query = query.with_for_update(read=shared and not lock)
    row = session.execute(query).one_or_none()
    if row is None:
        raise NotFound(
            f"item category {category_id} does not exist",
            de="Artikelkategorie nicht gefunden.",
            field="item_category",
        )
    return dict(row._mapping)


# --- items ------------------------------------------------------------------------------------


def save_item(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    values: dict[str, Any],
    clock: Clock,
    item_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Create (no id) or replace an item (PUT = full replacement, seed 003 §2)."""
    fields = normalise_item(values)
    defaulting = bool(values.get("itemCategoryDefaulting"))
    with db.transaction() as session:
        before = _item(session, tenant_id, item_id) if item_id else None
        books = load_books(session, tenant_id)
        category = _category_reference(session, tenant_id, fields.get("itemCategory"))
        if defaulting:
            _take_category_defaults(fields, category)
        account = revenue_account(books, fields.get("account"), defaulting=defaulting)
        if not fields.get("taxClassEntry"):
            raise _missing("taxClassEntry", defaulting)
        fields["taxClassEntry"] = resolve_tax_entry(
            account, fields["taxClassEntry"], "taxClassEntry"
        )
        fields.setdefault("currency", books.main.code)
        supplier = _supplier_reference(session, tenant_id, fields.get("supplier"))
        row = _item_row(books, fields, category, supplier)
        now = clock.now()
        row.update(tenant_id=tenant_id, id=item_id or uuid.uuid4(), updated_at=now)
        if before is None:
            session.execute(insert(items).values(**row, created_at=now))
        else:
            session.execute(
                update(items)
                .where(items.c.tenant_id == tenant_id, items.c.id == row["id"])
                .values(**row)
            )
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type="Item",
            entity_id=row["id"],
            before=before and _snapshot(before, ITEM_COLUMNS),
            after=_snapshot(row, ITEM_COLUMNS),
            clock=clock,
        )
        return row["id"]


def _item_row(
    books: TenantBooks,
    fields: dict[str, Any],
    category: dict[str, Any] | None,
    supplier: uuid.UUID | None,
) -> dict[str, Any]:
    """The stored columns of an item: its fields plus what is derived from them."""
    row: dict[str, Any] = {column: fields.get(name) for name, column in ITEM_COLUMNS.items()}
    description = fields.get("description")
    currency = Currency.of(fields["currency"])
    row.update(
        item_category_id=category["id"] if category else None,
        supplier_id=supplier,
        description_formatted=html_to_text(description) if description is not None else None,
        calculated_net_price=calculated_net_price(
            purchase=fields.get("purchasePrice"),
            margin=fields.get("margin"),
            margin_mode=PriceMode(fields["marginMode"]),
            charge=fields.get("additionalCharge"),
            charge_mode=PriceMode(fields["additionalChargeMode"]),
            tax_rate=_tax_rate(books, fields["taxClassEntry"]),
            currency=currency,
        ),
        color=fields.get("color") or random_color(),
        name_folded=folded(fields["name"]),
    )
    row["search_text"] = "\n".join(
        folded(v)
        for v in (
            fields["name"],
            row["description_formatted"],
            fields.get("number"),
            fields.get("barCode"),
        )
    )
    return row


def delete_item(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, item_id: uuid.UUID, clock: Clock
) -> None:
    """Delete an item; documents and receipts keep the values they copied from it."""
    with db.transaction() as session:
        before = _item(session, tenant_id, item_id)
        session.execute(delete(items).where(items.c.tenant_id == tenant_id, items.c.id == item_id))
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type="Item",
            entity_id=item_id,
            before=_snapshot(before, ITEM_COLUMNS),
            after=None,
            clock=clock,
        )


def _item(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID) -> dict[str, Any]:
    row = session.execute(
        select(items).where(items.c.tenant_id == tenant_id, items.c.id == item_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"item {item_id} does not exist", de="Artikel nicht gefunden.", field="item")
    return dict(row._mapping)


def _take_category_defaults(fields: dict[str, Any], category: dict[str, Any] | None) -> None:
    """Seed 003 §3.5: absent account/taxClassEntry (and unitOfMeasure) come from the category."""
    if category is None:
        raise ValidationFailed(
            "itemCategoryDefaulting needs an itemCategory",
            de="itemCategoryDefaulting braucht eine itemCategory",
            field="itemCategory",
        )
    for name, column in DEFAULTED:
        if not fields.get(name) and category[column]:
            fields[name] = category[column]


def _missing(field: str, defaulting: bool) -> ValidationFailed:
    if defaulting:
        return ValidationFailed(
            f"{field} is required: neither the item nor its category has one",
            de=f"{field} ist erforderlich (auch die Kategorie hat keines)",
            field=field,
        )
    return ValidationFailed(
        f"{field} is required unless itemCategoryDefaulting takes it from the item category",
        de=f"{field} ist erforderlich (oder itemCategoryDefaulting)",
        field=field,
    )


def revenue_account(
    books: TenantBooks, code: str | None, *, defaulting: bool = False, field: str = "account"
) -> Account:
    """An account of the tenant's ledger on which items are sold (type E or M)."""
    if not code:
        raise _missing(field, defaulting)
    account = books.accounts.get(code)
    if account is None:
        raise ValidationFailed(
            f"account {code!r} does not exist", de=f"Konto {code} existiert nicht", field=field
        )
    kinds = Direction.OUTGOING.line_account_types
    if account.account_type not in kinds:
        names = "/".join(k.value for k in kinds)
        raise ValidationFailed(
            f"account {code} has type {account.account_type.value}; items need a revenue "
            f"account (type {names})",
            de=f"Konto {code} hat den Typ {account.account_type.value}; erlaubt sind {names}",
            field=field,
        )
    return account


def _tax_entry_exists(books: TenantBooks, code: str) -> None:
    if code not in {e.code for e in books.chart.tax_entries}:
        raise ValidationFailed(
            f"tax class entry {code!r} does not exist",
            de=f"Steuerklasse {code} existiert nicht",
            field="taxClassEntry",
        )


def _tax_rate(books: TenantBooks, code: str) -> Decimal:
    return books.chart.tax_entry(code).rate


def _reference_id(value: str, field: str, noun: str, de: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(
            f"{noun} {value!r} does not exist", de=f"{de} {value} existiert nicht", field=field
        ) from None


def _category_reference(
    session: Session, tenant_id: uuid.UUID, value: str | None
) -> dict[str, Any] | None:
    """The item's category (kept from deletion until commit); unknown is a 400."""
    if not value:
        return None
    category_id = _reference_id(value, "itemCategory", "item category", "Artikelkategorie")
    try:
        return _category(session, tenant_id, category_id, shared=True)
    except NotFound:
        raise ValidationFailed(
            f"item category {value} does not exist",
            de=f"Artikelkategorie {value} existiert nicht",
            field="itemCategory",
        ) from None


def _supplier_reference(
    session: Session, tenant_id: uuid.UUID, value: str | None
) -> uuid.UUID | None:
    if not value:
        return None
    supplier_id = _reference_id(value, "supplier", "supplier", "Lieferant")
    found = session.execute(
        select(contacts.c.id).where(
            contacts.c.tenant_id == tenant_id,
            contacts.c.id == supplier_id,
            contacts.c.kind == ContactKind.SUPPLIER.value,
        )
    ).first()
    if found is None:
        raise ValidationFailed(
            f"supplier {value} does not exist",
            de=f"Lieferant {value} existiert nicht",
            field="supplier",
        )
    return supplier_id


def _snapshot(row: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    """The audited state: the DTO's fields that are set."""
    return {name: row[column] for name, column in columns.items() if row.get(column) is not None}
