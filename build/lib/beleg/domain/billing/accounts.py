"""Where a billed line is booked: the revenue account and tax class entry of its VAT rate.

A line's rate comes from its option (``taxRate``, its ``taxClass`` entry, or 0 % when exempt,
``services/billing/pricing``). The tax class entry is the chart's first entry of that rate
(SKR03/SKR04: ``019``, ``007``, ``000``; Austrian EKR: ``020``, ``010``, ``013``, ``000``); the
revenue account is the tenant's general sales account that takes that entry (SKR03 8200,
SKR04 4200, EKR 4000: the first by code of type E that is not bound to one entry), else the
account dedicated to it (SKR03 8400 for 19 %), so the booking follows the chart as a tax
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
    entries = [e.code for e in books.chart.tax_entries if e.rate == rate]
    sales = sorted(
        (a for a in books.accounts.values() if a.account_type is AccountType.REVENUE),
        key=lambda a: a.code,
    )
    for entry in entries:
        general = [a for a in sales if not a.forced and entry in a.tax_codes]
        dedicated = [a for a in sales if a.forced and a.default_tax_code == entry]
        candidates = general + dedicated
        if candidates:
            return RevenueBooking(candidates[0].code, entry)
    raise ValidationFailed("billing.no_revenue_account", field="taxRate", rate=rate)
