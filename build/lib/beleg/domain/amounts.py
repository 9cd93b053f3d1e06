"""The shape of an amount a client sends (seed 003 §2 "Numbers": BigDecimal, at most 10
integer digits; line quantities and prices at most 5 fractional digits, document totals 2).
Shared by every context that takes amounts as input."""

from __future__ import annotations

from decimal import Decimal

from beleg.domain.errors import ValidationFailed
from beleg.money import has_at_most_places

INPUT_PLACES = 5  # seed 003 §2: line amounts allow 10 integer and 5 fractional digits
MAX_INTEGER_DIGITS = 10


def check_amount(value: Decimal, field: str, places: int = INPUT_PLACES) -> Decimal:
    """A finite decimal with at most 10 integer and ``places`` fractional digits."""
    if not value.is_finite():
        raise ValidationFailed("amounts.not_finite", field=field, name=field)
    if not has_at_most_places(value, places):
        raise ValidationFailed(
            "amounts.too_many_decimals", field=field, name=field, value=value, places=places
        )
    if abs(value) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise ValidationFailed(
            "amounts.too_many_digits",
            field=field,
            name=field,
            value=value,
            digits=MAX_INTEGER_DIGITS,
        )
    return value
