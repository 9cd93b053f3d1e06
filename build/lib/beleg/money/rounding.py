"""The only place where amounts are rounded.

Commercial rounding (kaufmännisches Runden, ROUND_HALF_UP) to the currency's minor units is the
rule of seed 003 (per-line half-up) and of EN 16931 (BR-DEC-*: at most 2 decimals for EUR).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from beleg.money.currency import Currency


def round_to_currency(amount: Decimal, currency: Currency) -> Decimal:
    """Round ``amount`` half-up to the minor units of ``currency`` (2.345 EUR -> 2.35)."""
    return amount.quantize(currency.quantum, rounding=ROUND_HALF_UP)


def round_to_places(amount: Decimal, places: int) -> Decimal:
    """Round ``amount`` half-up to ``places`` decimal places (e.g. 5 for unit prices)."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def has_at_most_places(amount: Decimal, places: int) -> bool:
    """Whether ``amount`` needs no more than ``places`` decimal places (trailing zeros ignored)."""
    if not amount.is_finite():
        return False
    exponent = amount.normalize().as_tuple().exponent
    return isinstance(exponent, int) and -exponent <= places


def with_scale(amount: Decimal, places: int) -> Decimal:
    """``amount`` written with exactly ``places`` decimals (12 -> 12.00), for rendering at a
    fixed scale. This never rounds: an amount with more significant decimals is a ValueError."""
    if not has_at_most_places(amount, places):
        raise ValueError(f"{amount} has more than {places} decimals")
    return amount.quantize(Decimal(1).scaleb(-places))


def in_minor_units(amount: Decimal, currency: Currency) -> Decimal:
    """``amount`` at the scale of ``currency`` (12 EUR -> 12.00); never rounds."""
    return with_scale(amount, currency.minor_units)


def without_trailing_zeros(amount: Decimal) -> Decimal:
    """``amount`` written without trailing zeros or exponent (12.00000 -> 12, 1.50 -> 1.5,
    1E+1 -> 10): how the accounting API echoes an input. The value never changes."""
    normal = amount.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal
