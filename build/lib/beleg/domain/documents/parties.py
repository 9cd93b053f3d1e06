"""The customer of a sales document (seed 003 §3.4 "Customer and address").

``customer`` (id) or a free ``customerName`` (ignored when ``customer`` is set);
``additionalAddress`` picks a non-default address of that customer; ``addressInfo`` overrides
name and address for this document only, and only when it has a company name or a first or
last name (otherwise it is silently ignored). The printed name is
``"{companyName}, {firstName} {lastName}"``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from beleg.domain.numbering.counters import CustomerType


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as documents see it: its name, address fields, DE contra account and its
    stored type (``B2B`` or ``B2C``; None for one never given a type)."""

    id: uuid.UUID
    display_name: str
    contra_account: str | None
    fields: Mapping[str, Any]
    customer_type: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerAddress:
    """One of a customer's addresses (its fields as the contacts context stores them)."""

    id: uuid.UUID
    is_default: bool
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Party:
    """Who a document is for, as resolved from the client's customer fields."""

    customer_id: uuid.UUID | None
    name: str | None
    address: dict[str, Any]  # what is printed: the override, an address or the customer's
    address_info: dict[str, Any]  # echoed as given when it applies, else {}
    additional_address: uuid.UUID | None
    contra_account: str | None
    customer_type: CustomerType | None
    country: str | None


def party_of(
    customer: Customer | None,
    address: CustomerAddress | None,
    *,
    customer_name: str | None,
    address_info: Mapping[str, Any] | None,
) -> Party:
    """The party of a document (see the module docstring): the override when it names
    someone, else the customer (with the chosen address), else the free name."""
    info = {k: v for k, v in (address_info or {}).items() if v not in (None, "")}
    override = bool(info.get("companyName") or info.get("firstName") or info.get("lastName"))
    fields: dict[str, Any] = dict(customer.fields) if customer else {}
    if address is not None:
        fields.update(address.fields)
    name: str | None
    if override:
        fields = info
        name = display_name(info)
    elif customer is not None:
        name = customer.display_name
    else:
        name = customer_name
    kind = _customer_type(customer if not override else None, fields)
    return Party(
        customer.id if customer else None,
        name,
        fields,
        info if override else {},
        address.id if address else None,
        customer.contra_account if customer else None,
        kind,
        fields.get("country") or None,
    )


def _customer_type(customer: Customer | None, fields: Mapping[str, Any]) -> CustomerType | None:
    """The customer's stored type (B2B: a company, B2C: a person); a party without one (a
    free name, an override) is a company when it names one (seed 000 numbering rules)."""
    if customer is not None and customer.customer_type is not None:
        return CustomerType.COMPANY if customer.customer_type == "B2B" else CustomerType.PERSON
    if fields.get("companyName"):
        return CustomerType.COMPANY
    return CustomerType.PERSON if fields.get("lastName") or fields.get("firstName") else None


def display_name(fields: Mapping[str, Any]) -> str:
    """Seed 003 §2.3: ``"Test GmbH, Max Mustermann"``."""
    person = " ".join(p for p in (fields.get("firstName"), fields.get("lastName")) if p)
    return ", ".join(p for p in (fields.get("companyName"), person) if p)


def stored_fields(
    party: Party,
    *,
    self_billing: bool,
    billing_group: str | None,
    operating_site: str | None,
) -> dict[str, Any]:
    """What a document stores beside its printed texts: its party's address (and the
    override as given), the additional address it names, and its extensions."""
    return {
        "addressInfo": party.address_info,
        "address": party.address,
        "selfBilling": self_billing,
        "billingGroup": billing_group,
        "operatingSite": operating_site,
        "additionalAddress": str(party.additional_address) if party.additional_address else None,
    }
