"""Installing a chart of accounts and its tax class entries into a tenant."""

from __future__ import annotations

import uuid

from sqlalchemy import insert
from sqlalchemy.orm import Session

from beleg.db.tables import bank_accounts, ledger_accounts, ledger_tax_entries
from beleg.domain.ledger.charts import AccountType, Chart


def install_chart(session: Session, *, tenant_id: uuid.UUID, chart: Chart, currency: str) -> None:
    """Copy ``chart`` into the tenant's ledger (in the caller's transaction). The tenant's
    creation audit entry names the chart; the accounts are reference data from it."""
    session.execute(
        insert(ledger_tax_entries),
        [
            {
                "tenant_id": tenant_id,
                "code": e.code,
                "name_de": e.name_de,
                "name_en": e.name_en,
                "rate": e.rate,
                "modifiers": ",".join(m.value for m in e.modifiers),
            }
            for e in chart.tax_entries
        ],
    )
    session.execute(
        insert(ledger_accounts),
        [
            {
                "tenant_id": tenant_id,
                "code": a.code,
                "name": a.name,
                "account_type": a.account_type.value,
                "default_tax_code": a.default_tax_code,
                "tax_codes": ",".join(a.tax_codes),
                "forced_tax": a.forced,
            }
            for a in chart.accounts
        ],
    )
    session.execute(
        insert(bank_accounts),
        [  # one means of payment per U account
            {
                "tenant_id": tenant_id,
                "id": uuid.uuid4(),
                "name": a.name,
                "bank_name": None,
                "owner_name": None,
                "bic": None,
                "iban": None,
                "account_code": a.code,
                "description": a.name,
                "currency": currency,
                "shown": True,
            }
            for a in chart.accounts
            if a.account_type is AccountType.PAYMENT
        ],
    )
