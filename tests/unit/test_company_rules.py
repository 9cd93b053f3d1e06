"""The checks of the seller's company data (domain/tenancy/company_rules.py): the SEPA
creditor identifier by the EPC rules, VAT ID, IBAN, BIC, country, e-mail, the electronic
address and its scheme, lengths and control characters; each refusal names the API field."""

from __future__ import annotations

from dataclasses import replace

import pytest

from beleg.domain.errors import ValidationFailed
from beleg.domain.tenancy.company import CompanyData
from beleg.domain.tenancy.company_rules import (
    EAS_CODES,
    api_name,
    check_creditor_id,
    checked_company,
)

# DE98ZZZ09999999999 is the Deutsche Bundesbank's published test identifier; the others are
# example identifiers of other SEPA countries.
VALID_CREDITOR_IDS = [
    "DE98ZZZ09999999999",
    "AT61ZZZ01234567890",
    "ES23ZZZ47690558N",
    "IT66ZZZA1B2C3D4E5F6G7H8",
    "FR72ZZZ123456",
    "BE68ZZZ0123456789",
]


@pytest.mark.parametrize("creditor_id", VALID_CREDITOR_IDS)
def test_published_creditor_ids_are_valid(creditor_id: str) -> None:
    assert check_creditor_id(creditor_id) == creditor_id


def test_the_business_code_is_not_part_of_the_check_and_spaces_go() -> None:
    assert check_creditor_id("DE98ABC09999999999") == "DE98ABC09999999999"
    assert check_creditor_id(" de98 zzz 0999 9999 999 ") == "DE98ZZZ09999999999"


@pytest.mark.parametrize(
    ("creditor_id", "code"),
    [
        ("DE97ZZZ09999999999", "tenancy.company_creditor_id_checksum"),
        ("DE98ZZZ09999999998", "tenancy.company_creditor_id_checksum"),
        ("DE98ZZ", "tenancy.company_creditor_id_format"),
        ("9E98ZZZ09999999999", "tenancy.company_creditor_id_format"),
        ("DE98ZZZ0999-999999", "tenancy.company_creditor_id_format"),
        ("DE98ZZZ" + "1" * 29, "tenancy.company_creditor_id_format"),
    ],
)
def test_bad_creditor_ids_are_refused_naming_the_rule(creditor_id: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_creditor_id(creditor_id)
    assert (refused.value.field, refused.value.code) == ("creditorId", code)


FULL = CompanyData(
    legal_name="  Muster GmbH ",
    trading_name="Muster",
    street="Hauptstraße 1",
    additional_street="3. OG",
    postcode="10115",
    city="Berlin",
    country="DE",
    vat_id="DE 136 695 976",
    tax_number="30/123/45678",
    registration_id="HRB 12345, Amtsgericht Berlin",
    contact_name="Erika Muster",
    contact_phone="+49 30 123456-0",
    contact_email="rechnung@muster.example",
    electronic_address="rechnung@muster.example",
    electronic_address_scheme="EM",
    iban="DE89 3704 0044 0532 0130 00",
    bic="COBADEFFXXX",
    account_holder="Muster GmbH",
    creditor_id="DE98 ZZZ 09999999999",
)


def test_valid_data_is_trimmed_and_identifiers_made_compact() -> None:
    checked = checked_company(FULL)
    assert checked.legal_name == "Muster GmbH"
    assert (checked.vat_id, checked.iban, checked.creditor_id) == (
        "DE136695976",
        "DE89370400440532013000",
        "DE98ZZZ09999999999",
    )
    assert checked_company(checked) == checked  # idempotent


def test_identifiers_typed_with_spaces_may_exceed_their_stored_length() -> None:
    typed = "FR76 3000 6000 0112 3456 7890 189"  # 33 characters, 27 compact
    assert checked_company(CompanyData(iban=typed)).iban == "FR7630006000011234567890189"
    spaced = " ".join("DE98ZZZ09999999999")  # 35 characters, 18 compact
    assert checked_company(CompanyData(creditor_id=spaced)).creditor_id == "DE98ZZZ09999999999"


def test_empty_texts_are_unset() -> None:
    assert checked_company(CompanyData(legal_name="  ", city="")) == CompanyData()


def _refused(**fields: str | None) -> tuple[str | None, str]:
    with pytest.raises(ValidationFailed) as refused:
        checked_company(replace(FULL, **fields))
    return refused.value.field, refused.value.code


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"legal_name": "x" * 201}, "legalName", "tenancy.company_too_long"),
        ({"postcode": "1" * 21}, "postcode", "tenancy.company_too_long"),
        ({"city": "Ber\nlin"}, "city", "tenancy.company_control_character"),
        ({"street": "Haupt\tstraße"}, "street", "tenancy.company_control_character"),
        ({"trading_name": "a\x85b"}, "tradingName", "tenancy.company_control_character"),
        ({"country": "US", "vat_id": "1" * 21}, "vatId", "tenancy.company_too_long"),
        ({"iban": "DE89 " * 14}, "iban", "tenancy.company_too_long"),
        ({"country": "XX"}, "country", "tenancy.company_country_unknown"),
        ({"country": "de"}, "country", "tenancy.company_country_unknown"),
        ({"vat_id": "DE136695977"}, "vatId", "tenancy.company_vat_id_invalid"),
        ({"vat_id": "136695976"}, "vatId", "tenancy.company_vat_id_prefix"),
        ({"contact_phone": "call me"}, "contactPhone", "tenancy.company_phone_invalid"),
        ({"contact_email": "nobody"}, "contactEmail", "tenancy.company_email_invalid"),
        ({"contact_email": "a@b"}, "contactEmail", "tenancy.company_email_invalid"),
        ({"electronic_address": "no-mail"}, "electronicAddress", "tenancy.company_email_invalid"),
        (
            {"electronic_address_scheme": None},
            "electronicAddressScheme",
            "tenancy.company_scheme_required",
        ),
        (
            {"electronic_address_scheme": "XY"},
            "electronicAddressScheme",
            "tenancy.company_scheme_unknown",
        ),
        (
            {"electronic_address": None},
            "electronicAddress",
            "tenancy.company_address_required",
        ),
        ({"iban": "DE89370400440532013001"}, "iban", "tenancy.company_iban_invalid"),
        ({"iban": "DE8937040044053201300"}, "iban", "tenancy.company_iban_invalid"),
        ({"bic": "COBA"}, "bic", "tenancy.company_bic_invalid"),
        (
            {"creditor_id": "DE97ZZZ09999999999"},
            "creditorId",
            "tenancy.company_creditor_id_checksum",
        ),
    ],
)
def test_each_rule_names_its_field(fields: dict[str, str | None], field: str, code: str) -> None:
    assert _refused(**fields) == (field, code)


def test_a_vat_id_of_another_eu_member_is_checked_by_its_prefix() -> None:
    assert checked_company(CompanyData(country="DE", vat_id="ATU13585627")).vat_id == "ATU13585627"
    assert checked_company(CompanyData(vat_id="EL094259216")).vat_id == "EL094259216"


def test_a_vat_id_without_a_known_rule_is_kept_as_given() -> None:
    assert checked_company(CompanyData(country="US", vat_id="12-3456789")).vat_id == "12-3456789"


def test_other_schemes_take_their_identifier_as_given() -> None:
    company = CompanyData(electronic_address="991-01234-56", electronic_address_scheme="0204")
    assert checked_company(company).electronic_address == "991-01234-56"


def test_the_eas_list_has_the_schemes_german_and_austrian_sellers_use() -> None:
    assert {"EM", "9930", "9915", "0204", "0088", "0060"} <= EAS_CODES
    assert "9999" not in EAS_CODES


def test_api_names_are_camel_case() -> None:
    assert api_name("electronic_address_scheme") == "electronicAddressScheme"
    assert api_name("iban") == "iban"
