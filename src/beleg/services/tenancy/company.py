"""The tenant's company data as the seller of its documents (``/v2/tenant-config/company``):
read, and replaced whole in one transaction with its audit entry (e-invoicing issue, item 0).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from beleg.clock import Clock
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.tenancy import company as repo
from beleg.domain.audit.chain import AuditAction
from beleg.domain.identity.principal import Actor
from beleg.domain.tenancy.company import CompanyData
from beleg.domain.tenancy.company_rules import api_name, checked_company

ENTITY = "TenantCompany"


def company_data(*, db: Database, tenant_id: uuid.UUID) -> CompanyData:
    """The tenant's company data (every field unset until it is filled in)."""
    with db.reader() as session:
        return repo.load_company(session, tenant_id)


def set_company_data(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, company: CompanyData, clock: Clock
) -> CompanyData:
    """Replace the tenant's company data with ``company`` (checked and made compact first;
    ValidationFailed naming the field). The same data again writes nothing and is not audited.
    """
    after = checked_company(company)
    with db.transaction() as session:
        before = repo.load_company(session, tenant_id, lock=True)
        if before == after:
            return before
        repo.save_company(session, tenant_id, after, now=clock.now())
        change = Change(
            AuditAction.UPDATE, ENTITY, str(tenant_id), _snapshot(before), _snapshot(after)
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return after


def _snapshot(company: CompanyData) -> dict[str, Any]:
    """The audit trail's picture of the company data, named as in the API."""
    return {api_name(name): value for name, value in asdict(company).items()}
