"""Payments, write-offs and corrections of sales invoices and credit memos (seed 003 §3.4,
§7 items 18-19; seed 000/001 "remaining correctable amount per document item").

- A payment is more than 0 and at most the remaining amount; only ``restType`` ONACCOUNT
  accepts more (the excess stays on the customer's account as a credit).
- ``restType`` writes off what remains after the payment, as a second history entry.
- Remaining amounts per line: the document's remaining amount allocated to its counted lines
  in proportion to their totals (largest remainder, exact to the cent); lines that subtract
  (prepayments, discounts) and optional lines keep 0 once anything was paid.
- A correction credits a fixed gross amount against one line: more than 0 and at most the
  line's total after allowances less earlier corrections; it is split into net and tax at the
  line's rate (gross rounding, ``domain.ledger.tax``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beleg.domain.documents.lines import Amounts
from beleg.domain.documents.model import REST_TYPES, HistoryType
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.tax import AmountType, line_amounts
from beleg.money import Currency, Money, allocate


def check_payment(
    amount: Decimal, remaining: Decimal, *, on_account: bool, currency: Currency
) -> None:
    if amount <= 0 or (amount > remaining and not on_account):
        raise ValidationFailed(
            "documents.payment_amount_out_of_range",
            field="amount",
            amount=amount,
            remaining=remaining,
            currency=currency.code,
        )


def parse_rest_type(value: str | None) -> HistoryType | None:
    """Seed 003 InvoicePaymentDto.restType: what to write off after a payment (None: none)."""
    if not value:
        return None
    try:
        rest: HistoryType | None = HistoryType(value)
    except ValueError:
        rest = None
    if rest is None or rest not in REST_TYPES:
        allowed = ", ".join(r.value for r in REST_TYPES)
        raise ValidationFailed("documents.rest_type_invalid", field="restType", allowed=allowed)
    return rest


def line_remainders(
    totals: list[Decimal],
    counted: list[bool],
    remaining: Decimal,
    document_total: Decimal,
    currency: Currency,
) -> list[Decimal]:
    """Remaining amount of every line (see the module docstring)."""
    if remaining == document_total:
        return [t if c else Decimal(0) for t, c in zip(totals, counted, strict=True)]
    weights = [t if c and t > 0 else Decimal(0) for t, c in zip(totals, counted, strict=True)]
    if remaining <= 0 or not any(weights):
        return [Decimal(0)] * len(totals)
    shares = allocate(Money.of(remaining, currency), weights)
    return [share.amount for share in shares]


@dataclass(frozen=True, slots=True)
class Correctable:
    """Seed 000: ``totalCorrectableAmount`` is the line amount after allowances,
    ``remainingCorrectableAmount`` what earlier corrections left of it."""

    total: Decimal
    remaining: Decimal


def correctable(line_total: Decimal, corrected: Decimal) -> Correctable:
    return Correctable(line_total, line_total - corrected)


def correction_amounts(
    amount: Decimal, available: Correctable, tax_rate: Decimal, currency: Currency
) -> Amounts:
    """Net, tax and total of crediting ``amount`` (gross) against a line; refuses more than
    the line's remaining correctable amount."""
    if amount <= 0 or amount > available.remaining:
        raise ValidationFailed(
            "documents.correction_amount_out_of_range",
            field="amount",
            amount=amount,
            remaining=available.remaining,
        )
    split = line_amounts(amount, AmountType.TOTAL, tax_rate, currency)
    if split.total != amount:
        raise ValidationFailed(
            "documents.correction_amount_too_many_decimals",
            field="amount",
            amount=amount,
            currency=currency.code,
        )
    return Amounts(split.net, split.tax, split.total)
