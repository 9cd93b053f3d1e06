"""Money, currencies, rounding and allocation. Standard library only; the only code that rounds."""

from beleg.money.allocation import allocate
from beleg.money.currency import Currency, UnknownCurrencyError, all_currency_codes, is_currency
from beleg.money.money import CurrencyMismatchError, Money
from beleg.money.rounding import has_at_most_places, round_to_currency, round_to_places

__all__ = [
    "Currency",
    "CurrencyMismatchError",
    "Money",
    "UnknownCurrencyError",
    "all_currency_codes",
    "allocate",
    "has_at_most_places",
    "is_currency",
    "round_to_currency",
    "round_to_places",
]
