"""Lines of INCOME receipts (seed 003 ReceiptLineDto): resolved like sales-document lines
(item defaulting, account and tax class entry, ``itemPrice`` N/T, discounts; ``amount``
defaults to 1), then checked: ``totalPrice`` is required on every line, even with an item, and
must equal the computed total; ``totalAmount`` must equal the sum of the lines. The server
computes ``netPrice`` and ``taxPrice`` and numbers the lines 1..n.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from beleg.db import Session
from beleg.domain.documents.lines import regular_line
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.pos.receipts import Buckets, ReceiptLine, buckets_of
from beleg.services.documents.lines import DocLineInput, ResolvedLine, resolve_lines


def income_lines(
    session: Session, *, books: TenantBooks, given: list[DocLineInput], total: Decimal
) -> tuple[tuple[ReceiptLine, ...], Buckets]:
    """The lines and the RKSV turnover buckets of an INCOME receipt, in the caller's
    transaction (items are read to default the lines)."""
    if not given:
        raise ValidationFailed("pos.income_needs_lines", field="lines")
    for index, line in enumerate(given):
        if line.total_price is None:
            raise ValidationFailed(
                "pos.line_total_required", field=f"lines[{index}].totalPrice", index=index
            )
    with_amount = [
        replace(line, amount=line.amount if line.amount is not None else Decimal(1))
        for line in given
    ]
    lines = tuple(
        _line(books, resolved)
        for resolved in resolve_lines(session, books=books, lines=with_amount)
    )
    summed = sum((line.total_price for line in lines), Decimal(0))
    if summed != total:
        raise ValidationFailed(
            "pos.total_mismatch", field="totalAmount", total=total, summed=summed
        )
    return lines, buckets_of(lines)


def _line(books: TenantBooks, resolved: ResolvedLine) -> ReceiptLine:
    spec = resolved.spec
    amounts = regular_line(spec, books.main)
    given = spec.given[2]
    if given != amounts.total:
        raise ValidationFailed(
            "pos.line_total_mismatch",
            field=f"{spec.prefix}.totalPrice",
            prefix=spec.prefix,
            given=given,
            computed=amounts.total,
        )
    texts = resolved.texts
    return ReceiptLine(
        line_no=spec.index + 1,
        item_number=texts.get("itemNumber"),
        item=resolved.item_id,
        item_name=texts.get("name"),
        item_description=texts.get("description"),
        item_price=spec.item_price,
        item_price_type=spec.item_price_type,
        unit_of_measure=texts.get("unitOfMeasure"),
        net_price=amounts.net,
        tax_price=amounts.tax,
        total_price=amounts.total,
        discount=spec.discount,
        discount_mode=spec.discount_mode,
        amount=spec.quantity,
        account=resolved.account,
        tax_class_entry=resolved.tax_entry,
        tax_rate=spec.tax_rate,
    )
