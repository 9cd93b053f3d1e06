"""Proportional shares of an invoice for partial payments in single-entry accounting.

Seed 003 §3.3 A.3: an EA partial payment books a pro-rata share of the invoice's components
(net and tax per line). To stay residue-free, each payment's share is the difference of two
cumulative allocations: everything paid up to and including this payment, minus everything
paid before. The shares of all payments therefore sum to exactly the invoice's components,
and each payment's share sums to exactly the payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from beleg.domain.errors import ValidationFailed
from beleg.money import Currency, allocate_amount


def payment_share(
    components: Sequence[Decimal], *, paid_before: Decimal, payment: Decimal, currency: Currency
) -> list[Decimal]:
    """The part of each non-negative component that ``payment`` settles."""
    total = sum(components, Decimal(0))
    if payment <= 0 or paid_before < 0 or paid_before + payment > total:
        raise ValidationFailed(
            "ledger.payment_exceeds_remaining",
            field="paymentAmount",
            payment=payment,
            remaining=total - paid_before,
            currency=currency.code,
        )
    if any(c < 0 for c in components):
        raise ValidationFailed("ledger.negative_components", field="lines")
    weights = list(components)
    if not any(weights):
        raise ValidationFailed("ledger.nothing_to_pay", field="paymentAmount")
    after = allocate_amount(paid_before + payment, currency, weights)
    before = allocate_amount(paid_before, currency, weights)
    return [a - b for a, b in zip(after, before, strict=True)]
