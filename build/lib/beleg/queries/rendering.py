"""Shared read-side rendering of numbers for the accounting API's read models."""

from __future__ import annotations

from decimal import Decimal

from beleg.money import without_trailing_zeros


def plain(value: Decimal | None) -> Decimal | None:
    """An echoed input without trailing zeros (12.00000 -> 12); None stays None."""
    return None if value is None else without_trailing_zeros(value)
