"""Rules for a tenant's settings: country, accounting mode, currency, locale.

The timezone is checked where the IANA database is read (services); here only pure rules.
"""

from __future__ import annotations

from enum import StrEnum

from beleg.domain.errors import ValidationFailed
from beleg.money import is_currency


class AccountingMode(StrEnum):
    """Seed 003: single-entry cash accounting (Einnahmen-Ausgaben-Rechnung, ``EA``) or
    double-entry bookkeeping (doppelte Buchhaltung, ``DE``)."""

    EA = "EA"
    DE = "DE"


SUPPORTED_COUNTRIES = ("AT", "DE")
SUPPORTED_LOCALES = ("de_AT", "de_DE", "de_CH", "en_GB", "en_US")
MAX_NAME_LENGTH = 200


def check_country(country: str) -> str:
    """A tenant's country decides its chart of accounts and tax rules: AT or DE."""
    if country not in SUPPORTED_COUNTRIES:
        raise ValidationFailed(
            "tenancy.country_unsupported",
            field="country",
            allowed=", ".join(SUPPORTED_COUNTRIES),
            country=country,
        )
    return country


def check_currency(currency: str) -> str:
    """The main currency must be an active ISO 4217 code."""
    if not is_currency(currency):
        raise ValidationFailed("tenancy.currency_unknown", field="currency", currency=currency)
    return currency


def check_locale(locale: str) -> str:
    """Documents and messages are rendered in one of the supported locales."""
    if locale not in SUPPORTED_LOCALES:
        raise ValidationFailed(
            "tenancy.locale_unsupported",
            field="locale",
            allowed=", ".join(SUPPORTED_LOCALES),
            locale=locale,
        )
    return locale


def check_name(name: str) -> str:
    """A tenant's display name: 1 to 200 characters after trimming."""
    trimmed = name.strip()
    if not 1 <= len(trimmed) <= MAX_NAME_LENGTH:
        raise ValidationFailed("tenancy.name_length", field="name", limit=MAX_NAME_LENGTH)
    return trimmed


def default_locale(country: str) -> str:
    """German for the country: de_AT for Austria, de_DE for Germany."""
    return f"de_{country}"


def default_timezone(country: str) -> str:
    """Europe/Vienna for Austria, Europe/Berlin for Germany."""
    return {"AT": "Europe/Vienna", "DE": "Europe/Berlin"}[country]
