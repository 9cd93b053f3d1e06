"""Money, currencies, rounding and allocation. Standard library only; the only code that rounds."""

from beleg.money.allocation import allocate, allocate_amount, round_to_total
from beleg.money.currency import Currency, UnknownCurrencyError, all_currency_codes, is_currency
from beleg.money.money import CurrencyMismatchError, Money
from beleg.money.proration import prorated_slice
from beleg.money.rounding import (
    has_at_most_places,
    in_minor_units,
    round_to_currency,
    round_to_places,
    with_scale,
    without_trailing_zeros,
)

__all__ = [
    "Currency",
    "CurrencyMismatchError",
    "Money",
    "UnknownCurrencyError",
    "all_currency_codes",
    "allocate",
    "allocate_amount",
    "has_at_most_places",
    "in_minor_units",
    "is_currency",
    "prorated_slice",
    "round_to_currency",
    "round_to_places",
    "round_to_total",
    "with_scale",
    "without_trailing_zeros",
]
