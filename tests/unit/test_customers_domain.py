"""The rules of /v2 customers (domain/contacts/customers.py): type and names, VAT IDs per
country, IBAN/BIC, SEPA needs an account, PATCH semantics, and the accounting API's fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.contacts.customers import (
    Customer,
    CustomerDraft,
    CustomerPatch,
    CustomerProfile,
    CustomerType,
    PaymentMethod,
    PostalAddress,
    check_customer,
    contact_fields,
    default_type,
)
from beleg.domain.contacts.identifiers import AccountDraft, check_account, check_vat_id
from beleg.domain.contacts.partners import Contact, ContactKind
from beleg.domain.errors import ValidationFailed

B2B = CustomerDraft(customer_type=CustomerType.B2B, company_name="Acme GmbH")


def _field(error: pytest.ExceptionInfo[ValidationFailed]) -> str | None:
    return error.value.field


@pytest.mark.parametrize(
    ("vat_id", "country", "expected"),
    [
        ("ATU13585627", "AT", "ATU13585627"),
        ("atu 135 856 27", "AT", "ATU13585627"),
        ("DE 136 695 976", "DE", "DE136695976"),
        ("EL094259216", "GR", "EL094259216"),
        ("CHE-116.281.710 MWST", "CH", "CHE116281710MWST"),
        ("12-3456789", "US", "12-3456789"),  # no rule known: stored as given
        (None, "AT", None),
        ("  ", "AT", None),
    ],
)
def test_valid_vat_ids_are_stored_compact(
    vat_id: str | None, country: str, expected: str | None
) -> None:
    assert check_vat_id(vat_id, country) == expected


@pytest.mark.parametrize(
    ("vat_id", "country", "code"),
    [
        ("ATU13585626", "AT", "contacts.vat_id_invalid"),  # check digit
        ("ATU1358562", "AT", "contacts.vat_id_invalid"),  # length
        ("DE136695976", "AT", "contacts.vat_id_country"),  # another member's
        ("GR094259216", "GR", "contacts.vat_id_country"),  # Greece is EL
        ("CHE-116.281.711", "CH", "contacts.vat_id_invalid"),
    ],
)
def test_invalid_vat_ids_name_the_field_and_the_rule(vat_id: str, country: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        check_vat_id(vat_id, country)
    assert (error.value.code, _field(error)) == (code, "vatId")


@given(st.integers(min_value=0, max_value=99_999_999))
def test_an_austrian_vat_id_is_valid_exactly_when_its_check_digit_is(n: int) -> None:
    digits = f"{n:08d}"
    try:
        stored = check_vat_id(f"ATU{digits}", "AT")
    except ValidationFailed as error:
        assert error.code == "contacts.vat_id_invalid"
        return
    assert stored == f"ATU{digits}"
    wrong = (int(digits[-1]) + 1) % 10
    with pytest.raises(ValidationFailed):
        check_vat_id(f"ATU{digits[:-1]}{wrong}", "AT")


def test_type_and_names() -> None:
    assert check_customer(B2B, payment_accounts=0).customer_type is CustomerType.B2B
    with pytest.raises(ValidationFailed) as error:
        check_customer(CustomerDraft(CustomerType.B2B, last_name="Berg"), payment_accounts=0)
    assert (error.value.code, _field(error)) == ("contacts.b2b_company_required", "companyName")
    person = CustomerDraft(CustomerType.B2C, first_name=" Eva ", last_name="Berg")
    assert check_customer(person, payment_accounts=0).first_name == "Eva"
    with pytest.raises(ValidationFailed) as error:
        check_customer(CustomerDraft(CustomerType.B2C, last_name="Berg"), payment_accounts=0)
    assert _field(error) == "companyName"
    company_b2c = CustomerDraft(CustomerType.B2C, company_name="Kiosk", vat_id="ATU13585627")
    assert check_customer(company_b2c, payment_accounts=0).vat_id == "ATU13585627"


def test_addresses_countries_and_sepa() -> None:
    checked = check_customer(
        CustomerDraft(
            CustomerType.B2B,
            company_name="A",
            country="DE",
            invoice_address=PostalAddress(street="Weg 1", email="a@b.de"),
            shipping_address=PostalAddress(city="Graz", country="AT"),
        ),
        payment_accounts=0,
    )
    assert checked.invoice_address.country == "DE" and checked.shipping_address is not None
    assert checked.shipping_address.country == "AT"
    assert check_customer(B2B, payment_accounts=0).country == "AT"
    bad = [
        (CustomerDraft(CustomerType.B2B, company_name="A", country="DE",
                       invoice_address=PostalAddress(country="AT")), "invoiceAddress.country"),
        (CustomerDraft(CustomerType.B2B, company_name="A",
                       shipping_address=PostalAddress(email="x@")), "shippingAddress.email"),
        (CustomerDraft(CustomerType.B2B, company_name="A", currency="XYZ"), "currency"),
        (CustomerDraft(CustomerType.B2B, company_name="A", customer_number="N" * 51),
         "customerNumber"),
        (CustomerDraft(CustomerType.B2B, company_name="A",
                       payment_method=PaymentMethod.SEPA_DIRECT_DEBIT), "paymentAccounts"),
    ]  # fmt: skip
    for draft, field in bad:
        with pytest.raises(ValidationFailed) as error:
            check_customer(draft, payment_accounts=0)
        assert _field(error) == field
    sepa = CustomerDraft(
        CustomerType.B2B, company_name="A", payment_method=PaymentMethod.SEPA_DIRECT_DEBIT
    )
    assert (
        check_customer(sepa, payment_accounts=1).payment_method is PaymentMethod.SEPA_DIRECT_DEBIT
    )


def test_payment_accounts() -> None:
    derived = check_account(AccountDraft("de89 3704 0044 0532 0130 00", " Acme "))
    assert (derived.iban, derived.bic, derived.account_holder) == (
        "DE89370400440532013000",
        "COBADEFFXXX",
        "Acme",
    )
    given_bic = check_account(AccountDraft("AT611904300234573201", "A", bic="bkauatww"))
    assert given_bic.bic == "BKAUATWW"
    iban = "DE89370400440532013000"
    cases = [
        (AccountDraft("DE89370400440532013001", "A"), "iban", "contacts.iban_checksum"),
        (AccountDraft("DE8937040044053201300", "A"), "iban", "contacts.iban_length"),
        (AccountDraft("XX89370400440532013000", "A"), "iban", "contacts.iban_country"),
        (AccountDraft(iban, "A", bic="COBAXXFF"), "bic", "contacts.bic_invalid"),
        (AccountDraft(iban, " "), "accountHolder", "contacts.account_holder_required"),
    ]
    for draft, field, code in cases:
        with pytest.raises(ValidationFailed) as error:
            check_account(draft, "paymentAccounts[0].")
        assert (error.value.code, _field(error)) == (code, f"paymentAccounts[0].{field}")


@given(st.text(alphabet="0123456789", min_size=18, max_size=18))
def test_any_german_iban_with_wrong_check_digits_is_refused(bban: str) -> None:
    try:
        good = check_account(AccountDraft(f"DE00{bban}", "A"))
    except ValidationFailed as error:
        assert error.field == "iban"
    else:  # 00 is never a valid pair of check digits (they run 02..98)
        pytest.fail(f"accepted {good.iban}")


def _customer(fields: dict[str, str], number: str | None = "7") -> Customer:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    contact = Contact(uuid.uuid4(), ContactKind.CUSTOMER, number, "x", fields, now, now)
    return Customer(contact, CustomerProfile(default_type(fields)), "EUR")


def test_patch_keeps_what_it_does_not_set_and_never_takes_the_number() -> None:
    customer = _customer({"companyName": "A", "streetName": "Weg", "streetNumber": "3"})
    draft = customer.draft()
    assert draft.invoice_address.street == "Weg 3" and draft.customer_type is CustomerType.B2B
    changed = CustomerPatch(last_name="Berg", customer_number=None).applied_to(draft)
    assert changed.last_name == "Berg" and changed.customer_number == "7"
    assert changed.invoice_address == draft.invoice_address
    cleared = CustomerPatch(shipping_address=None, invoice_address=None).applied_to(draft)
    assert cleared.shipping_address is None and cleared.invoice_address == PostalAddress()


def test_the_accounting_api_fields_stay_unless_changed() -> None:
    before = {"companyName": "A", "streetName": "Weg", "streetNumber": "3", "taxNumber": "T1"}
    old = _customer(before).draft()
    kept = contact_fields(before, CustomerPatch(company_name="B").applied_to(old), old)
    assert kept == {
        **before,
        "companyName": "B",
        "customerNumber": "7",
        "country": "AT",
        "noVatNumber": False,
    }
    moved = CustomerPatch(invoice_address=PostalAddress(street="Platz 1")).applied_to(old)
    rewritten = contact_fields(before, moved, old)
    assert rewritten["streetName"] == "Platz 1" and "streetNumber" not in rewritten
    assert rewritten["taxNumber"] == "T1"


def test_the_accounting_api_type_rule() -> None:
    assert default_type({"companyName": "A"}) is CustomerType.B2B
    assert default_type({"lastName": "B"}) is CustomerType.B2C


@given(st.text(max_size=40), st.one_of(st.none(), st.text(max_size=15)))
def test_any_account_input_is_accepted_or_refused_naming_a_field(
    iban: str, bic: str | None
) -> None:
    try:
        check_account(AccountDraft(iban, "Holder", bic=bic))
    except ValidationFailed as error:
        assert error.field in ("iban", "bic")


@given(st.text(max_size=30), st.sampled_from(["AT", "DE", "GR", "CH", "GB", "NO", "US", "FR"]))
def test_any_vat_id_is_accepted_or_refused_naming_the_field(vat_id: str, country: str) -> None:
    try:
        stored = check_vat_id(vat_id, country)
    except ValidationFailed as error:
        assert error.field == "vatId"
    else:
        assert stored is None or 0 < len(stored) <= 20
