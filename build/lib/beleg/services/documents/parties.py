"""Resolving the customer of a sales document (seed 003 §3.4 "Customer and address"; the
rules in ``domain.documents.parties``): the customer and the address a document names are
looked up, then combined with the document's own name and address override."""

from __future__ import annotations

import uuid
from typing import Any

from beleg.db import Session
from beleg.db.documents import references
from beleg.domain.documents.parties import Customer, CustomerAddress, Party, party_of
from beleg.domain.errors import ValidationFailed


def resolve_party(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    customer: str | None,
    customer_name: str | None,
    additional_address: str | None,
    address_info: dict[str, Any] | None,
) -> Party:
    """The party of a document, in the caller's transaction: ``customer`` (an id) and
    ``additional_address`` (a non-default address of that customer) must exist."""
    found = _customer(session, tenant_id, customer) if customer else None
    address = None
    if additional_address:
        if found is None:
            raise ValidationFailed("documents.address_needs_customer", field="additionalAddress")
        address = _address(session, tenant_id, found.id, additional_address)
    return party_of(found, address, customer_name=customer_name, address_info=address_info)


def _customer(session: Session, tenant_id: uuid.UUID, value: str) -> Customer:
    try:
        customer_id = uuid.UUID(value)
    except ValueError:
        raise ValidationFailed("documents.customer_id_invalid", field="customer") from None
    found = references.customer(session, tenant_id, customer_id)
    if found is None:
        raise ValidationFailed("documents.customer_unknown", field="customer", customer=value)
    return found


def _address(
    session: Session, tenant_id: uuid.UUID, customer_id: uuid.UUID, value: str
) -> CustomerAddress:
    try:
        address_id = uuid.UUID(value)
    except ValueError:
        address_id = None
    found = (
        None
        if address_id is None
        else references.customer_address(session, tenant_id, customer_id, address_id)
    )
    if found is None:
        raise ValidationFailed(
            "documents.address_not_of_customer", field="additionalAddress", address=value
        )
    if found.is_default:
        raise ValidationFailed("documents.address_is_default", field="additionalAddress")
    return found
