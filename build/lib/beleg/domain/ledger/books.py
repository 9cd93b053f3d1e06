"""The tenant's books: what every booking of a tenant needs to know about its ledger.

Loaded once per operation (``db.ledger.load_books``): the accounting mode (EA single entry or
DE double entry), the chart with its posting-rule accounts, the main currency, the accounts
of the tenant's ledger, and the cash accounts that cash registers reserve (cash moves through
the register, never as a plain payment account; seed 003 §3.6).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.charts import Account, AccountType, Chart
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import Currency


@dataclass(frozen=True, slots=True)
class TenantBooks:
    tenant_id: uuid.UUID
    mode: AccountingMode
    chart: Chart
    main: Currency
    accounts: Mapping[str, Account]
    reserved: Mapping[str, int] = field(default_factory=dict)  # cash account -> register

    def payment_account(self, code: str | None, field: str) -> str:
        """A means-of-payment account (type U) that no cash register reserves, seed 003
        CbiPaymentDto.contraAccount / InvoicePaymentDto.payingAccount."""
        if not code:
            raise ValidationFailed("ledger.payment_account_required", field=field, name=field)
        account = self.accounts.get(code)
        if account is None:
            raise ValidationFailed("ledger.account_unknown", field=field, code=code)
        if account.account_type is not AccountType.PAYMENT:
            raise ValidationFailed("ledger.not_a_payment_account", field=field, code=code)
        if code in self.reserved:
            raise ValidationFailed(
                "ledger.account_reserved_by_register",
                field=field,
                code=code,
                register=self.reserved[code],
            )
        return code
