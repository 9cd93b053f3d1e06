"""Lines of INCOME receipts (seed 003 ReceiptLineDto): resolved like sales-document lines
(item defaulting, account and tax class entry, ``itemPrice`` N/T, discounts; ``amount``
defaults to 1), then checked: ``totalPrice`` is required on every line, even with an item, and
must equal the computed total; ``totalAmount`` must equal the sum of the lines. The server
computes ``netPrice`` and ``taxPrice`` and numbers the lines 1..n.

Stored lines are JSON with amounts as decimal strings (exact), plus the tax rate the RKSV
turnover buckets and the booking need.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from beleg.domain.accounting.components import Side
from beleg.domain.documents.booking import BookableLine, document_side
from beleg.domain.documents.lines import regular_line
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.pos.registers import turnover_buckets
from beleg.services.documents.lines import DocLineInput, ResolvedLine, resolve_lines

AMOUNTS = ("itemPrice", "netPrice", "taxPrice", "totalPrice", "discount", "amount", "taxRate")


def income_lines(
    session: Session, books: TenantBooks, given: list[DocLineInput], total: Decimal
) -> tuple[list[dict[str, Any]], tuple[Decimal, ...]]:
    """The stored lines and the RKSV turnover buckets of an INCOME receipt."""
    if not given:
        raise ValidationFailed(
            "an INCOME receipt needs lines", field="lines", de="Ein INCOME-Beleg braucht Zeilen"
        )
    for index, line in enumerate(given):
        if line.total_price is None:
            raise ValidationFailed(
                f"lines[{index}].totalPrice is required, even with an item",
                de=f"lines[{index}].totalPrice ist erforderlich",
                field=f"lines[{index}].totalPrice",
            )
    with_amount = [
        replace(line, amount=line.amount if line.amount is not None else Decimal(1))
        for line in given
    ]
    lines = [
        _line(books, resolved)
        for resolved in resolve_lines(session, books=books, lines=with_amount)
    ]
    summed = sum((Decimal(line["totalPrice"]) for line in lines), Decimal(0))
    if summed != total:
        raise ValidationFailed(
            f"totalAmount is {total} but the lines sum to {summed}",
            de=f"totalAmount ist {total}, die Zeilen ergeben {summed}",
            field="totalAmount",
        )
    return lines, buckets_of(lines)


def _line(books: TenantBooks, resolved: ResolvedLine) -> dict[str, Any]:
    spec = resolved.spec
    amounts = regular_line(spec, books.main)
    given = spec.given[2]
    if given != amounts.total:
        raise ValidationFailed(
            f"{spec.prefix}.totalPrice is {given} but computes to {amounts.total}",
            field=f"{spec.prefix}.totalPrice",
            de=f"{spec.prefix}.totalPrice ist {given}, berechnet wird {amounts.total}",
        )
    texts = resolved.texts
    line = {
        "id": spec.index + 1,
        "itemNumber": texts.get("itemNumber"),
        "item": str(resolved.item_id) if resolved.item_id else None,
        "itemName": texts.get("name"),
        "itemDescription": texts.get("description"),
        "itemPrice": spec.item_price,
        "itemPriceType": spec.item_price_type.value if spec.item_price_type else None,
        "unitOfMeasure": texts.get("unitOfMeasure"),
        "netPrice": amounts.net,
        "taxPrice": amounts.tax,
        "totalPrice": amounts.total,
        "discount": spec.discount,
        "discountMode": spec.discount_mode.value,
        "amount": spec.quantity,
        "account": resolved.account,
        "taxClassEntry": resolved.tax_entry,
        "taxRate": spec.tax_rate,
    }
    return stored(line)


def stored(line: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe: amounts as decimal strings, empty values dropped."""
    return {k: str(v) if k in AMOUNTS else v for k, v in line.items() if v is not None}


def decimals(line: dict[str, Any]) -> dict[str, Any]:
    """A stored line with its amounts as Decimals again."""
    return {k: Decimal(v) if k in AMOUNTS else v for k, v in line.items()}


def buckets_of(lines: Iterable[dict[str, Any]]) -> tuple[Decimal, ...]:
    return turnover_buckets(
        (int(line["id"]) - 1, Decimal(line.get("taxRate", "0")), Decimal(line["totalPrice"]))
        for line in lines
    )


def income_side(books: TenantBooks, lines: Sequence[dict[str, Any]]) -> Side:
    """The income side a cash sale books (grouped by account and tax class entry)."""
    return document_side(
        [
            BookableLine(
                int(line["id"]) - 1,
                line["account"],
                line["taxClassEntry"],
                Decimal(line["taxRate"]),
                Decimal(line["netPrice"]),
                Decimal(line["taxPrice"]),
            )
            for line in lines
        ],
        books.chart,
        books.main,
    )


def negated_lines(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A cancellation's lines: quantities and amounts negated, prices kept."""
    negated = []
    for line in lines:
        copy = dict(line)
        for key in ("netPrice", "taxPrice", "totalPrice", "amount"):
            if key in copy:
                copy[key] = str(-Decimal(copy[key]))
        negated.append(copy)
    return negated
