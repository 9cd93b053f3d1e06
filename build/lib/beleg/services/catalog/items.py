"""Items and item categories: create, replace (PUT = full replacement) and delete
(seed 003 §3.5, §4.15). One transaction each, with its audit entry.

What is checked against the tenant's data here (the pure rules are in
``domain/catalog/items.py``):

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
from collections.abc import Mapping
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import catalog as repo
from beleg.db.audit import record_change
from beleg.db.contacts import partners as contacts_db
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.domain.audit.chain import AuditAction
from beleg.domain.catalog.items import (
    Item,
    ItemCategory,
    ItemCategoryInUse,
    build_category,
    build_item,
    normalise_category,
    normalise_item,
)
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.charts import REVENUE_TYPES, Account
from beleg.domain.ledger.tax import resolve_tax_entry

# Item fields that ``itemCategoryDefaulting`` takes from the category when absent.
DEFAULTED = ("account", "taxClassEntry", "unitOfMeasure")


def random_color() -> str:
    """A random HTML colour, six lower-case hex digits (seed 003 §2.4.2 ``2bc25d``)."""
    return secrets.token_hex(3)


# --- categories -------------------------------------------------------------------------------


def save_category(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    values: Mapping[str, Any],
    clock: Clock,
    category_id: uuid.UUID | None = None,
) -> ItemCategory:
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
        category = build_category(
            fields, category_id=category_id or uuid.uuid4(), color=random_color()
        )
        if before is None:
            repo.insert_category(session, tenant_id=tenant_id, category=category, now=now)
        else:
            repo.update_category(session, tenant_id=tenant_id, category=category, now=now)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type="ItemCategory",
            entity_id=category.id,
            before=None if before is None else repo.category_snapshot(before),
            after=repo.category_snapshot(category),
            clock=clock,
        )
        return category


def delete_category(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, category_id: uuid.UUID, clock: Clock
) -> None:
    """Delete a category that no item belongs to any more."""
    with db.transaction() as session:
        before = _category(session, tenant_id, category_id, lock=True)
        count = repo.category_item_count(session, tenant_id=tenant_id, category_id=category_id)
        if count:
            raise ItemCategoryInUse(
                "catalog.category_in_use", field="itemCategory", category=before.name, count=count
            )
        repo.delete_category(session, tenant_id=tenant_id, category_id=category_id)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type="ItemCategory",
            entity_id=category_id,
            before=repo.category_snapshot(before),
            after=None,
            clock=clock,
        )


def _category(
    session: Session,
    tenant_id: uuid.UUID,
    category_id: uuid.UUID,
    *,
    lock: bool = False,
    shared: bool = False,
) -> ItemCategory:
    """The tenant's category, locked for update (``lock``) or against deletion (``shared``)."""
    found = repo.find_category(
        session, tenant_id=tenant_id, category_id=category_id, lock=lock, shared=shared
    )
    if found is None:
        raise NotFound("catalog.category_not_found", field="item_category", category_id=category_id)
    return found


# --- items ------------------------------------------------------------------------------------


def save_item(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    values: Mapping[str, Any],
    clock: Clock,
    item_id: uuid.UUID | None = None,
) -> Item:
    """Create (no id) or replace an item (PUT = full replacement, seed 003 §2)."""
    fields = normalise_item(values)
    defaulting = bool(values.get("itemCategoryDefaulting"))
    with db.transaction() as session:
        before = _item(session, tenant_id, item_id) if item_id else None
        books = load_books(session, tenant_id)
        category = _category_reference(session, tenant_id, fields.get("itemCategory"))
        if defaulting:
            fields = _with_category_defaults(fields, category)
        account = revenue_account(books, fields.get("account"), defaulting=defaulting)
        if not fields.get("taxClassEntry"):
            raise _missing("taxClassEntry", defaulting)
        fields["taxClassEntry"] = resolve_tax_entry(
            account, fields["taxClassEntry"], "taxClassEntry"
        )
        fields.setdefault("currency", books.main.code)
        supplier_id = _supplier_reference(session, tenant_id, fields.get("supplier"))
        item = build_item(
            fields,
            item_id=item_id or uuid.uuid4(),
            tax_rate=books.chart.tax_entry(fields["taxClassEntry"]).rate,
            color=random_color(),
            category_id=category.id if category else None,
            supplier_id=supplier_id,
        )
        _store_item(session, tenant_id, item, before, actor=actor, clock=clock)
        return item


def _store_item(
    session: Session,
    tenant_id: uuid.UUID,
    item: Item,
    before: Item | None,
    *,
    actor: Actor,
    clock: Clock,
) -> None:
    """Write a new (``before`` None) or replaced item with its audit entry."""
    now = clock.now()
    if before is None:
        repo.insert_item(session, tenant_id=tenant_id, item=item, now=now)
    else:
        repo.update_item(session, tenant_id=tenant_id, item=item, now=now)
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        entity_type="Item",
        entity_id=item.id,
        before=None if before is None else repo.item_snapshot(before),
        after=repo.item_snapshot(item),
        clock=clock,
    )


def delete_item(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, item_id: uuid.UUID, clock: Clock
) -> None:
    """Delete an item; documents and receipts keep the values they copied from it."""
    with db.transaction() as session:
        before = _item(session, tenant_id, item_id)
        repo.delete_item(session, tenant_id=tenant_id, item_id=item_id)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.DELETE,
            entity_type="Item",
            entity_id=item_id,
            before=repo.item_snapshot(before),
            after=None,
            clock=clock,
        )


def _item(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID) -> Item:
    found = repo.find_item(session, tenant_id=tenant_id, item_id=item_id, lock=True)
    if found is None:
        raise NotFound("catalog.item_not_found", field="item", item_id=item_id)
    return found


def _with_category_defaults(
    fields: dict[str, Any], category: ItemCategory | None
) -> dict[str, Any]:
    """Seed 003 §3.5: absent account/taxClassEntry (and unitOfMeasure) come from the category."""
    if category is None:
        raise ValidationFailed("catalog.defaulting_needs_category", field="itemCategory")
    defaults = {
        "account": category.account,
        "taxClassEntry": category.tax_class_entry,
        "unitOfMeasure": category.unit_of_measure,
    }
    taken = {name: defaults[name] for name in DEFAULTED if not fields.get(name) and defaults[name]}
    return {**fields, **taken}


def _missing(field: str, defaulting: bool) -> ValidationFailed:
    if defaulting:
        return ValidationFailed("catalog.required_from_category", field=field, name=field)
    return ValidationFailed("catalog.required_unless_defaulting", field=field, name=field)


def revenue_account(
    books: TenantBooks, code: str | None, *, defaulting: bool = False, field: str = "account"
) -> Account:
    """An account of the tenant's ledger on which items are sold (type E or M)."""
    if not code:
        raise _missing(field, defaulting)
    account = books.accounts.get(code)
    if account is None:
        raise ValidationFailed("catalog.account_unknown", field=field, code=code)
    kinds = REVENUE_TYPES
    if account.account_type not in kinds:
        raise ValidationFailed(
            "catalog.not_a_revenue_account",
            field=field,
            code=code,
            account_type=account.account_type.value,
            allowed="/".join(k.value for k in kinds),
        )
    return account


def _tax_entry_exists(books: TenantBooks, code: str) -> None:
    if code not in {e.code for e in books.chart.tax_entries}:
        raise ValidationFailed("catalog.tax_entry_unknown", field="taxClassEntry", code=code)


def _reference_id(value: str) -> uuid.UUID | None:
    """The id a reference names, None if it is no id at all."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _category_reference(
    session: Session, tenant_id: uuid.UUID, value: str | None
) -> ItemCategory | None:
    """The item's category (kept from deletion until commit); unknown is a 400."""
    if not value:
        return None
    category_id = _reference_id(value)
    if category_id is None:
        raise ValidationFailed(
            "catalog.category_reference_invalid", field="itemCategory", value=value
        )
    found = repo.find_category(session, tenant_id=tenant_id, category_id=category_id, shared=True)
    if found is None:
        raise ValidationFailed("catalog.category_unknown", field="itemCategory", value=value)
    return found


def _supplier_reference(
    session: Session, tenant_id: uuid.UUID, value: str | None
) -> uuid.UUID | None:
    if not value:
        return None
    supplier_id = _reference_id(value)
    if supplier_id is None:
        raise ValidationFailed("catalog.supplier_reference_invalid", field="supplier", value=value)
    if not contacts_db.exists(session, tenant_id, ContactKind.SUPPLIER, supplier_id):
        raise ValidationFailed("catalog.supplier_unknown", field="supplier", value=value)
    return supplier_id
