"""The checks of the seller's company data (``CompanyData``) before it is stored: each field
trimmed (empty is unset), bounded in length and free of control characters; country, VAT ID,
IBAN, BIC, SEPA creditor identifier, e-mail addresses and the electronic address scheme
checked by their rules. A refusal names the API field (camelCase) and the rule.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from typing import Any

from schwifty import BIC, IBAN
from stdnum import get_cc_module
from stdnum.eu import at_02 as creditor_id_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from beleg.domain.errors import ValidationFailed
from beleg.domain.foundation.country_names import COUNTRY_NAMES
from beleg.domain.tenancy.company import CompanyData

# Upper bounds per field, as stored. EN 16931 sets no lengths: names and address lines take
# 200 like the customers' (a SEPA file's 70-character names are cut where it is written);
# IBAN 34 (ISO 13616), BIC 11 (ISO 9362), creditor identifier 35 (EPC), e-mail 254 (RFC 5321).
LIMITS: dict[str, int] = {
    "legal_name": 200,
    "trading_name": 200,
    "street": 200,
    "additional_street": 200,
    "postcode": 20,
    "city": 100,
    "country": 2,
    "vat_id": 20,
    "tax_number": 30,
    "registration_id": 200,
    "contact_name": 200,
    "contact_phone": 50,
    "contact_email": 254,
    "electronic_address": 254,
    "electronic_address_scheme": 4,
    "iban": 34,
    "bic": 11,
    "account_holder": 200,
    "creditor_id": 35,
}
# Identifiers stored compact: as typed (with spaces) they may take twice their bound.
_COMPACTED = frozenset({"vat_id", "iban", "bic", "creditor_id"})
# The CEF Electronic Address Scheme (EAS) codes EN 16931 accepts for BT-34-1: the list of rule
# BR-CL-25 in the EN 16931 validation artefacts v1.3.16 (ConnectingEurope/eInvoicing-EN16931,
# EN16931-CII-validation.xslt). EM is e-mail, 9930 the German and 9915 the Austrian VAT ID,
# 0204 the Leitweg-ID, 0088 the GLN, 0060 the DUNS number.
_EAS_LIST = """0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0147 0151 0154 0158 0170
    0177 0183 0184 0188 0190 0191 0192 0193 0194 0195 0196 0198 0199 0200 0201 0202 0203 0204
    0205 0208 0209 0210 0211 0212 0213 0215 0216 0217 0218 0219 0220 0221 0225 0230 0235 0240
    0244 0242 0245 0246 0248 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927
    9928 9929 9930 9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945
    9946 9947 9948 9949 9950 9951 9952 9953 9957 9959 AN AQ AS AU EM"""
EAS_CODES = frozenset(_EAS_LIST.split())
# Every field is one line: C0 controls (tab and line breaks too), DEL and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()/.\-]*")
_CREDITOR_ID = re.compile(r"([A-Z]{2})([0-9]{2})([A-Z0-9]{3})([A-Z0-9]{1,28})")
_SEPARATORS = re.compile(r"[\s.\-/:]")
_VAT_PREFIX = {"EL": "GR"}  # the VAT prefix of an EU member that is not its ISO code


def api_name(name: str) -> str:
    """The API's camelCase name of a ``CompanyData`` field."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def checked_company(company: CompanyData) -> CompanyData:
    """``company`` with every field trimmed and checked, identifiers in compact form;
    ValidationFailed naming the first field that breaks a rule."""
    texts = {f.name: _text(getattr(company, f.name), f.name) for f in fields(CompanyData)}
    clean = CompanyData(**texts)
    return replace(
        clean,
        country=_country(clean.country),
        vat_id=_vat_id(clean.vat_id, clean.country),
        contact_phone=_phone(clean.contact_phone),
        contact_email=_email(clean.contact_email, "contactEmail"),
        electronic_address=_electronic_address(clean),
        iban=_iban(clean.iban),
        bic=_bic(clean.bic),
        creditor_id=check_creditor_id(clean.creditor_id),
    )


def _text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    field, limit = api_name(name), LIMITS[name] * (2 if name in _COMPACTED else 1)
    if _CONTROL.search(value):
        raise ValidationFailed("tenancy.company_control_character", field=field, name=field)
    text = value.strip()
    if len(text) > limit:
        raise ValidationFailed("tenancy.company_too_long", field=field, name=field, limit=limit)
    return text or None


def _country(country: str | None) -> str | None:
    if country is not None and country not in COUNTRY_NAMES:
        raise ValidationFailed("tenancy.company_country_unknown", field="country", country=country)
    return country


def _vat_id(vat_id: str | None, country: str | None) -> str | None:
    """Compact and valid: an EU VAT ID (it starts with its member's prefix) by that member's
    rules, another by python-stdnum's rule for ``country`` where it has one, else as given."""
    if vat_id is None:
        return None
    prefix = _SEPARATORS.sub("", vat_id).upper()[:2]
    if _VAT_PREFIX.get(prefix, prefix).lower() in eu_vat.MEMBER_STATES:
        return _bounded_vat_id(_stdnum_checked(eu_vat, vat_id))
    if country is not None and country.lower() in eu_vat.MEMBER_STATES:
        expected = {v: k for k, v in _VAT_PREFIX.items()}.get(country, country)
        raise ValidationFailed("tenancy.company_vat_id_prefix", field="vatId", prefix=expected)
    module = get_cc_module(country.lower(), "vat") if country is not None else None
    return _bounded_vat_id(vat_id if module is None else _stdnum_checked(module, vat_id))


def _stdnum_checked(module: Any, vat_id: str) -> str:
    try:
        return str(module.validate(vat_id))
    except StdnumError:
        raise ValidationFailed("tenancy.company_vat_id_invalid", field="vatId") from None


def _bounded_vat_id(vat_id: str) -> str:
    limit = LIMITS["vat_id"]
    if len(vat_id) > limit:
        raise ValidationFailed("tenancy.company_too_long", field="vatId", name="vatId", limit=limit)
    return vat_id


def _phone(phone: str | None) -> str | None:
    if phone is not None and not _PHONE.fullmatch(phone):
        raise ValidationFailed("tenancy.company_phone_invalid", field="contactPhone")
    return phone


def _email(address: str | None, field: str) -> str | None:
    if address is not None and not _EMAIL.fullmatch(address):
        raise ValidationFailed("tenancy.company_email_invalid", field=field, name=field)
    return address


def _electronic_address(company: CompanyData) -> str | None:
    """BT-34 needs its scheme (BT-34-1) from the EAS list, and a scheme needs its address;
    an ``EM`` address is an e-mail address."""
    address, scheme = company.electronic_address, company.electronic_address_scheme
    if scheme is not None and scheme not in EAS_CODES:
        raise ValidationFailed(
            "tenancy.company_scheme_unknown", field="electronicAddressScheme", scheme=scheme
        )
    if address is not None and scheme is None:
        raise ValidationFailed("tenancy.company_scheme_required", field="electronicAddressScheme")
    if address is None and scheme is not None:
        raise ValidationFailed("tenancy.company_address_required", field="electronicAddress")
    if scheme == "EM":
        return _email(address, "electronicAddress")
    return address


def _iban(iban: str | None) -> str | None:
    if iban is None:
        return None
    try:
        return str(IBAN(iban).compact)
    except ValueError:  # schwifty's exceptions: checksum, length, country, national format
        raise ValidationFailed("tenancy.company_iban_invalid", field="iban") from None


def _bic(bic: str | None) -> str | None:
    if bic is None:
        return None
    try:
        return str(BIC(bic).compact)
    except ValueError:
        raise ValidationFailed("tenancy.company_bic_invalid", field="bic") from None


def check_creditor_id(creditor_id: str | None) -> str | None:
    """The SEPA creditor identifier (EPC262-08 "Creditor Identifier Overview") in compact
    upper-case form: country code, two check digits, a three-character creditor business
    code (``ZZZ`` when unused) and the national identifier (up to 28 characters); the check
    digits (ISO 7064 MOD 97-10 over the national identifier and the country code, the
    business code left out) are checked by python-stdnum's ``eu.at_02``."""
    if creditor_id is None:
        return None
    compact = re.sub(r"\s", "", creditor_id).upper()
    if _CREDITOR_ID.fullmatch(compact) is None:
        raise ValidationFailed("tenancy.company_creditor_id_format", field="creditorId")
    if not creditor_id_module.is_valid(compact):
        raise ValidationFailed("tenancy.company_creditor_id_checksum", field="creditorId")
    return compact
