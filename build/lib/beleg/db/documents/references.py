"""What a sales document refers to in other contexts' data, read in the caller's transaction
and scoped to one tenant: its customer and the customer's addresses (contacts), the items
its lines take their defaults from (catalogue), and the tenant's name and main currency that
its PDF prints."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.tables import contact_addresses, contacts, items, tenants
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.documents.lines import ItemDefaults
from beleg.domain.documents.parties import Customer, CustomerAddress
from beleg.money import Currency


def customer(session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> Customer | None:
    """The customer ``customer_id`` (a CUSTOMER contact), if it exists."""
    c = contacts.c
    row = session.execute(
        select(c.id, c.display_name, c.contra_account, c.fields, c.customer_type).where(
            c.tenant_id == tenant_id,
            c.id == customer_id,
            c.kind == ContactKind.CUSTOMER.value,
        )
    ).one_or_none()
    if row is None:
        return None
    return _customer(row)


def customers(
    session: Session, tenant_id: uuid.UUID, customer_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Customer]:
    """The customers among ``customer_ids`` (CUSTOMER contacts), in one query."""
    if not customer_ids:
        return {}
    c = contacts.c
    rows = session.execute(
        select(c.id, c.display_name, c.contra_account, c.fields, c.customer_type).where(
            c.tenant_id == tenant_id,
            c.id.in_(list(customer_ids)),
            c.kind == ContactKind.CUSTOMER.value,
        )
    ).all()
    return {r.id: _customer(r) for r in rows}


def customer_address(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID, address_id: uuid.UUID
) -> CustomerAddress | None:
    """The address ``address_id`` if it belongs to the customer ``customer_id``."""
    a = contact_addresses.c
    row = session.execute(
        select(a.id, a.is_default, a.fields).where(
            a.tenant_id == tenant_id, a.id == address_id, a.contact_id == customer_id
        )
    ).one_or_none()
    if row is None:
        return None
    return CustomerAddress(row.id, row.is_default, dict(row.fields))


def item_defaults(
    session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID
) -> ItemDefaults | None:
    """What a line takes from the item ``item_id``, if it exists."""
    i = items.c
    row = session.execute(
        select(
            i.name,
            i.description,
            i.number,
            i.unit_of_measure,
            i.account,
            i.tax_class_entry,
            i.selling_price,
            i.amount_type,
        ).where(i.tenant_id == tenant_id, i.id == item_id)
    ).one_or_none()
    if row is None:
        return None
    return ItemDefaults(
        name=row.name,
        description=row.description,
        number=row.number,
        unit_of_measure=row.unit_of_measure,
        account=row.account,
        tax_class_entry=row.tax_class_entry,
        selling_price=row.selling_price,
        amount_type=row.amount_type,
    )


def tenant_name_and_currency(session: Session, tenant_id: uuid.UUID) -> tuple[str, Currency]:
    """The tenant's name (the PDF's seller when its layout names none) and main currency."""
    t = tenants.c
    row = session.execute(select(t.name, t.currency).where(t.id == tenant_id)).one()
    return row.name, Currency.of(row.currency)


def _customer(row: Any) -> Customer:
    return Customer(
        row.id, row.display_name, row.contra_account, dict(row.fields), row.customer_type
    )
