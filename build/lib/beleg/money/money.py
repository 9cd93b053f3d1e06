"""Money: an exact Decimal amount in one currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beleg.money.currency import Currency
from beleg.money.rounding import round_to_currency


class CurrencyMismatchError(ValueError):
    """Arithmetic between amounts of different currencies."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency.

    The amount is an exact ``Decimal`` and may carry more decimals than the currency's minor
    units (a unit price of 0.12345 EUR, an intermediate tax amount); ``rounded()`` brings it to
    the currency's minor units, half-up. Floats are refused: they cannot represent 0.10 exactly.
    """

    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise ValueError(f"Money amount must be finite, not {self.amount}")

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str | Currency) -> Money:
        """Build from a Decimal, an int or a decimal string; ``currency`` is a code or Currency."""
        if isinstance(amount, float):
            raise TypeError("Money refuses float amounts; pass a Decimal or a string")
        cur = currency if isinstance(currency, Currency) else Currency.of(currency)
        return cls(Decimal(amount), cur)

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        """Zero in ``currency``, at the currency's scale (0.00 EUR)."""
        cur = currency if isinstance(currency, Currency) else Currency.of(currency)
        return cls(Decimal(0).quantize(cur.quantum), cur)

    def rounded(self) -> Money:
        """This amount rounded half-up to the currency's minor units."""
        return Money(round_to_currency(self.amount, self.currency), self.currency)

    def is_rounded(self) -> bool:
        """Whether the amount has no more decimals than the currency's minor units."""
        return round_to_currency(self.amount, self.currency) == self.amount

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("Money refuses float factors; pass a Decimal")
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.code}"
