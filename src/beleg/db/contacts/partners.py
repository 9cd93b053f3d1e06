"""Data access of contacts: customers and suppliers, and the additional addresses of
customers. Every function runs in the caller's transaction and is scoped to one tenant."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import (
    cb_invoices,
    contact_addresses,
    contacts,
    contracts,
    customer_payment_accounts,
)
from beleg.domain.contacts.customers import CustomerProfile, default_type
from beleg.domain.contacts.partners import Address, Contact, ContactKind
from beleg.domain.errors import Conflict, NotFound


def contact(
    session: Session,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    contact_id: uuid.UUID,
    *,
    field: str = "id",
    lock: bool = False,
) -> Contact:
    """The customer or supplier ``contact_id`` (locked with ``lock``); NotFound naming
    ``field`` if the tenant has no such contact of this kind."""
    c = contacts.c
    query = select(contacts).where(
        c.tenant_id == tenant_id, c.id == contact_id, c.kind == kind.value
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(kind.not_found, field=field, id=contact_id)
    return _contact(row)


def exists(
    session: Session,
    tenant_id: uuid.UUID,
    kind: ContactKind,
    contact_id: uuid.UUID,
    *,
    shared: bool = False,
) -> bool:
    """Whether the tenant has the customer or supplier ``contact_id``; with ``shared`` the
    row is locked against deletion until the transaction ends (something will refer to it)."""
    c = contacts.c
    query = select(c.id).where(c.tenant_id == tenant_id, c.id == contact_id, c.kind == kind.value)
    found = session.execute(query.with_for_update(read=True) if shared else query).first()
    return found is not None


def lock_numbered(
    session: Session, tenant_id: uuid.UUID, kind: ContactKind, number: str
) -> list[Contact]:
    """The contacts of this kind with ``number`` (customerNumber/supplierNumber), locked."""
    c = contacts.c
    rows = session.execute(
        select(contacts)
        .where(c.tenant_id == tenant_id, c.kind == kind.value, c.number == number)
        .with_for_update()
    ).all()
    return [_contact(r) for r in rows]


def _contact(row: Row[Any]) -> Contact:
    return Contact(
        id=row.id,
        kind=ContactKind(row.kind),
        number=row.number,
        display_name=row.display_name,
        fields=row.fields,
        created_at=row.created_at,
        updated_at=row.updated_at,
        contra_account=row.contra_account,
    )


def _contact_values(tenant_id: uuid.UUID, contact: Contact) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": contact.id,
        "kind": contact.kind.value,
        "number": contact.number,
        "display_name": contact.display_name,
        "contra_account": contact.contra_account,
        "fields": dict(contact.fields),
        "updated_at": contact.updated_at,
    }


def profile_values(profile: CustomerProfile) -> dict[str, Any]:
    shipping = profile.shipping_address
    return {
        "customer_type": profile.customer_type.value,
        "vat_id": profile.vat_id,
        "currency": profile.currency,
        "payment_method": profile.payment_method.value,
        "shipping_address": shipping.snapshot() if shipping else None,
        "e_invoicing": profile.e_invoicing.snapshot() if profile.e_invoicing else None,
    }


def insert_contact(
    session: Session,
    tenant_id: uuid.UUID,
    contact: Contact,
    profile: CustomerProfile | None = None,
) -> None:
    """Store a new contact; a customer without ``profile`` gets the accounting API's
    (``default_type``, bank transfer). Conflict naming the number if another contact of the
    kind has it."""
    values = {**_contact_values(tenant_id, contact), "created_at": contact.created_at}
    if contact.kind is ContactKind.CUSTOMER:
        chosen = profile or CustomerProfile(customer_type=default_type(contact.fields))
        values.update(profile_values(chosen))
    _unique_number(session, contact, insert(contacts).values(**values))


def update_contact(
    session: Session,
    tenant_id: uuid.UUID,
    contact: Contact,
    profile: CustomerProfile | None = None,
) -> None:
    """Replace the stored fields of ``contact`` (its creation time stays) and, if given, the
    customer's profile; Conflict naming the number if another contact of the kind has it."""
    values = _contact_values(tenant_id, contact)
    if profile is not None:
        values.update(profile_values(profile))
    c = contacts.c
    statement = (
        update(contacts).where(c.tenant_id == tenant_id, c.id == contact.id).values(**values)
    )
    _unique_number(session, contact, statement)


def _unique_number(session: Session, contact: Contact, statement: Any) -> None:
    try:
        with session.begin_nested():
            session.execute(statement)
    except IntegrityError:
        if contact.number is None:
            raise
        raise Conflict(
            "contacts.number_taken",
            field=contact.kind.number_field,
            name=contact.kind.number_field,
            number=contact.number,
        ) from None


def number_taken(session: Session, tenant_id: uuid.UUID, kind: ContactKind, number: str) -> bool:
    """Whether a contact of this kind has exactly ``number``."""
    c = contacts.c
    found = session.execute(
        select(c.id).where(c.tenant_id == tenant_id, c.kind == kind.value, c.number == number)
    ).first()
    return found is not None


def set_contra_account(
    session: Session, tenant_id: uuid.UUID, contact_id: uuid.UUID, code: str
) -> None:
    session.execute(
        update(contacts)
        .where(contacts.c.tenant_id == tenant_id, contacts.c.id == contact_id)
        .values(contra_account=code)
    )


def has_invoices(session: Session, tenant_id: uuid.UUID, contact_id: uuid.UUID) -> bool:
    """Whether a cash-based invoice names the contact as its partner (invoices refer to
    their partner by id without a foreign key, so the referring table is asked)."""
    i = cb_invoices.c
    found = session.execute(
        select(i.id).where(i.tenant_id == tenant_id, i.partner_id == contact_id).limit(1)
    ).first()
    return found is not None


def has_contracts(session: Session, tenant_id: uuid.UUID, contact_id: uuid.UUID) -> bool:
    """Whether a contract of the tenant is made with the contact as its customer (the
    contracts' foreign key would refuse deleting the contact)."""
    c = contracts.c
    found = session.execute(
        select(c.id).where(c.tenant_id == tenant_id, c.customer_id == contact_id).limit(1)
    ).first()
    return found is not None


def delete_contact(session: Session, tenant_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    """Delete the contact, its additional addresses and its payment accounts."""
    a = contact_addresses.c
    p = customer_payment_accounts.c
    session.execute(
        delete(customer_payment_accounts).where(
            p.tenant_id == tenant_id, p.contact_id == contact_id
        )
    )
    session.execute(
        delete(contact_addresses).where(a.tenant_id == tenant_id, a.contact_id == contact_id)
    )
    session.execute(
        delete(contacts).where(contacts.c.tenant_id == tenant_id, contacts.c.id == contact_id)
    )


def address(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID, address_id: uuid.UUID
) -> Address:
    """The additional address ``address_id`` of the customer; NotFound naming ``address``."""
    a = contact_addresses.c
    row = session.execute(
        select(contact_addresses).where(
            a.tenant_id == tenant_id, a.id == address_id, a.contact_id == customer_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound("contacts.address_not_found", field="address", address=address_id)
    return Address(
        id=row.id,
        contact_id=row.contact_id,
        address_type=row.address_type,
        fields=row.fields,
        created_at=row.created_at,
        is_default=row.is_default,
    )


def insert_address(session: Session, tenant_id: uuid.UUID, address: Address) -> None:
    session.execute(
        insert(contact_addresses).values(
            tenant_id=tenant_id,
            id=address.id,
            contact_id=address.contact_id,
            address_type=address.address_type,
            fields=dict(address.fields),
            is_default=address.is_default,
            created_at=address.created_at,
        )
    )


def update_address(session: Session, tenant_id: uuid.UUID, address: Address) -> None:
    """Replace the type and fields of ``address`` (whether it is a default stays)."""
    a = contact_addresses.c
    session.execute(
        update(contact_addresses)
        .where(a.tenant_id == tenant_id, a.id == address.id)
        .values(
            contact_id=address.contact_id,
            address_type=address.address_type,
            fields=dict(address.fields),
        )
    )


def delete_address(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID, address_id: uuid.UUID
) -> None:
    a = contact_addresses.c
    session.execute(
        delete(contact_addresses).where(
            a.tenant_id == tenant_id, a.contact_id == customer_id, a.id == address_id
        )
    )


def make_default_address(session: Session, tenant_id: uuid.UUID, address: Address) -> None:
    """``address`` becomes the default for its type; the customer's other addresses of that
    type stop being one."""
    a = contact_addresses.c
    session.execute(
        update(contact_addresses)
        .where(
            a.tenant_id == tenant_id,
            a.contact_id == address.contact_id,
            a.address_type == address.address_type,
        )
        .values(is_default=a.id == address.id)
    )


def clear_default_addresses(
    session: Session,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    address_id: uuid.UUID | None = None,
) -> None:
    """The address ``address_id`` (every address of the customer when None) is no default
    any more."""
    a = contact_addresses.c
    query = update(contact_addresses).where(a.tenant_id == tenant_id, a.contact_id == customer_id)
    if address_id is not None:
        query = query.where(a.id == address_id)
    session.execute(query.values(is_default=False))
