"""Customers, suppliers and additional addresses (seed 003 §3.9, models CustomerDto,
SupplierDto, AdditionalAddressDto).

A contact is a set of text fields plus a few flags; PUT replaces all of them ("missing fields
will be overwritten as empty"). Rules: a person needs first and last name unless a company
name is given; the country defaults to AT and must exist, the region must belong to it;
``copyEmailType`` is CC or BCC (default BCC, ``""`` normalised); an address type defaults to
INVOICE_AND_DELIVERY_ADDRESS; a dunning stop needs a reason.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from beleg.domain.errors import ValidationFailed
from beleg.domain.foundation.country_names import COUNTRY_NAMES
from beleg.domain.foundation.regions import REGIONS


class ContactKind(StrEnum):
    CUSTOMER = "CUSTOMER"
    SUPPLIER = "SUPPLIER"

    @property
    def number_field(self) -> str:
        return "customerNumber" if self is ContactKind.CUSTOMER else "supplierNumber"


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
        raise ValidationFailed(
            "firstName and lastName are required unless companyName is set",
            de="firstName und lastName sind ohne companyName erforderlich",
            field="companyName",
        )
    _place(fields)
    fields["noVatNumber"] = bool(values.get("noVatNumber") or False)
    if values.get("rating") is not None:
        fields["rating"] = int(values["rating"])
    if kind is ContactKind.CUSTOMER:
        if values.get("dunningStop"):
            if not fields.get("dunningStopReason"):
                raise ValidationFailed(
                    "dunningStopReason is required with dunningStop",
                    de="dunningStopReason ist mit dunningStop erforderlich",
                    field="dunningStopReason",
                )
            fields["dunningStop"] = True
        if values.get("discount") is not None:
            fields["discount"] = values["discount"]
    return fields


def normalise_address(values: dict[str, Any]) -> dict[str, Any]:
    """An additional address; empty copyEmailType/addressType take their defaults."""
    fields = _texts(values, ADDRESS_TEXT)
    fields["copyEmailType"] = fields.get("copyEmailType") or "BCC"
    if fields["copyEmailType"] not in ("CC", "BCC"):
        raise ValidationFailed(
            "copyEmailType must be CC or BCC",
            de="copyEmailType muss CC oder BCC sein",
            field="copyEmailType",
        )
    fields["addressType"] = fields.get("addressType") or ADDRESS_TYPES[0]
    if fields["addressType"] not in ADDRESS_TYPES:
        raise ValidationFailed(
            f"addressType must be one of {', '.join(ADDRESS_TYPES)}",
            de=f"addressType muss einer von {', '.join(ADDRESS_TYPES)} sein",
            field="addressType",
        )
    _place(fields)
    return fields


def display_name(fields: dict[str, Any]) -> str:
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
            raise ValidationFailed(
                f"{name} has more than {MAX_TEXT} characters",
                de=f"{name} hat mehr als {MAX_TEXT} Zeichen",
                field=name,
            )
        fields[name] = text
    return fields


def _place(fields: dict[str, Any]) -> None:
    country = fields.get("country") or "AT"
    if country not in COUNTRY_NAMES:
        raise ValidationFailed(
            f"country {country!r} is not an ISO 3166 code",
            de=f"Land {country} ist kein ISO-3166-Code",
            field="country",
        )
    fields["country"] = country
    region = fields.get("region")
    if region and region not in {r.code for r in REGIONS.get(country, ())}:
        raise ValidationFailed(
            f"region {region!r} does not belong to {country}",
            de=f"Region {region} gehört nicht zu {country}",
            field="region",
        )
