"""Customers of the billing API (/v2/customers): the same contacts the accounting API keeps,
with what billing needs beside the seed's fields: the customer type (B2B or B2C, stored, never
guessed from the company name), the VAT ID checked against the customer's country, the
currency, a shipping address, the payment method and the payment accounts.

Rules: a B2B customer needs a company name; any customer needs a company name or first and
last name. A VAT ID is checked with python-stdnum for the customer's country (an EU VAT ID
must carry that country's prefix: ``ATU…`` for AT, ``EL…`` for GR); for a country without a
VAT ID rule in python-stdnum it is stored as given. IBAN and BIC are checked with schwifty.
SEPA direct debit needs a payment account. Payment details apply to future charges only:
documents already issued keep the payment details they were issued with.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from beleg.domain.contacts.einvoicing import EInvoicing, checked_einvoicing
from beleg.domain.contacts.identifiers import check_vat_id, clean_text
from beleg.domain.contacts.partners import Contact
from beleg.domain.errors import ValidationFailed
from beleg.domain.foundation.country_names import COUNTRY_NAMES
from beleg.money.iso4217 import ISO_4217

MAX_NUMBER = 50  # contacts.number
DEFAULT_COUNTRY = "AT"  # as the accounting API (seed 003 §3.9)
FUTURE_CHARGES = "FUTURE_CHARGES"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def instant(value: datetime) -> str:
    """A UTC instant as the API shows it (``2026-12-02T14:00:00Z``)."""
    return value.isoformat().replace("+00:00", "Z")


class CustomerType(StrEnum):
    B2B = "B2B"
    B2C = "B2C"


class PaymentMethod(StrEnum):
    """How a customer pays future charges; CARD and PAYPAL through a payment provider."""

    BANK_TRANSFER = "BANK_TRANSFER"
    SEPA_DIRECT_DEBIT = "SEPA_DIRECT_DEBIT"
    CARD = "CARD"
    PAYPAL = "PAYPAL"


@dataclass(frozen=True, slots=True)
class PostalAddress:
    street: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None

    def snapshot(self) -> dict[str, str | None]:
        return {
            "street": self.street,
            "zipCode": self.zip_code,
            "city": self.city,
            "country": self.country,
            "email": self.email,
        }


@dataclass(frozen=True, slots=True)
class PaymentAccount:
    """A bank account of a customer (IBAN compact, BIC as given or derived from the IBAN)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    iban: str
    bic: str | None
    account_holder: str
    created_at: datetime

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "iban": self.iban,
            "bic": self.bic,
            "accountHolder": self.account_holder,
            "createdAt": instant(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """What a customer has beside the accounting API's fields (own columns)."""

    customer_type: CustomerType
    payment_method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    vat_id: str | None = None
    currency: str | None = None  # None: the tenant's currency
    shipping_address: PostalAddress | None = None
    e_invoicing: EInvoicing | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as /v2 shows it: the contact, its profile and its payment accounts."""

    contact: Contact
    profile: CustomerProfile
    currency: str  # the profile's, else the tenant's
    payment_accounts: tuple[PaymentAccount, ...] = ()

    @property
    def id(self) -> uuid.UUID:
        return self.contact.id

    def draft(self) -> CustomerDraft:
        f = self.contact.fields
        street = " ".join(p for p in (f.get("streetName"), f.get("streetNumber")) if p)
        return CustomerDraft(
            customer_type=self.profile.customer_type,
            customer_number=self.contact.number,
            company_name=f.get("companyName"),
            first_name=f.get("firstName"),
            last_name=f.get("lastName"),
            vat_id=self.profile.vat_id,
            country=f.get("country") or DEFAULT_COUNTRY,
            currency=self.currency,
            invoice_address=PostalAddress(
                street or None,
                f.get("zipCode"),
                f.get("city"),
                f.get("country"),
                f.get("emailAddress"),
            ),
            shipping_address=self.profile.shipping_address,
            payment_method=self.profile.payment_method,
            e_invoicing=self.profile.e_invoicing,
        )

    def snapshot(self) -> dict[str, Any]:
        """The customer as /v2, its events and its audit entries show it (JSON-shaped)."""
        d = self.draft()
        return {
            "id": str(self.id),
            "customerNumber": d.customer_number,
            "type": d.customer_type.value,
            "companyName": d.company_name,
            "firstName": d.first_name,
            "lastName": d.last_name,
            "vatId": d.vat_id,
            "country": d.country,
            "currency": d.currency,
            "invoiceAddress": d.invoice_address.snapshot(),
            "shippingAddress": d.shipping_address.snapshot() if d.shipping_address else None,
            "paymentMethod": d.payment_method.value,
            "eInvoicing": d.e_invoicing.snapshot() if d.e_invoicing else None,
            "paymentAccounts": [a.snapshot() for a in self.payment_accounts],
            "paymentDetailsApplyTo": FUTURE_CHARGES,
            "createdAt": instant(self.contact.created_at),
            "updatedAt": instant(self.contact.updated_at),
        }


@dataclass(frozen=True, slots=True)
class CustomerDraft:
    """The input of a new customer, or the state a change leads to."""

    customer_type: CustomerType
    customer_number: str | None = None  # None: the next number of the counter
    company_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    vat_id: str | None = None
    country: str | None = None
    currency: str | None = None  # None: the tenant's currency
    invoice_address: PostalAddress = field(default_factory=PostalAddress)
    shipping_address: PostalAddress | None = None
    payment_method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    e_invoicing: EInvoicing | None = None


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class CustomerPatch:
    """A PATCH: every field left UNSET stays; an address given replaces the whole address."""

    customer_type: Any = UNSET
    customer_number: Any = UNSET
    company_name: Any = UNSET
    first_name: Any = UNSET
    last_name: Any = UNSET
    vat_id: Any = UNSET
    country: Any = UNSET
    currency: Any = UNSET
    invoice_address: Any = UNSET
    shipping_address: Any = UNSET
    payment_method: Any = UNSET
    e_invoicing: Any = UNSET

    def applied_to(self, draft: CustomerDraft) -> CustomerDraft:
        changes = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) is not UNSET
        }
        if changes.get("invoice_address", draft.invoice_address) is None:
            changes["invoice_address"] = PostalAddress()
        if changes.get("customer_number", draft.customer_number) is None:
            changes["customer_number"] = draft.customer_number  # a number is never taken away
        return replace(draft, **changes)


def check_customer(draft: CustomerDraft, *, payment_accounts: int) -> CustomerDraft:
    """The draft as stored: texts trimmed (empty = None), rules checked, the VAT ID compact.
    ``payment_accounts`` is how many accounts the customer will have."""
    d = replace(
        draft,
        customer_number=clean_text(draft.customer_number, "customerNumber", MAX_NUMBER),
        company_name=clean_text(draft.company_name, "companyName"),
        first_name=clean_text(draft.first_name, "firstName"),
        last_name=clean_text(draft.last_name, "lastName"),
    )
    if d.customer_type is CustomerType.B2B and not d.company_name:
        raise ValidationFailed("contacts.b2b_company_required", field="companyName")
    if not d.company_name and not (d.first_name and d.last_name):
        raise ValidationFailed("contacts.name_required", field="companyName")
    country = _country(d.country or d.invoice_address.country or DEFAULT_COUNTRY, "country")
    invoice = check_address(d.invoice_address, "invoiceAddress", default_country=country)
    if invoice.country != country:
        raise ValidationFailed(
            "contacts.invoice_country", field="invoiceAddress.country", country=country
        )
    shipping = d.shipping_address
    if shipping is not None:
        shipping = check_address(shipping, "shippingAddress", default_country=country)
    if d.payment_method is PaymentMethod.SEPA_DIRECT_DEBIT and payment_accounts == 0:
        raise ValidationFailed("contacts.sepa_needs_account", field="paymentAccounts")
    return replace(
        d,
        country=country,
        currency=_currency(d.currency),
        vat_id=check_vat_id(d.vat_id, country),
        invoice_address=invoice,
        shipping_address=shipping,
        e_invoicing=checked_einvoicing(d.e_invoicing),
    )


def check_address(address: PostalAddress, name: str, *, default_country: str) -> PostalAddress:
    email = clean_text(address.email, f"{name}.email")
    if email is not None and not _EMAIL.match(email):
        raise ValidationFailed("contacts.email_invalid", field=f"{name}.email", email=email)
    return PostalAddress(
        street=clean_text(address.street, f"{name}.street"),
        zip_code=clean_text(address.zip_code, f"{name}.zipCode"),
        city=clean_text(address.city, f"{name}.city"),
        country=_country(address.country or default_country, f"{name}.country"),
        email=email,
    )


def contact_fields(
    before: Mapping[str, Any], draft: CustomerDraft, old: CustomerDraft | None
) -> dict[str, Any]:
    """The accounting API's fields of a customer after ``draft`` (``old``: the state before):
    other seed fields stay; the main address is rewritten only when it changed."""
    values = dict(before)
    names = {
        "customerNumber": draft.customer_number,
        "companyName": draft.company_name,
        "firstName": draft.first_name,
        "lastName": draft.last_name,
        "country": draft.country,
    }
    if old is None or draft.invoice_address != old.invoice_address:
        values.pop("streetNumber", None)
        a = draft.invoice_address
        names.update(streetName=a.street, zipCode=a.zip_code, city=a.city, emailAddress=a.email)
    for name, value in names.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    values.setdefault("noVatNumber", False)
    return values


def default_type(fields: Mapping[str, Any]) -> CustomerType:
    """The type of a customer created through the accounting API, which has no type field:
    B2B with a company name, else B2C; chosen once at creation and stored."""
    return CustomerType.B2B if fields.get("companyName") else CustomerType.B2C


def _country(code: str, name: str) -> str:
    if code not in COUNTRY_NAMES:
        raise ValidationFailed("contacts.country_unknown", field=name, country=code)
    return code


def _currency(code: str | None) -> str | None:
    if code is not None and code not in ISO_4217:
        raise ValidationFailed("contacts.currency_unknown", field="currency", currency=code)
    return code
