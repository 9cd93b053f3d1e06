"""Data access of the billing API's customers: the contacts rows of kind CUSTOMER with their
profile columns, and their payment accounts. Every function runs in the caller's transaction
and is scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.orm import Session

from beleg.db import sequences
from beleg.db.contacts.partners import number_taken
from beleg.db.tables import contacts, customer_payment_accounts, tenants
from beleg.domain.contacts.customers import (
    Customer,
    CustomerProfile,
    CustomerType,
    PaymentAccount,
    PaymentMethod,
    PostalAddress,
    default_type,
)
from beleg.domain.contacts.einvoicing import einvoicing_of
from beleg.domain.contacts.partners import Contact, ContactKind
from beleg.domain.errors import NotFound

_P = customer_payment_accounts.c


def customer(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    """The customer ``customer_id`` with its payment accounts (locked with ``lock``);
    NotFound naming ``id`` otherwise."""
    c = contacts.c
    query = (
        select(contacts, tenants.c.currency.label("tenant_currency"))
        .join(tenants, tenants.c.id == c.tenant_id)
        .where(c.tenant_id == tenant_id, c.id == customer_id, c.kind == ContactKind.CUSTOMER.value)
    )
    row = session.execute(query.with_for_update(of=contacts) if lock else query).one_or_none()
    if row is None:
        raise NotFound("contacts.customer_not_found", field="id", id=customer_id)
    accounts = payment_accounts(session, tenant_id, [customer_id]).get(customer_id, ())
    return customer_from_row(row, tuple(accounts))


def customer_from_row(row: Row[Any], accounts: tuple[PaymentAccount, ...] = ()) -> Customer:
    """A customer from a contacts row that also has ``tenant_currency``."""
    contact = Contact(
        id=row.id,
        kind=ContactKind.CUSTOMER,
        number=row.number,
        display_name=row.display_name,
        fields=row.fields,
        created_at=row.created_at,
        updated_at=row.updated_at,
        contra_account=row.contra_account,
    )
    found = profile(row)
    return Customer(contact, found, found.currency or row.tenant_currency, accounts)


def profile(row: Row[Any]) -> CustomerProfile:
    """The profile columns of a contacts row (a row written before them: the defaults)."""
    shipping = row.shipping_address
    return CustomerProfile(
        customer_type=CustomerType(row.customer_type or default_type(row.fields)),
        payment_method=PaymentMethod(row.payment_method or PaymentMethod.BANK_TRANSFER),
        vat_id=row.vat_id,
        currency=row.currency,
        shipping_address=_address(shipping) if shipping else None,
        e_invoicing=einvoicing_of(row.e_invoicing),
    )


def _address(stored: dict[str, Any]) -> PostalAddress:
    return PostalAddress(
        street=stored.get("street"),
        zip_code=stored.get("zipCode"),
        city=stored.get("city"),
        country=stored.get("country"),
        email=stored.get("email"),
    )


def payment_accounts(
    session: Session, tenant_id: uuid.UUID, customer_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[PaymentAccount]]:
    """The payment accounts of these customers, oldest first, by customer."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(customer_payment_accounts)
        .where(_P.tenant_id == tenant_id, _P.contact_id.in_(list(customer_ids)))
        .order_by(_P.created_at, _P.id)
    ).all()
    found: dict[uuid.UUID, list[PaymentAccount]] = {}
    for r in rows:
        found.setdefault(r.contact_id, []).append(
            PaymentAccount(r.id, r.contact_id, r.iban, r.bic, r.account_holder, r.created_at)
        )
    return found


def insert_payment_accounts(
    session: Session, tenant_id: uuid.UUID, accounts: Sequence[PaymentAccount]
) -> None:
    if not accounts:
        return
    session.execute(
        insert(customer_payment_accounts),
        [
            {
                "tenant_id": tenant_id,
                "id": a.id,
                "contact_id": a.customer_id,
                "iban": a.iban,
                "bic": a.bic,
                "account_holder": a.account_holder,
                "created_at": a.created_at,
            }
            for a in accounts
        ],
    )


def delete_payment_account(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID, account_id: uuid.UUID
) -> None:
    session.execute(
        delete(customer_payment_accounts).where(
            _P.tenant_id == tenant_id, _P.contact_id == customer_id, _P.id == account_id
        )
    )


def next_customer_number(session: Session, tenant_id: uuid.UUID) -> str:
    """The next value of the tenant's customer number counter that no customer has yet (a
    number given by hand may have taken one). The counter row stays locked until the
    caller's transaction ends, so concurrent creations queue on it."""
    while True:
        value = sequences.allocate(session, tenant_id=tenant_id, series=sequences.CUSTOMER_NUMBERS)
        number = str(value)
        if not number_taken(session, tenant_id, ContactKind.CUSTOMER, number):
            return number
