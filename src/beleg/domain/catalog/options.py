"""Options: the billable things of a plan (spec/billing-api.md, "Option")."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from beleg.domain.amounts import check_amount
from beleg.domain.catalog.items import check_unit
from beleg.domain.errors import ValidationFailed

E = TypeVar("E", bound=StrEnum)


class OptionKind(StrEnum):
    """How an option is charged: once, every period, or by the usage of the period."""

    ONE_TIME = "ONE_TIME"
    RECURRING = "RECURRING"
    USAGE = "USAGE"
    TIME_BASED_USAGE = "TIME_BASED_USAGE"

    @property
    def is_usage(self) -> bool:
        """Usage is always billed in arrears, for the quantity the period's events add up to."""
        return self in (OptionKind.USAGE, OptionKind.TIME_BASED_USAGE)


class Aggregation(StrEnum):
    """How a period's usage events add up to one quantity."""

    SUM = "SUM"
    COUNT = "COUNT"
    MAX = "MAX"
    UNIQUE_COUNT = "UNIQUE_COUNT"
    LATEST = "LATEST"


# --- the option record and its rules ------------------------------------------------------------

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
NAME_LIMIT = 200
REASON_LIMIT = 500
TAX_CLASS_LIMIT = 20
VATEX_PATTERN = re.compile(r"^VATEX-[A-Z]{2}(-[A-Z0-9]{1,10}){1,3}$")
VATEX_LIMIT = 30
TAX_RATE_PLACES = 2
PROPERTY_NAME_LIMIT = 50  # usage event property names (domain/usage/events.py)
HUNDRED = Decimal(100)


class TaxCategory(StrEnum):
    """EN 16931 VAT category codes (UNCL5305) a tax exemption may name."""

    E = "E"  # exempt
    AE = "AE"  # reverse charge
    K = "K"  # intra-community supply
    G = "G"  # export outside the EU
    O = "O"  # noqa: E741 -- the code's name; outside the scope of VAT
    Z = "Z"  # zero rated
    S = "S"  # standard rate


# EN 16931 BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10: an exemption reason text or code.
NEEDS_REASON = frozenset(
    {TaxCategory.E, TaxCategory.AE, TaxCategory.K, TaxCategory.G, TaxCategory.O}
)


@dataclass(frozen=True, slots=True)
class TaxExemption:
    """Why an option is not taxed at the standard rate: the VAT category, a reason text and
    the VATEX code of the e-invoice (``VATEX-EU-IC``)."""

    category: TaxCategory
    reason: str | None
    vatex_code: str | None


def exemption_document(exemption: TaxExemption | None) -> dict[str, Any] | None:
    """A tax exemption in the API's shape (``{category, reason, vatexCode}``), as document
    lines and contract items store it."""
    if exemption is None:
        return None
    return {
        "category": exemption.category.value,
        "reason": exemption.reason,
        "vatexCode": exemption.vatex_code,
    }


@dataclass(frozen=True, slots=True)
class OptionInput:
    """An option as a client sends it (strings not yet checked)."""

    code: str
    name: str
    type: str
    unit: str | None = None
    aggregation: str | None = None
    tax_rate: Decimal | None = None
    tax_class: str | None = None
    tax_exemption: TaxExemption | None = None
    aggregation_property: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    """A billable thing of the catalogue; ``code`` is its item number, unique per tenant."""

    id: uuid.UUID
    code: str
    name: str
    kind: OptionKind
    unit: str | None
    aggregation: Aggregation | None
    tax_rate: Decimal | None
    tax_class: str | None
    tax_exemption: TaxExemption | None
    created_at: datetime
    updated_at: datetime
    aggregation_property: str | None = None  # the property UNIQUE_COUNT counts


def choice(enum: type[E], value: str, field: str) -> E:
    """``value`` as a member of ``enum``, or a 400 naming ``field`` and the allowed values."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        name = field.rsplit(".", 1)[-1]
        raise ValidationFailed(
            "catalog.choice_unknown", field=field, name=name, allowed=allowed, value=value
        ) from None


def check_code(code: str, field: str = "code") -> str:
    if not CODE_PATTERN.match(code):
        raise ValidationFailed("catalog.code_format", field=field, name=field, value=code)
    return code


def check_text(value: str, field: str, limit: int) -> str:
    name = field.rsplit(".", 1)[-1]
    if not value.strip():
        raise ValidationFailed("catalog.field_required", field=field, name=name)
    if len(value) > limit:
        raise ValidationFailed("catalog.text_too_long", field=field, name=name, limit=limit)
    return value


def check_option(given: OptionInput) -> OptionInput:
    """``given`` with every rule checked: usage options need an aggregation and only they may
    have one; a tax rate (0-100) or a tax class, not both; a well-formed tax exemption."""
    kind = choice(OptionKind, given.type, "type")
    check_code(given.code)
    check_text(given.name, "name", NAME_LIMIT)
    check_unit(given.unit, field="unit")
    aggregation = _aggregation(kind, given.aggregation)
    _aggregation_property(aggregation, given.aggregation_property)
    _tax(given.tax_rate, given.tax_class)
    if given.tax_exemption is not None:
        check_exemption(given.tax_exemption)
    return OptionInput(
        code=given.code,
        name=given.name,
        type=kind.value,
        unit=given.unit,
        aggregation=None if aggregation is None else aggregation.value,
        tax_rate=given.tax_rate,
        tax_class=given.tax_class,
        tax_exemption=given.tax_exemption,
        aggregation_property=given.aggregation_property,
    )


def _aggregation_property(aggregation: Aggregation | None, name: str | None) -> None:
    """UNIQUE_COUNT counts the distinct values of one event property: it needs its name, and
    no other aggregation takes one."""
    field = "aggregationProperty"
    if aggregation is Aggregation.UNIQUE_COUNT and name is None:
        raise ValidationFailed("catalog.field_required", field=field, name=field)
    if aggregation is not Aggregation.UNIQUE_COUNT and name is not None:
        raise ValidationFailed("catalog.aggregation_property_unique_count", field=field)
    if name is not None:
        check_text(name, field, PROPERTY_NAME_LIMIT)


def _aggregation(kind: OptionKind, value: str | None) -> Aggregation | None:
    if not kind.is_usage:
        if value is not None:
            raise ValidationFailed(
                "catalog.aggregation_not_usage", field="aggregation", kind=kind.value
            )
        return None
    if kind is OptionKind.USAGE and value is None:
        raise ValidationFailed("catalog.field_required", field="aggregation", name="aggregation")
    return choice(Aggregation, value, "aggregation") if value is not None else None


def _tax(rate: Decimal | None, tax_class: str | None) -> None:
    if rate is not None and tax_class is not None:
        raise ValidationFailed("catalog.rate_or_class", field="taxClass")
    if rate is not None:
        check_amount(rate, "taxRate", TAX_RATE_PLACES)
        if not 0 <= rate <= HUNDRED:
            raise ValidationFailed("catalog.tax_rate_range", field="taxRate", value=rate)
    if tax_class is not None:
        check_text(tax_class, "taxClass", TAX_CLASS_LIMIT)


def check_exemption(given: TaxExemption, field: str = "taxExemption") -> TaxExemption:
    """VATEX codes are ``VATEX-`` + a region and a code (``VATEX-EU-IC``, ``VATEX-EU-O``)."""
    if given.reason is not None:
        check_text(given.reason, f"{field}.reason", REASON_LIMIT)
    code = given.vatex_code
    if code is not None and (len(code) > VATEX_LIMIT or not VATEX_PATTERN.match(code)):
        raise ValidationFailed(
            "catalog.vatex_format", field=f"{field}.vatexCode", value=given.vatex_code
        )
    if given.category in NEEDS_REASON and given.reason is None and given.vatex_code is None:
        raise ValidationFailed(
            "catalog.exemption_needs_reason", field=f"{field}.reason", category=given.category
        )
    return given
