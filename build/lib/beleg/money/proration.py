"""Prorating a period's amount by calendar days, without losing or inventing a minor unit.

The billing API's rule (spec/billing-api.md, "Date and proration rules"): a partial period is
charged ``days of service / days of the period`` of the period's amount, rounded once, half up,
to the currency's minor units. Credits, charges after a plan change and the pieces of a period
split at any day must add up to exactly the amount of the whole period (subscriptions issue,
property "a period split at any day prorates to exactly the full price").

Both hold with **cumulative rounding**: the amount of days ``first..last`` (1-based days of a
period of ``period_days`` days) is ``R(amount × last / period_days) - R(amount × (first - 1) /
period_days)``, ``R`` rounding half up. A slice that starts on the first day of the period is
therefore the single half-up rounding the rule asks for; adjacent slices telescope, so any
partition of the period sums to ``R(amount)``, and every slice differs from its exact share by
less than one minor unit.
"""

from __future__ import annotations

from decimal import Decimal

from beleg.money.currency import Currency
from beleg.money.rounding import round_to_currency


def prorated_slice(
    amount: Decimal, currency: Currency, *, first_day: int, last_day: int, period_days: int
) -> Decimal:
    """The amount of days ``first_day..last_day`` (inclusive, 1-based) of a period of
    ``period_days`` days whose whole amount is ``amount`` (exact, any number of decimals), in
    the currency's minor units. ``amount`` may be negative (a credit)."""
    if period_days < 1:
        raise ValueError("a period has at least one day")
    if not 1 <= first_day <= last_day + 1 or last_day > period_days:
        raise ValueError(f"days {first_day}..{last_day} are not within 1..{period_days}")
    if amount < 0:
        return -prorated_slice(
            -amount, currency, first_day=first_day, last_day=last_day, period_days=period_days
        )
    upto_last = round_to_currency(amount * last_day / period_days, currency)
    before_first = round_to_currency(amount * (first_day - 1) / period_days, currency)
    return upto_last - before_first
