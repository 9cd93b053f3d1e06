"""Customers, suppliers and additional addresses (seed 003 §3.9, models CustomerDto,
SupplierDto, AdditionalAddressDto).

A contact is a set of text fields plus a few flags; PUT replaces all of them ("missing fields
will be overwritten as empty"). Rules: a person needs first and last name unless a company
name is given; the country defaults to AT and must exist, the region must belong to it;
``copyEmailType`` is CC or BCC (default BCC, ``""`` normalised); an address type defaults to
INVOICE_AND_DELIVERY_ADDRESS; a dunning stop needs a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from beleg.domain.amounts import check_amount
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.foundation.country_names import COUNTRY_NAMES
from beleg.domain.foundation.regions import REGIONS


class ContactKind(StrEnum):
    CUSTOMER = "CUSTOMER"
    SUPPLIER = "SUPPLIER"

    @property
    def number_field(self) -> str:
        return "customerNumber" if self is ContactKind.CUSTOMER else "supplierNumber"

    @property
    def not_found(self) -> str:
        """The message code of a contact of this kind that does not exist."""
        if self is ContactKind.CUSTOMER:
            return "contacts.customer_not_found"
        return "contacts.supplier_not_found"


@dataclass(frozen=True, slots=True)
class Contact:
    """A customer or supplier. ``fields`` are the seed's text fields and flags as stored (the
    JSON document of CustomerDto/SupplierDto); ``number`` and ``display_name`` are derived
    from them, ``contra_account`` is the personal unpaid account (double-entry only)."""

    id: uuid.UUID
    kind: ContactKind
    number: str | None
    display_name: str
    fields: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime
    contra_account: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """An additional address of a customer (seed 003 AdditionalAddressDto); ``is_default``
    makes it the default for its ``address_type``."""

    id: uuid.UUID
    contact_id: uuid.UUID
    address_type: str
    fields: Mapping[str, Any]
    created_at: datetime
    is_default: bool = False


COMMON_TEXT = (
    "addressBranchNo",
    "taxNumber",
    "shortcut",
    "salutationCode",
    "title",
    "firstName",
    "lastName",
    "compSalutationCode",
    "companyName",
    "streetName",
    "streetNumber",
    "zipCode",
    "city",
    "emailAddress",
    "mobileNumber",
    "telNumber",
    "faxNumber",
    "skype",
    "description",
    "webAddress",
    "attribute1",
    "attribute2",
    "attribute3",
    "attribute4",
    "attribute5",
    "country",
    "region",
    "accountOwner",
    "bankName",
    "bankBranchNumber",
    "accountNumber",
    "bic",
    "iban",
    "defaultAccount",
    "defaultTaxClassEntry",
    "defaultInvoiceAddress",
    "defaultDeliveryAddress",
)
CUSTOMER_TEXT = (
    "customerNumber",
    "mySupplierNumber",
    "gln",
    "duns",
    "otherIdentifier",
    "dunningStopReason",
    "defaultDunningLevel",
)
SUPPLIER_TEXT = ("supplierNumber", "myCustomerNumber")
ADDRESS_TEXT = (
    "identifier",
    "addressType",
    "title",
    "firstName",
    "lastName",
    "streetName",
    "streetNumber",
    "zipCode",
    "city",
    "country",
    "region",
    "addressBranchNo",
    "emailAddress",
    "copyEmailAddress",
    "copyEmailType",
    "telNumber",
    "faxNumber",
    "mobileNumber",
    "skype",
    "webAddress",
    "description",
    "salutationCode",
)
ADDRESS_TYPES = ("INVOICE_AND_DELIVERY_ADDRESS", "INVOICE_ADDRESS", "DELIVERY_ADDRESS")
MAX_TEXT = 500


def text_fields(kind: ContactKind) -> tuple[str, ...]:
    return COMMON_TEXT + (CUSTOMER_TEXT if kind is ContactKind.CUSTOMER else SUPPLIER_TEXT)


def normalise_contact(kind: ContactKind, values: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a contact: omitted fields dropped, defaults applied, rules checked."""
    fields = _texts(values, text_fields(kind))
    if not fields.get("companyName") and not (fields.get("firstName") and fields.get("lastName")):
        raise ValidationFailed("contacts.name_required", field="companyName")
    _place(fields)
    fields["noVatNumber"] = bool(values.get("noVatNumber") or False)
    if values.get("rating") is not None:
        fields["rating"] = int(values["rating"])
    if kind is ContactKind.CUSTOMER:
        if values.get("dunningStop"):
            if not fields.get("dunningStopReason"):
                raise ValidationFailed(
                    "contacts.dunning_stop_reason_required", field="dunningStopReason"
                )
            fields["dunningStop"] = True
        if values.get("discount") is not None:  # stored as text: the JSON keeps it exact
            fields["discount"] = str(check_amount(Decimal(values["discount"]), "discount"))
    return fields


def normalise_address(values: dict[str, Any]) -> dict[str, Any]:
    """An additional address; empty copyEmailType/addressType take their defaults."""
    fields = _texts(values, ADDRESS_TEXT)
    fields["copyEmailType"] = fields.get("copyEmailType") or "BCC"
    if fields["copyEmailType"] not in ("CC", "BCC"):
        raise ValidationFailed("contacts.copy_email_type", field="copyEmailType")
    fields["addressType"] = fields.get("addressType") or ADDRESS_TYPES[0]
    if fields["addressType"] not in ADDRESS_TYPES:
        raise ValidationFailed(
            "contacts.address_type", field="addressType", allowed=", ".join(ADDRESS_TYPES)
        )
    _place(fields)
    return fields


def display_name(fields: Mapping[str, Any]) -> str:
    """The name invoices show: ``Company, First Last`` (seed 003 §2.2.3 partnerName)."""
    person = " ".join(p for p in (fields.get("firstName"), fields.get("lastName")) if p)
    return ", ".join(p for p in (fields.get("companyName"), person) if p)


def _texts(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in names:
        value = values.get(name)
        if value is None:
            continue
        text = str(value)
        if len(text) > MAX_TEXT:
            raise ValidationFailed("contacts.text_too_long", field=name, name=name, limit=MAX_TEXT)
        fields[name] = text
    return fields


def _place(fields: dict[str, Any]) -> None:
    country = fields.get("country") or "AT"
    if country not in COUNTRY_NAMES:
        raise ValidationFailed("contacts.country_unknown", field="country", country=country)
    fields["country"] = country
    region = fields.get("region")
    if region and region not in {r.code for r in REGIONS.get(country, ())}:
        raise ValidationFailed(
            "contacts.region_not_in_country", field="region", region=region, country=country
        )


MAX_CODE_LENGTH = 10


def contra_account_code(requested: str | None, *, base: str, used: Collection[str]) -> str:
    """The code of a new personal contra account (seed 003 §3.9): the requested one (3 to 10
    digits, not yet in the chart), or else the first free ``{base}{n}`` after the chart's
    receivables or payables account ``base``."""
    if not requested:
        return next(f"{base}{n}" for n in range(1, 10**6) if f"{base}{n}" not in used)
    if not requested.isdigit() or not 3 <= len(requested) <= MAX_CODE_LENGTH:
        raise ValidationFailed("contacts.contra_account_format", field="contraAccount")
    if requested in used:
        raise Conflict("contacts.contra_account_taken", field="contraAccount", code=requested)
    return requested
