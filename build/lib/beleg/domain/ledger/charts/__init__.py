"""Charts of accounts as reference data: Austria (EKR) and Germany (SKR03, SKR04)."""

from __future__ import annotations

from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.charts.at_ekr import AT_EKR
from beleg.domain.ledger.charts.germany import SKR03, SKR04
from beleg.domain.ledger.charts.model import (
    EXPENSE_TYPES,
    REVENUE_TYPES,
    Account,
    AccountType,
    Chart,
    Modifier,
    TaxEntry,
)

CHARTS = {chart.name: chart for chart in (AT_EKR, SKR03, SKR04)}
DEFAULT_CHART = {"AT": AT_EKR.name, "DE": SKR03.name}

__all__ = [
    "CHARTS",
    "DEFAULT_CHART",
    "EXPENSE_TYPES",
    "REVENUE_TYPES",
    "Account",
    "AccountType",
    "Chart",
    "Modifier",
    "TaxEntry",
    "chart_named",
    "check_chart",
]


def check_chart(country: str, name: str | None) -> str:
    """The chart a tenant of ``country`` uses: the country's default, or a chart of that
    country chosen at creation (SKR03 or SKR04 in Germany)."""
    chosen = name or DEFAULT_CHART[country]
    chart = CHARTS.get(chosen)
    if chart is None or chart.country != country:
        allowed = sorted(c.name for c in CHARTS.values() if c.country == country)
        raise ValidationFailed(
            "ledger.chart_not_for_country",
            field="chartOfAccounts",
            country=country,
            allowed=", ".join(allowed),
            chart=chosen,
        )
    return chosen


def chart_named(name: str) -> Chart:
    return CHARTS[name]
