"""Items and item categories (seed 003 §3.5, models 5.50 ItemCategoryDto, 5.51 ItemDto).

Pure rules, no I/O: which fields an item and a category take, their limits and defaults, the
price build-up (``calculatedNetPrice``), the HTML description turned into readable text
(``descriptionFormatted``) and the colour code. References to other objects (account, tax
class entry, category, supplier) are checked by ``services/catalog/items.py`` against the
tenant's data. ``Item`` and ``ItemCategory`` are the records the repository (``db/catalog.py``)
stores and returns.

Rules of the seed, as implemented here:

* ``name``, ``sellingPrice`` and ``amountType`` (N or T; G is accepted as T) are required.
* ``marginMode`` and ``additionalChargeMode`` default to CONSTANT (enum RATE, CONSTANT,
  CONSTANT_TOTAL; §2.4.2 example).
* ``color`` is a 6-digit HTML hex colour; omitted, the service assigns a random one
  (§2.4.2 example ``2bc25d``). Stored and shown in lower case.
* ``descriptionFormatted`` is the description "html-sanitized to readable text" (§2.4.1:
  ``<p><b>Beschreibung</b> des <i>Produktes</i></p>`` ->
  ``Beschreibung des Produktes\\r\\n\\r\\n``).
* Amounts are decimals with at most 10 integer and 5 fractional digits, like document line
  prices (seed 003 §2 "Numbers"); purchase price and weight must not be negative.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from beleg.domain.amounts import check_amount
from beleg.domain.catalog.descriptions import html_to_text
from beleg.domain.errors import ValidationFailed
from beleg.domain.foundation.units import UNITS
from beleg.domain.ledger.tax import AmountType, parse_amount_type
from beleg.money import Currency, is_currency, round_to_currency

HUNDRED = Decimal(100)
UNIT_CODES = frozenset(u.id for u in UNITS)
COLOR = re.compile(r"[0-9a-fA-F]{6}")

# Text fields and their longest accepted value (characters).
ITEM_TEXTS: dict[str, int] = {
    "name": 200,
    "unitOfMeasure": 20,
    "number": 50,
    "description": 10_000,
    "size": 100,
    "currency": 3,
    "supplier": 36,
    "itemCategory": 36,
    "barCode": 100,
    "supplierOrderNumber": 100,
    "addInfo1": 500,
    "addInfo2": 500,
    "addInfo3": 500,
    "account": 10,
    "taxClassEntry": 3,
    "color": 6,
}
CATEGORY_TEXTS: dict[str, int] = {
    "name": 200,
    "code": 50,
    "description": 2_000,
    "unitOfMeasure": 20,
    "account": 10,
    "taxClassEntry": 3,
    "color": 6,
}
# Fields that name another object: an empty string means "not set".
REFERENCES = frozenset(
    {"unitOfMeasure", "currency", "supplier", "itemCategory", "account", "taxClassEntry", "color"}
)
ITEM_AMOUNTS = ("sellingPrice", "weight", "purchasePrice", "margin", "additionalCharge")
NON_NEGATIVE = frozenset({"weight", "purchasePrice"})


class PriceMode(StrEnum):
    """How ``margin`` and ``additionalCharge`` are meant (ItemDto marginMode)."""

    RATE = "RATE"  # percent of the purchase price
    CONSTANT = "CONSTANT"  # a net amount
    CONSTANT_TOTAL = "CONSTANT_TOTAL"  # an amount including tax (gross)


class ItemCategoryInUse(ValidationFailed):
    """A category that still has items cannot be deleted (seed 003 §4.15.4: 400)."""

    error = "ItemCategoryInUseException"


@dataclass(frozen=True, slots=True)
class ItemCategory:
    """An item category (ItemCategoryDto 5.50): a group of items and the defaults (unit,
    revenue account, tax class entry) its items can take (``itemCategoryDefaulting``)."""

    id: uuid.UUID
    name: str
    color: str
    code: str | None = None
    description: str | None = None
    unit_of_measure: str | None = None
    account: str | None = None
    tax_class_entry: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """An item (ItemDto 5.51) as stored: its fields, the revenue account and tax class entry
    its document lines default to, and what is derived from them (``description_formatted``,
    ``calculated_net_price``). Amounts are exact decimals in ``currency``."""

    id: uuid.UUID
    name: str
    selling_price: Decimal
    amount_type: AmountType
    currency: Currency
    account: str
    tax_class_entry: str
    color: str
    margin_mode: PriceMode = PriceMode.CONSTANT
    additional_charge_mode: PriceMode = PriceMode.CONSTANT
    unit_of_measure: str | None = None
    number: str | None = None
    description: str | None = None
    description_formatted: str | None = None
    weight: Decimal | None = None
    size: str | None = None
    purchase_price: Decimal | None = None
    margin: Decimal | None = None
    additional_charge: Decimal | None = None
    supplier_id: uuid.UUID | None = None
    calculated_net_price: Decimal | None = None
    item_category_id: uuid.UUID | None = None
    bar_code: str | None = None
    supplier_order_number: str | None = None
    add_info1: str | None = None
    add_info2: str | None = None
    add_info3: str | None = None


def build_category(
    fields: Mapping[str, Any], *, category_id: uuid.UUID, color: str
) -> ItemCategory:
    """The category of checked ``fields`` (``normalise_category``); ``color`` is used when
    the fields have none."""
    return ItemCategory(
        id=category_id,
        name=fields["name"],
        color=fields.get("color") or color,
        code=fields.get("code"),
        description=fields.get("description"),
        unit_of_measure=fields.get("unitOfMeasure"),
        account=fields.get("account"),
        tax_class_entry=fields.get("taxClassEntry"),
    )


def build_item(
    fields: Mapping[str, Any],
    *,
    item_id: uuid.UUID,
    tax_rate: Decimal,
    color: str,
    category_id: uuid.UUID | None = None,
    supplier_id: uuid.UUID | None = None,
) -> Item:
    """The item of checked ``fields`` (account, tax class entry and currency resolved), with
    its readable description, its price build-up at ``tax_rate`` and ``color`` if it has none."""
    description = fields.get("description")
    return Item(
        id=item_id,
        name=fields["name"],
        selling_price=fields["sellingPrice"],
        amount_type=AmountType(fields["amountType"]),
        currency=Currency.of(fields["currency"]),
        account=fields["account"],
        tax_class_entry=fields["taxClassEntry"],
        color=fields.get("color") or color,
        margin_mode=PriceMode(fields["marginMode"]),
        additional_charge_mode=PriceMode(fields["additionalChargeMode"]),
        unit_of_measure=fields.get("unitOfMeasure"),
        number=fields.get("number"),
        description=description,
        description_formatted=None if description is None else html_to_text(description),
        weight=fields.get("weight"),
        size=fields.get("size"),
        purchase_price=fields.get("purchasePrice"),
        margin=fields.get("margin"),
        additional_charge=fields.get("additionalCharge"),
        supplier_id=supplier_id,
        calculated_net_price=_price_build_up(fields, tax_rate),
        item_category_id=category_id,
        bar_code=fields.get("barCode"),
        supplier_order_number=fields.get("supplierOrderNumber"),
        add_info1=fields.get("addInfo1"),
        add_info2=fields.get("addInfo2"),
        add_info3=fields.get("addInfo3"),
    )


def _price_build_up(fields: Mapping[str, Any], tax_rate: Decimal) -> Decimal | None:
    return calculated_net_price(
        purchase=fields.get("purchasePrice"),
        margin=fields.get("margin"),
        margin_mode=PriceMode(fields["marginMode"]),
        charge=fields.get("additionalCharge"),
        charge_mode=PriceMode(fields["additionalChargeMode"]),
        tax_rate=tax_rate,
        currency=Currency.of(fields["currency"]),
    )


def required(field: str) -> ValidationFailed:
    return ValidationFailed("catalog.field_required", field=field, name=field)


def normalise_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """The checked fields of an ItemDto, keyed by their seed names; omitted fields are absent.

    Output-only fields (``id``, ``descriptionFormatted``, ``calculatedNetPrice``) and the
    write-time switch ``itemCategoryDefaulting`` are not part of the result.
    """
    fields = _texts(values, ITEM_TEXTS)
    if not fields.get("name", "").strip():
        raise required("name")
    for name in ITEM_AMOUNTS:
        amount = _amount(values.get(name), name)
        if amount is not None:
            fields[name] = amount
    if "sellingPrice" not in fields:
        raise required("sellingPrice")
    if values.get("amountType") in (None, ""):
        raise required("amountType")
    fields["amountType"] = parse_amount_type(str(values["amountType"])).value
    for name in ("marginMode", "additionalChargeMode"):
        fields[name] = parse_mode(values.get(name), name).value
    check_unit(fields.get("unitOfMeasure"))
    if "currency" in fields:
        fields["currency"] = check_currency(fields["currency"])
    if "color" in fields:
        fields["color"] = check_color(fields["color"])
    return fields


def normalise_category(values: Mapping[str, Any]) -> dict[str, Any]:
    """The checked fields of an ItemCategoryDto (``id`` and ``itemCount`` are output only)."""
    fields = _texts(values, CATEGORY_TEXTS)
    if not fields.get("name", "").strip():
        raise required("name")
    check_unit(fields.get("unitOfMeasure"))
    if "color" in fields:
        fields["color"] = check_color(fields["color"])
    return fields


def _texts(values: Mapping[str, Any], limits: dict[str, int]) -> dict[str, Any]:
    """Text fields as given (an empty text is kept, seed 003 §2); an empty reference is unset."""
    fields: dict[str, Any] = {}
    for name, limit in limits.items():
        value = values.get(name)
        if value is None or (name in REFERENCES and value == ""):
            continue
        text = str(value)
        if "\x00" in text:  # PostgreSQL cannot store it; no readable text contains it
            raise ValidationFailed("catalog.text_contains_nul", field=name, name=name)
        if len(text) > limit:
            raise ValidationFailed("catalog.text_too_long", field=name, name=name, limit=limit)
        fields[name] = text
    return fields


def _amount(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ValidationFailed("catalog.not_a_number", field=field, name=field) from None
    check_amount(amount, field)
    if field in NON_NEGATIVE and amount < 0:
        raise ValidationFailed("catalog.negative", field=field, name=field)
    return amount


def parse_mode(value: Any, field: str) -> PriceMode:
    """RATE, CONSTANT or CONSTANT_TOTAL; omitted (or empty) means CONSTANT (seed §2.4.2)."""
    if value in (None, ""):
        return PriceMode.CONSTANT
    try:
        return PriceMode(str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in PriceMode)
        raise ValidationFailed(
            "catalog.price_mode_unknown", field=field, name=field, allowed=allowed, value=value
        ) from None


def check_unit(code: str | None, field: str = "unitOfMeasure") -> None:
    """A unit of measure must be one of /units_of_measure."""
    if code is not None and code not in UNIT_CODES:
        raise ValidationFailed("catalog.unit_unknown", field=field, code=code)


def check_currency(code: str, field: str = "currency") -> str:
    """An active ISO 4217 code (seed: ``currency`` ->/currencies)."""
    if not is_currency(code):
        raise ValidationFailed("catalog.currency_unknown", field=field, code=code)
    return code


def check_color(value: str, field: str = "color") -> str:
    """Six hex digits (an HTML colour without ``#``), returned in lower case."""
    if not COLOR.fullmatch(value):
        raise ValidationFailed("catalog.color_format", field=field, name=field, value=value)
    return value.lower()


def part_net(value: Decimal, mode: PriceMode, purchase: Decimal, tax_rate: Decimal) -> Decimal:
    """One part of the build-up as a net amount, unrounded: RATE is ``value`` percent of the
    purchase price, CONSTANT the amount itself, CONSTANT_TOTAL a gross amount whose tax at
    ``tax_rate`` (percent, the item's tax class entry) is taken out."""
    if mode is PriceMode.RATE:
        return purchase * value / HUNDRED
    if mode is PriceMode.CONSTANT_TOTAL:
        return value / (1 + tax_rate / HUNDRED)
    return value


def calculated_net_price(
    *,
    purchase: Decimal | None,
    margin: Decimal | None,
    margin_mode: PriceMode,
    charge: Decimal | None,
    charge_mode: PriceMode,
    tax_rate: Decimal,
    currency: Currency,
) -> Decimal | None:
    """Seed 003 §3.5 price build-up: ``purchasePrice + margin + additionalCharge ->
    calculatedNetPrice``. Missing parts count as 0; each part is turned into a net amount by
    ``part_net`` (both RATE parts are percentages of the purchase price) and the sum is rounded
    once, half-up, to the item currency. No part given: no calculated price (None)."""
    if purchase is None and margin is None and charge is None:
        return None
    base = purchase or Decimal(0)
    total = (
        base
        + part_net(margin or Decimal(0), margin_mode, base, tax_rate)
        + part_net(charge or Decimal(0), charge_mode, base, tax_rate)
    )
    return round_to_currency(total, currency)
