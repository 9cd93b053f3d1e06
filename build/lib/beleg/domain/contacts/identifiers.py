"""Identifiers that libraries know the rules of: VAT IDs (python-stdnum) and bank accounts
(IBAN and BIC, schwifty). Each refusal names the field and the rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from schwifty import BIC, IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from beleg.domain.contacts.partners import MAX_TEXT
from beleg.domain.errors import ValidationFailed

MAX_VAT_ID = 20
MAX_HOLDER = 200
_SEPARATORS = re.compile(r"[\s.\-/:]")
# The VAT prefix of EU members whose prefix is not their ISO code (stdnum.eu.vat).
_VAT_PREFIX = {"GR": "EL"}
_IBAN_RULES: tuple[tuple[type[SchwiftyException], str], ...] = (
    (InvalidChecksumDigits, "contacts.iban_checksum"),
    (InvalidLength, "contacts.iban_length"),
    (InvalidCountryCode, "contacts.iban_country"),
)


def clean_text(value: str | None, name: str, limit: int = MAX_TEXT) -> str | None:
    """``value`` trimmed, empty as None; ValidationFailed naming ``name`` past ``limit``."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > limit:
        raise ValidationFailed("contacts.text_too_long", field=name, name=name, limit=limit)
    return text or None


@dataclass(frozen=True, slots=True)
class AccountDraft:
    iban: str
    account_holder: str
    bic: str | None = None


def check_vat_id(vat_id: str | None, country: str) -> str | None:
    """The VAT ID in compact form, valid for ``country``; ValidationFailed naming ``vatId``."""
    text = clean_text(vat_id, "vatId", MAX_VAT_ID * 2)
    if text is None:
        return None
    if country.lower() in eu_vat.MEMBER_STATES:
        prefix = _VAT_PREFIX.get(country, country)
        if not _SEPARATORS.sub("", text).upper().startswith(prefix):
            raise ValidationFailed(
                "contacts.vat_id_country", field="vatId", prefix=prefix, country=country
            )
        return _checked(eu_vat, text, country)
    module = get_cc_module(country.lower(), "vat")
    if module is None:
        return text if len(text) <= MAX_VAT_ID else _too_long(text)
    return _checked(module, text, country)


def _checked(module: Any, text: str, country: str) -> str:
    """``text`` validated (and made compact) by the python-stdnum module."""
    try:
        valid = str(module.validate(text))
    except StdnumError:
        raise ValidationFailed("contacts.vat_id_invalid", field="vatId", country=country) from None
    if len(valid) > MAX_VAT_ID:
        return _too_long(valid)
    return valid


def _too_long(text: str) -> str:
    raise ValidationFailed("contacts.text_too_long", field="vatId", name="vatId", limit=MAX_VAT_ID)


def check_account(draft: AccountDraft, prefix: str = "") -> AccountDraft:
    """IBAN (compact, checksum and national structure) and BIC (structure, country); a
    missing BIC is taken from the IBAN's bank where schwifty knows it."""
    try:
        iban = IBAN(draft.iban)
    except ValueError as error:  # SchwiftyException and its kinds
        code = next(
            (c for kind, c in _IBAN_RULES if isinstance(error, kind)), "contacts.iban_invalid"
        )
        raise ValidationFailed(code, field=f"{prefix}iban") from None
    bic: str | None
    if draft.bic and draft.bic.strip():
        try:
            bic = str(BIC(draft.bic.strip()).compact)
        except ValueError:
            raise ValidationFailed("contacts.bic_invalid", field=f"{prefix}bic") from None
    else:
        found = iban.bic
        bic = str(found.compact) if found is not None else None
    holder = clean_text(draft.account_holder, f"{prefix}accountHolder", MAX_HOLDER)
    if holder is None:
        raise ValidationFailed("contacts.account_holder_required", field=f"{prefix}accountHolder")
    return AccountDraft(iban=str(iban.compact), account_holder=holder, bic=bic)
