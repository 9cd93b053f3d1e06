"""Read side of customers, suppliers and additional addresses (seed 003 §4.16, §4.17)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from beleg.db.database import Database
from beleg.db.tables import contact_addresses, contacts
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.errors import NotFound

MAX_LIMIT = 1000


def contact_item(row: Any, defaults: dict[str, str] | None = None) -> dict[str, Any]:
    m = row._mapping if hasattr(row, "_mapping") else row
    item = {"id": str(m["id"]), **m["fields"], **(defaults or {})}
    if item.get("discount") is not None:  # stored as exact text, shown as a number
        item["discount"] = Decimal(item["discount"])
    if m["contra_account"]:
        item["contraAccount"] = m["contra_account"]
    return item


def _defaults(db: Database, tenant_id: uuid.UUID, contact_id: uuid.UUID) -> dict[str, str]:
    """defaultInvoiceAddress/defaultDeliveryAddress from the addresses made default."""
    with db.reader() as session:
        rows = session.execute(
            select(contact_addresses.c.id, contact_addresses.c.address_type).where(
                contact_addresses.c.tenant_id == tenant_id,
                contact_addresses.c.contact_id == contact_id,
                contact_addresses.c.is_default.is_(True),
            )
        ).all()
    found: dict[str, str] = {}
    for address_id, kind in rows:
        if kind in ("INVOICE_ADDRESS", "INVOICE_AND_DELIVERY_ADDRESS"):
            found["defaultInvoiceAddress"] = str(address_id)
        if kind in ("DELIVERY_ADDRESS", "INVOICE_AND_DELIVERY_ADDRESS"):
            found["defaultDeliveryAddress"] = str(address_id)
    return found


def get_contact(
    *, db: Database, tenant_id: uuid.UUID, kind: ContactKind, contact_id: uuid.UUID
) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(contacts).where(
                contacts.c.tenant_id == tenant_id,
                contacts.c.id == contact_id,
                contacts.c.kind == kind.value,
            )
        ).one_or_none()
    if row is None:
        raise NotFound(kind.not_found, field="id", id=contact_id)
    return contact_item(row, _defaults(db, tenant_id, contact_id))


def list_contacts(
    *, db: Database, tenant_id: uuid.UUID, kind: ContactKind, search: str | None, limit: int | None
) -> list[dict[str, Any]]:
    """Contacts by name; ``search`` is a case-insensitive substring of name or number."""
    c = contacts.c
    query = select(contacts).where(c.tenant_id == tenant_id, c.kind == kind.value)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(or_(c.display_name.ilike(pattern), c.number.ilike(pattern)))
    query = query.order_by(c.display_name, c.id).limit(min(limit or MAX_LIMIT, MAX_LIMIT))
    with db.reader() as session:
        rows = session.execute(query).all()
    return [contact_item(r) for r in rows]


def address_item(row: Any) -> dict[str, Any]:
    return {"id": str(row.id), **row.fields}


def list_addresses(
    *, db: Database, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[dict[str, Any]]:
    get_contact(db=db, tenant_id=tenant_id, kind=ContactKind.CUSTOMER, contact_id=customer_id)
    with db.reader() as session:
        rows = session.execute(
            select(contact_addresses)
            .where(
                contact_addresses.c.tenant_id == tenant_id,
                contact_addresses.c.contact_id == customer_id,
            )
            .order_by(contact_addresses.c.created_at)
        ).all()
    return [address_item(r) for r in rows]


def get_address(
    *, db: Database, tenant_id: uuid.UUID, customer_id: uuid.UUID, address_id: uuid.UUID
) -> dict[str, Any]:
    for item in list_addresses(db=db, tenant_id=tenant_id, customer_id=customer_id):
        if item["id"] == str(address_id):
            return item
    raise NotFound("contacts.address_not_found", field="address", address=address_id)
