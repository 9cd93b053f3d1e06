"""Use cases of the chart of accounts."""

from __future__ import annotations

import uuid

from beleg.clock import Clock
from beleg.db import ledger as repo
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.charts import Account, AccountType


def create_account(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    code: str,
    name: str,
    account_type: str,
    clock: Clock,
    default_tax_code: str | None = None,
) -> Account:
    """Add an account to the tenant's chart (3 to 10 digits, one of the seed's types)."""
    if not code.isdigit() or not 3 <= len(code) <= 10:
        raise ValidationFailed("ledger.account_code_format", field="code")
    try:
        kind = AccountType(account_type)
    except ValueError:
        allowed = ", ".join(t.value for t in AccountType)
        raise ValidationFailed(
            "ledger.account_type_unknown", field="type", allowed=allowed
        ) from None
    account = Account(code, name.strip(), kind)
    with db.transaction() as session:
        repo.insert_account(session, tenant_id, account, default_tax_code)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type="Account",
            entity_id=code,
            before=None,
            after={
                "tenant_id": tenant_id,
                "code": code,
                "name": account.name,
                "account_type": kind.value,
                "default_tax_code": default_tax_code,
            },
            clock=clock,
        )
    return account
