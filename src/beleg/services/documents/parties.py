"""The customer of a sales document (seed 003 §3.4 "Customer and address").

``customer`` (id) or a free ``customerName`` (ignored when ``customer`` is set);
``additionalAddress`` picks a non-default address of that customer; ``addressInfo`` overrides
name and address for this document only, and only when it has a company name or a first or
last name (otherwise it is silently ignored). The printed name is
``"{companyName}, {firstName} {lastName}"``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.tables import contact_addresses, contacts
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import CustomerType


@dataclass(frozen=True, slots=True)
class Party:
    customer_id: uuid.UUID | None
    name: str | None
    address: dict[str, Any]  # what is printed: the override, an address or the customer's
    address_info: dict[str, Any]  # echoed as given when it applies, else {}
    additional_address: uuid.UUID | None
    contra_account: str | None
    customer_type: CustomerType | None
    country: str | None


def resolve_party(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    customer: str | None,
    customer_name: str | None,
    additional_address: str | None,
    address_info: dict[str, Any] | None,
) -> Party:
    info = {k: v for k, v in (address_info or {}).items() if v not in (None, "")}
    override = bool(info.get("companyName") or info.get("firstName") or info.get("lastName"))
    row = _customer(session, tenant_id, customer) if customer else None
    fields: dict[str, Any] = dict(row["fields"]) if row else {}
    address_id = None
    if additional_address:
        if row is None:
            raise ValidationFailed(
                "additionalAddress needs a customer",
                de="additionalAddress braucht einen Kunden",
                field="additionalAddress",
            )
        address_id, address = _address(session, tenant_id, row["id"], additional_address)
        fields.update(address)
    if override:
        fields = info
        name = display_name(info)
    elif row is not None:
        name = row["display_name"]
    else:
        name = customer_name
    company = fields.get("companyName")
    kind = (
        CustomerType.COMPANY
        if company
        else (CustomerType.PERSON if fields.get("lastName") or fields.get("firstName") else None)
    )
    return Party(
        row["id"] if row else None,
        name,
        fields,
        info if override else {},
        address_id,
        row["contra_account"] if row else None,
        kind,
        fields.get("country") or None,
    )


def display_name(fields: dict[str, Any]) -> str:
    """Seed 003 §2.3: ``"Test GmbH, Max Mustermann"``."""
    person = " ".join(p for p in (fields.get("firstName"), fields.get("lastName")) if p)
    return ", ".join(p for p in (fields.get("companyName"), person) if p)


def _customer(session: Session, tenant_id: uuid.UUID, value: str) -> dict[str, Any]:
    try:
        customer_id = uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(
            "customer must be a customer id",
            de="customer muss eine Kunden-ID sein",
            field="customer",
        ) from None
    row = session.execute(
        select(contacts).where(
            contacts.c.tenant_id == tenant_id,
            contacts.c.id == customer_id,
            contacts.c.kind == ContactKind.CUSTOMER.value,
        )
    ).one_or_none()
    if row is None:
        raise ValidationFailed(
            f"customer {value} does not exist",
            de=f"Kunde {value} existiert nicht",
            field="customer",
        )
    return dict(row._mapping)


def _address(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID, value: str
) -> tuple[uuid.UUID, dict[str, Any]]:
    try:
        address_id = uuid.UUID(value)
    except ValueError:
        address_id = None
    row = (
        None
        if address_id is None
        else session.execute(
            select(contact_addresses).where(
                contact_addresses.c.tenant_id == tenant_id,
                contact_addresses.c.id == address_id,
                contact_addresses.c.contact_id == customer_id,
            )
        ).one_or_none()
    )
    if row is None:
        raise ValidationFailed(
            f"additionalAddress {value} is not an address of this customer",
            de=f"additionalAddress {value} ist keine Adresse des Kunden",
            field="additionalAddress",
        )
    if row.is_default:
        raise ValidationFailed(
            "additionalAddress must be a non-default address",
            de="additionalAddress muss eine Nicht-Standard-Adresse sein",
            field="additionalAddress",
        )
    return row.id, dict(row.fields)
