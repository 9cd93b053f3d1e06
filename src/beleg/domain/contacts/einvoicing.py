"""A customer's e-invoicing parameters (seed 001; e-invoicing issue, item 4): the format it
wants its e-invoices in, its buyer reference (EN 16931 BT-10: the Leitweg-ID of a German
public buyer, which XRechnung requires, BR-DE-15) and its electronic address (BT-49, with
its scheme from the CEF EAS list, BT-49-1). Unset parameters stay None; without an
electronic address of its own the buyer's invoice e-mail serves as one (scheme ``EM``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from beleg.domain.contacts.identifiers import clean_text
from beleg.domain.errors import ValidationFailed
from beleg.domain.tenancy.company_rules import EAS_CODES

MAX_REFERENCE = 100
MAX_ADDRESS = 200


class EInvoiceFormat(StrEnum):
    XRECHNUNG_CII = "xrechnung-cii"
    XRECHNUNG_UBL = "xrechnung-ubl"
    ZUGFERD = "zugferd"
    EBINTERFACE = "ebinterface"


@dataclass(frozen=True, slots=True)
class EInvoicing:
    format: EInvoiceFormat | None = None
    buyer_reference: str | None = None
    electronic_address: str | None = None
    electronic_address_scheme: str | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "format": None if self.format is None else self.format.value,
            "buyerReference": self.buyer_reference,
            "electronicAddress": self.electronic_address,
            "electronicAddressScheme": self.electronic_address_scheme,
        }


def einvoicing_of(stored: dict[str, Any] | None) -> EInvoicing | None:
    """The parameters as stored (``snapshot``'s shape), None when there are none."""
    if not stored:
        return None
    given = stored.get("format")
    return EInvoicing(
        EInvoiceFormat(given) if given else None,
        stored.get("buyerReference"),
        stored.get("electronicAddress"),
        stored.get("electronicAddressScheme"),
    )


def checked_einvoicing(given: EInvoicing | None) -> EInvoicing | None:
    """The parameters with their texts trimmed (empty: unset) and the scheme rules checked:
    an electronic address needs its scheme from the EAS list and a scheme its address."""
    if given is None:
        return None
    name = "eInvoicing"
    reference = clean_text(given.buyer_reference, f"{name}.buyerReference", MAX_REFERENCE)
    address = clean_text(given.electronic_address, f"{name}.electronicAddress", MAX_ADDRESS)
    scheme = clean_text(given.electronic_address_scheme, f"{name}.electronicAddressScheme", 4)
    if scheme is not None and scheme not in EAS_CODES:
        raise ValidationFailed(
            "contacts.einvoicing_scheme_unknown", field=f"{name}.electronicAddressScheme"
        )
    if (address is None) != (scheme is None):
        missing = "electronicAddressScheme" if scheme is None else "electronicAddress"
        raise ValidationFailed("contacts.einvoicing_address_pair", field=f"{name}.{missing}")
    checked = EInvoicing(given.format, reference, address, scheme)
    return None if checked == EInvoicing() else checked
