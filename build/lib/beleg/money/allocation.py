"""Split an amount by weights without losing or inventing a minor unit.

Largest-remainder method: every share is first rounded down to the currency's minor unit; the
units left over go, one each, to the shares with the largest remainders (ties: earlier share
first). The shares always sum exactly to the amount, and each differs from its exact proportional
value by less than one minor unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from beleg.money.currency import Currency
from beleg.money.money import Money


def allocate(amount: Money, weights: Sequence[Decimal | int]) -> list[Money]:
    """Split ``amount`` into ``len(weights)`` shares proportional to ``weights``.

    Weights must be non-negative with a positive sum. Negative amounts are split like their
    absolute value and the shares negated, so ``allocate(-x) == [-s for s in allocate(x)]``.
    """
    if not weights:
        raise ValueError("weights must not be empty")
    decimal_weights = [Decimal(w) for w in weights]
    if any(not w.is_finite() or w < 0 for w in decimal_weights):
        raise ValueError("weights must be finite and not negative")
    total_weight = sum(decimal_weights, Decimal(0))
    if total_weight == 0:
        raise ValueError("weights must not all be zero")
    if amount.amount < 0:
        return [-share for share in allocate(-amount, decimal_weights)]
    units = _to_units(amount.amount, amount.currency)
    shares = _split_units(units, decimal_weights)
    return [Money(_from_units(share, amount.currency), amount.currency) for share in shares]


def allocate_amount(
    amount: Decimal, currency: Currency, weights: Sequence[Decimal | int]
) -> list[Decimal]:
    """``allocate`` for a plain amount in ``currency``: the shares as decimals."""
    return [share.amount for share in allocate(Money(amount, currency), weights)]


def round_to_total(parts: Sequence[Decimal], total: Decimal, currency: Currency) -> list[Decimal]:
    """Round exact ``parts`` to the minor units of ``currency`` so that they sum to ``total``
    (itself in minor units: e.g. the parts' sum rounded once, as a VAT group's tax is).

    Every part is rounded down; the units left over go, one each, to the parts with the
    largest remainders (ties: the earlier part). Each rounded part differs from its exact
    value by less than one minor unit. ``total`` must lie between the sum of the rounded-down
    parts and that sum plus one unit per part (true for the half-up rounded sum of the parts).
    """
    quantum = currency.quantum
    floors = [(part / quantum).to_integral_value(ROUND_FLOOR) for part in parts]
    leftover = int(_to_units(total, currency) - sum(floors, Decimal(0)))
    if not 0 <= leftover <= len(parts):
        raise ValueError(f"{total} cannot be split over parts summing to {sum(parts)}")
    remainders = [part / quantum - floor for part, floor in zip(parts, floors, strict=True)]
    by_remainder = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
    units = [int(floor) for floor in floors]
    for index in by_remainder[:leftover]:
        units[index] += 1
    return [_from_units(unit, currency) for unit in units]


def _to_units(amount: Decimal, currency: Currency) -> int:
    units = amount.scaleb(currency.minor_units)
    if units != units.to_integral_value():
        raise ValueError(f"{amount} has more decimals than {currency.code} allows")
    return int(units)


def _from_units(units: int, currency: Currency) -> Decimal:
    return Decimal(units).scaleb(-currency.minor_units).quantize(currency.quantum)


def _integral_weights(weights: list[Decimal]) -> list[int]:
    """Scale decimal weights by a common power of ten so that all are integers (exact)."""
    places = max(max(0, -int(w.normalize().as_tuple().exponent)) for w in weights)
    return [int(w.scaleb(places)) for w in weights]


def _split_units(units: int, weights: list[Decimal]) -> list[int]:
    integral = _integral_weights(weights)
    total = sum(integral)
    floors = [units * w // total for w in integral]
    remainders = [units * w % total for w in integral]
    leftover = units - sum(floors)
    by_remainder = sorted(range(len(integral)), key=lambda i: (-remainders[i], i))
    for index in by_remainder[:leftover]:
        floors[index] += 1
    return floors
