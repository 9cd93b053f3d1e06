"""Deposits agreed on order confirmations (seed 001 "deposits" of orders): each an amount
(more than 0, 2 decimals at most) with an optional due date and text; together they are at
most the order's total. Deposit invoices ask for them (``services.documents.deposits``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from beleg.domain.amounts import check_amount
from beleg.domain.errors import ValidationFailed


def agreed_deposits(texts: Mapping[str, Any], total: Decimal) -> list[dict[str, Any]]:
    """Validate an order confirmation's ``deposits``; their sum is at most ``total``."""
    deposits = texts.get("deposits") or []
    checked = []
    for index, entry in enumerate(deposits):
        name = f"deposits[{index}].amount"
        amount = check_amount(Decimal(str(entry.get("amount"))), name, 2)
        if amount <= 0:
            raise ValidationFailed("documents.not_positive", field=name, name=name)
        checked.append({**entry, "amount": str(amount)})
    if sum((Decimal(d["amount"]) for d in checked), Decimal(0)) > total:
        raise ValidationFailed("documents.deposits_exceed_order", field="deposits", total=total)
    return checked


def agreed_total(texts: Mapping[str, Any]) -> Decimal:
    """The sum of the deposits an order confirmation (its stored ``texts``) agreed."""
    return sum((Decimal(str(d["amount"])) for d in texts.get("deposits") or []), Decimal(0))
