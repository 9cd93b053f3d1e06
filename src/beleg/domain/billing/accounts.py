"""Where a billed line is booked: the revenue account and tax class entry of its VAT rate.

A line's rate comes from its option (``taxRate``, its ``taxClass`` entry, or 0 % when exempt,
``services/billing/pricing``). The tax class entry is the chart's first entry of that rate
(SKR03/SKR04: ``019``, ``007``, ``000``; Austrian EKR: ``020``, ``010``, ``013``, ``000``); the
revenue account is the tenant's first sales account (seed 003 account type E) that takes
that entry, preferring one whose default it is, so the booking follows the chart as a tax
advisor set it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.charts import AccountType


@dataclass(frozen=True, slots=True)
class RevenueBooking:
    account: str
    tax_entry: str


def revenue_booking(books: TenantBooks, rate: Decimal) -> RevenueBooking:
    """The account and tax class entry of a billed line of VAT ``rate`` (percent), or a 400
    naming ``taxRate`` when the tenant's chart has no sales account for it."""
    entries = [e.code for e in books.chart.tax_entries if e.rate == rate and not e.modifiers]
    sales = [a for a in books.accounts.values() if a.account_type is AccountType.REVENUE]
    for entry in entries:
        preferred = [a for a in sales if a.default_tax_code == entry]
        allowed = [a for a in sales if entry in a.tax_codes and not a.forced]
        for account in sorted(preferred, key=lambda a: a.code) or sorted(
            allowed, key=lambda a: a.code
        ):
            return RevenueBooking(account.code, entry)
    raise ValidationFailed("billing.no_revenue_account", field="taxRate", rate=rate)
