"""The currency of an invoice and the rates of its payments (seed 003 §3.3: amounts in the
main currency are the invoice amounts times the rate). Shared by cash-based invoices and
sales documents."""

from __future__ import annotations

from decimal import Decimal

from beleg.domain.amounts import check_amount
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.money import Currency, is_currency

RATE_PLACES = 8


def invoice_currency(
    books: TenantBooks, code: str | None, rate: Decimal | None
) -> tuple[Currency, Decimal]:
    """An invoice's currency (the main one by default, ISO 4217) and its rate to the main
    currency: more than 0, 8 decimals at most, and exactly 1 for the main currency."""
    code = code or books.main.code
    if not is_currency(code):
        raise ValidationFailed("accounting.currency_unknown", field="currency", code=code)
    value = Decimal(1) if rate is None else check_amount(rate, "currencyRate", RATE_PLACES)
    if value <= 0:
        raise ValidationFailed("accounting.rate_not_positive", field="currencyRate")
    if code == books.main.code and value != 1:
        raise ValidationFailed("accounting.main_currency_rate", field="currencyRate", code=code)
    return Currency.of(code), value


def payment_rate(given: Decimal | None, invoice_rate: Decimal) -> Decimal:
    """The payment's currency rate; without one, the invoice's rate (a default of 1, as the
    seed's model says, would be wrong for every foreign-currency invoice)."""
    if given is None:
        return invoice_rate
    rate = check_amount(given, "currencyRate", RATE_PLACES)
    if rate <= 0:
        raise ValidationFailed("accounting.rate_not_positive", field="currencyRate")
    return rate
