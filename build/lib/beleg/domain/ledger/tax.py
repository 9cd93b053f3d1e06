"""Tax of a line from its amount, amount type and rate (seed 003 §3.1).

``N`` (net): tax = round2(net x rate/100), total = net + tax.
``T`` (total, gross): net = round2(total / (1 + rate/100)), tax = total - net.
Rounding is half-up to the currency's minor units, per line; invoice totals are sums of lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.charts.model import Account
from beleg.money import Currency, round_to_currency

HUNDRED = Decimal(100)


class AmountType(StrEnum):
    NET = "N"
    TOTAL = "T"


@dataclass(frozen=True, slots=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    amount: Decimal, amount_type: AmountType | str, rate_percent: Decimal, currency: Currency
) -> LineAmounts:
    """Net, tax and total of one line, each rounded half-up to the currency."""
    kind = parse_amount_type(amount_type)
    if rate_percent < 0:
        raise ValidationFailed("ledger.tax_rate_negative", field="taxRate", rate=rate_percent)
    if kind is AmountType.NET:
        net = round_to_currency(amount, currency)
        tax = round_to_currency(net * rate_percent / HUNDRED, currency)
        return LineAmounts(net, tax, net + tax)
    total = round_to_currency(amount, currency)
    net = round_to_currency(total / (1 + rate_percent / HUNDRED), currency)
    return LineAmounts(net, total - net, total)


def parse_amount_type(value: AmountType | str, field: str = "amountType") -> AmountType:
    """N or T; ``G`` is accepted as an alias of T and never emitted (seed 003 §7 item 1)."""
    if value == "G":
        return AmountType.TOTAL
    try:
        return AmountType(value)
    except ValueError:
        raise ValidationFailed("ledger.amount_type_unknown", field=field, value=value) from None


def resolve_tax_entry(account: Account, requested: str | None, field: str) -> str:
    """The line's tax class entry: the requested one if the account allows it, otherwise the
    account's default (seed 003 §3.1, §7 item 17)."""
    if requested in (None, ""):
        return account.default_tax_code
    if account.forced and requested != account.default_tax_code:
        raise ValidationFailed(
            "ledger.tax_entry_forced",
            field=field,
            code=account.code,
            default=account.default_tax_code,
            requested=requested,
        )
    if requested not in account.tax_codes:
        raise ValidationFailed(
            "ledger.tax_entry_not_allowed",
            field=field,
            requested=requested,
            code=account.code,
            allowed=", ".join(account.tax_codes),
        )
    return requested
