"""Lines of sales documents as a client sends them: item defaulting, account and tax class
entry resolution, then the pure amount rules of ``domain.documents.lines`` (seed 003 §3.4).

Item defaulting: with ``item`` set and ``itemDefaulting`` not false, the line takes name,
description, ``itemPrice`` + ``itemPriceType``, ``itemNumber``, ``unitOfMeasure``, ``account``
and ``taxClassEntry`` from the item; explicit values win. With ``itemDefaulting=false`` only the
reference is stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from beleg.db import Session
from beleg.db.documents import references
from beleg.domain.accounting.lines import Direction
from beleg.domain.amounts import check_amount
from beleg.domain.documents.lines import ItemDefaults, LineSpec
from beleg.domain.documents.model import DiscountMode, LineType, parse_enum
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.tax import parse_amount_type, resolve_tax_entry


@dataclass(frozen=True, slots=True)
class DocLineInput:
    """Seed 003 BusinessDocumentLineDto as sent (``deposit_invoice`` is our extension: the
    deposit invoice an ON_ACCT line settles)."""

    amount: Decimal | None
    net_price: Decimal | None = None
    tax_price: Decimal | None = None
    total_price: Decimal | None = None
    name: str | None = None
    description: str | None = None
    line_type: str | None = None
    item_price: Decimal | None = None
    item_price_type: str | None = None
    unit_of_measure: str | None = None
    discount: Decimal | None = None
    discount_mode: str | None = None
    item_number: str | None = None
    item: str | None = None
    item_defaulting: bool | None = None
    account: str | None = None
    tax_class_entry: str | None = None
    deposit_invoice: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedLine:
    spec: LineSpec
    item_id: uuid.UUID | None
    account: str
    tax_entry: str
    texts: dict[str, Any]


def resolve_lines(
    session: Session, *, books: TenantBooks, lines: list[DocLineInput]
) -> list[ResolvedLine]:
    """The lines as sent, with item defaults, account and tax class entry resolved (a step
    in the caller's transaction: it reads the items)."""
    if not lines:
        raise ValidationFailed("documents.no_lines", field="lines")
    return [_resolve(session, books, index, line) for index, line in enumerate(lines)]


def _resolve(session: Session, books: TenantBooks, index: int, item: DocLineInput) -> ResolvedLine:
    prefix = f"lines[{index}]"
    values = _with_item_defaults(session, books, prefix, item)
    line_type = parse_enum(LineType, item.line_type, f"{prefix}.type", LineType.LINE)
    mode = parse_enum(
        DiscountMode, item.discount_mode, f"{prefix}.discountMode", DiscountMode.CONSTANT
    )
    if item.amount is None:
        raise ValidationFailed(
            "documents.required", field=f"{prefix}.amount", name=f"{prefix}.amount"
        )
    quantity = check_amount(item.amount, f"{prefix}.amount")
    if quantity <= 0:
        raise ValidationFailed(
            "documents.not_positive", field=f"{prefix}.amount", name=f"{prefix}.amount"
        )
    account_code, entry, rate = _account_and_entry(
        books, prefix, values.account, values.tax_class_entry
    )
    spec = LineSpec(
        index=index,
        line_type=line_type,
        quantity=quantity,
        item_price=_given(values.item_price, f"{prefix}.itemPrice"),
        item_price_type=None
        if values.item_price_type is None
        else parse_amount_type(values.item_price_type, f"{prefix}.itemPriceType"),
        discount=check_amount(item.discount or Decimal(0), f"{prefix}.discount"),
        discount_mode=mode,
        tax_rate=rate,
        given=(
            _given(item.net_price, f"{prefix}.netPrice"),
            _given(item.tax_price, f"{prefix}.taxPrice"),
            _given(item.total_price, f"{prefix}.totalPrice"),
        ),
    )
    return ResolvedLine(spec, values.item_id, account_code, entry, _texts(values, item))


@dataclass(frozen=True, slots=True)
class _LineValues:
    """A line's descriptive fields as sent, completed from its item where defaulting applies."""

    name: str | None
    description: str | None
    item_price: Decimal | None
    item_price_type: str | None
    item_number: str | None
    unit_of_measure: str | None
    account: str | None
    tax_class_entry: str | None
    item_id: uuid.UUID | None = None


def _given(value: Decimal | None, name: str) -> Decimal | None:
    return None if value is None else check_amount(value, name)


def _texts(values: _LineValues, item: DocLineInput) -> dict[str, Any]:
    """The line's stored texts: those given or defaulted, and the deposit invoice it settles."""
    texts = {
        key: value
        for key, value in (
            ("name", values.name),
            ("description", values.description),
            ("itemNumber", values.item_number),
            ("unitOfMeasure", values.unit_of_measure),
        )
        if value not in (None, "")
    }
    if item.deposit_invoice:
        texts["depositInvoice"] = item.deposit_invoice
    return texts


def _with_item_defaults(
    session: Session, books: TenantBooks, prefix: str, item: DocLineInput
) -> _LineValues:
    values = _LineValues(
        item.name,
        item.description,
        item.item_price,
        item.item_price_type,
        item.item_number,
        item.unit_of_measure,
        item.account,
        item.tax_class_entry,
    )
    if not item.item:
        return values
    try:
        item_id = uuid.UUID(item.item)
    except ValueError:
        raise ValidationFailed(
            "documents.item_id_invalid", field=f"{prefix}.item", name=f"{prefix}.item"
        ) from None
    defaults = references.item_defaults(session, books.tenant_id, item_id)
    if defaults is None:
        raise ValidationFailed(
            "documents.item_unknown", field=f"{prefix}.item", name=f"{prefix}.item", item=item.item
        )
    values = replace(values, item_id=item_id)
    return values if item.item_defaulting is False else _defaulted(values, defaults)


def _defaulted(values: _LineValues, defaults: ItemDefaults) -> _LineValues:
    """``values`` with what is missing taken from the item (its price with its price type)."""
    price_from_item = values.item_price is None
    return replace(
        values,
        name=_or(values.name, defaults.name),
        description=_or(values.description, defaults.description),
        item_number=_or(values.item_number, defaults.number),
        unit_of_measure=_or(values.unit_of_measure, defaults.unit_of_measure),
        account=_or(values.account, defaults.account),
        tax_class_entry=_or(values.tax_class_entry, defaults.tax_class_entry),
        item_price=defaults.selling_price if price_from_item else values.item_price,
        item_price_type=defaults.amount_type if price_from_item else values.item_price_type,
    )


def _or(given: str | None, default: str | None) -> str | None:
    return default if given in (None, "") else given


def _account_and_entry(
    books: TenantBooks, prefix: str, code: str | None, requested: str | None
) -> tuple[str, str, Decimal]:
    """A revenue account of the tenant and a tax class entry it allows (seed 003 §3.1)."""
    if not code:
        raise ValidationFailed(
            "documents.required", field=f"{prefix}.account", name=f"{prefix}.account"
        )
    account = books.accounts.get(code)
    if account is None:
        raise ValidationFailed(
            "documents.account_unknown",
            field=f"{prefix}.account",
            name=f"{prefix}.account",
            code=code,
        )
    if account.account_type not in Direction.OUTGOING.line_account_types:
        raise ValidationFailed(
            "documents.not_a_revenue_account",
            field=f"{prefix}.account",
            name=f"{prefix}.account",
            code=code,
        )
    entry = resolve_tax_entry(account, requested, f"{prefix}.taxClassEntry")
    return code, entry, books.chart.tax_entry(entry).rate
