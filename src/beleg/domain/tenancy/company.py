"""The tenant's own company as the seller of its documents (EN 16931 BG-4 "Seller", BG-6
"Seller contact", BT-34 "Seller electronic address", BG-17 "Credit transfer", BT-90 "Bank
assigned creditor identifier"; e-invoicing issue, item 0).

An e-invoice needs these terms; which of them a document's format requires is decided where
the e-invoice is made (``missing_for_einvoice``): a term that is missing puts the e-invoice in
``ERROR`` naming it, the document itself is issued all the same.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CompanyData:
    """What the tenant's company says about itself as a seller; every field may be unset
    until the tenant fills it in. Country: ISO 3166-1 alpha-2. VAT ID compact (``DE123456789``);
    tax number as the tax office wrote it (German Steuernummer, BT-32). The electronic
    address (BT-34) with its scheme (CEF EAS code list: ``EM`` e-mail, ``9930`` German VAT ID,
    ``0204`` Leitweg-ID, ...). IBAN compact; the SEPA creditor identifier (``DE98ZZZ09999999999``)
    is the one direct debits are collected under."""

    legal_name: str | None = None  # BT-27
    trading_name: str | None = None  # BT-28
    street: str | None = None  # BT-35
    additional_street: str | None = None  # BT-36
    postcode: str | None = None  # BT-38
    city: str | None = None  # BT-37
    country: str | None = None  # BT-40
    vat_id: str | None = None  # BT-31
    tax_number: str | None = None  # BT-32
    registration_id: str | None = None  # BT-30, e.g. "HRB 12345, Amtsgericht Berlin"
    contact_name: str | None = None  # BT-41
    contact_phone: str | None = None  # BT-42
    contact_email: str | None = None  # BT-43
    electronic_address: str | None = None  # BT-34
    electronic_address_scheme: str | None = None  # BT-34-1
    iban: str | None = None  # BT-84
    bic: str | None = None  # BT-86
    account_holder: str | None = None  # BT-85
    creditor_id: str | None = None  # BT-90


# The terms every EN 16931 invoice of a German or Austrian seller needs, as the API names
# them: BR-6 (seller name), BR-8/BR-9 (seller postal address with its country), BR-CO-26 (a
# VAT ID or tax registration: for VAT category S the seller's VAT ID or tax number, BR-S-2).
EN16931_REQUIRED = ("legalName", "city", "postcode", "country")
# XRechnung 3.0 adds the seller contact (BR-DE-2: BG-6 with BT-41, BT-42, BT-43), the seller
# electronic address (PEPPOL-EN16931-R020, BT-34) and payment instructions (BR-DE-1: BG-16;
# a credit transfer names the account, BR-61: BT-84).
XRECHNUNG_REQUIRED = ("contactName", "contactPhone", "contactEmail", "electronicAddress", "iban")


def missing_for_einvoice(company: CompanyData, *, xrechnung: bool) -> list[str]:
    """The API names of the seller terms ``company`` lacks for an e-invoice (XRechnung
    asks for more than plain EN 16931); a VAT ID or a tax number is needed either way."""
    given = {
        "legalName": company.legal_name,
        "city": company.city,
        "postcode": company.postcode,
        "country": company.country,
        "contactName": company.contact_name,
        "contactPhone": company.contact_phone,
        "contactEmail": company.contact_email,
        "electronicAddress": company.electronic_address,
        "iban": company.iban,
    }
    wanted = EN16931_REQUIRED + (XRECHNUNG_REQUIRED if xrechnung else ())
    missing = [name for name in wanted if not given[name]]
    if not (company.vat_id or company.tax_number):
        missing.append("vatId")
    return missing
