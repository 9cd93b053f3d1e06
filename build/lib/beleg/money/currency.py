"""ISO 4217 currencies and their minor units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beleg.money.iso4217 import ISO_4217


class UnknownCurrencyError(ValueError):
    """The code is not an active ISO 4217 currency."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown currency {code!r}: not an active ISO 4217 code")
        self.code = code


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency: alphabetic code, numeric code and minor units (decimal places).

    EUR has 2 minor units (cents), JPY 0, BHD 3 (fils).
    """

    code: str
    numeric: int
    minor_units: int

    @classmethod
    def of(cls, code: str) -> Currency:
        """Return the currency for an alphabetic code such as ``"EUR"``; unknown codes raise."""
        try:
            numeric, minor_units = ISO_4217[code]
        except KeyError:
            raise UnknownCurrencyError(code) from None
        return cls(code=code, numeric=numeric, minor_units=minor_units)

    @property
    def quantum(self) -> Decimal:
        """The smallest amount of the currency: 0.01 for EUR, 1 for JPY, 0.001 for BHD."""
        return Decimal(1).scaleb(-self.minor_units)

    def __str__(self) -> str:
        return self.code


def is_currency(code: str) -> bool:
    """Whether ``code`` is an active ISO 4217 currency code."""
    return code in ISO_4217


def all_currency_codes() -> list[str]:
    """Every active ISO 4217 code, sorted."""
    return sorted(ISO_4217)
