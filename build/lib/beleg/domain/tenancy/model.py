"""A tenant as the platform stores it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from beleg.domain.tenancy.settings import AccountingMode


@dataclass(frozen=True, slots=True)
class Tenant:
    """A tenant (Mandant): its 4-digit ``number`` is seed 003's ``cid``. Country, mode,
    chart, currency and test mode are fixed at creation."""

    id: uuid.UUID
    number: int
    name: str
    country: str
    accounting_mode: AccountingMode
    chart_of_accounts: str
    currency: str
    timezone: str
    locale: str
    test_mode: bool
    is_platform: bool
    created_at: datetime
    updated_at: datetime
    books_closed_until: date | None = None  # changed only by closing periods (ledger)

    def snapshot(self) -> dict[str, Any]:
        """The values a new tenant is stored with, as its creation is audited."""
        return {
            "id": self.id,
            "number": self.number,
            "name": self.name,
            "country": self.country,
            "accounting_mode": self.accounting_mode.value,
            "chart_of_accounts": self.chart_of_accounts,
            "currency": self.currency,
            "timezone": self.timezone,
            "locale": self.locale,
            "test_mode": self.test_mode,
            "is_platform": self.is_platform,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def stored(self) -> dict[str, Any]:
        """Every stored value, as a change of settings is audited (before and after)."""
        return {**self.snapshot(), "books_closed_until": self.books_closed_until}
