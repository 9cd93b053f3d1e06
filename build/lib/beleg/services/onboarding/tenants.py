"""Creating a tenant with everything a new tenant starts with: its empty audit chain, its
chart of accounts and means of payment, the invoicing setup and numbering defaults, and (in
Austria) the test cash register 0."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from beleg.clock import Clock
from beleg.db import Session, sequences
from beleg.db import tenancy as repo
from beleg.db.audit import record_change, start_chain
from beleg.db.database import Database
from beleg.db.ledger import install_chart
from beleg.domain.audit.chain import AuditAction
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.charts import chart_named, check_chart
from beleg.domain.tenancy.model import Tenant
from beleg.domain.tenancy.settings import (
    check_country,
    check_currency,
    check_locale,
    check_name,
    default_locale,
    default_timezone,
)
from beleg.services.documents.setup import install_invoicing_setup
from beleg.services.pos.registers import install_test_register
from beleg.services.tenancy.tenants import ENTITY, check_mode, check_timezone

FIRST_TENANT_NUMBER = 1001


@dataclass(frozen=True, slots=True)
class TenantInput:
    """Settings of a new tenant; None means the country's default."""

    name: str
    country: str
    accounting_mode: str
    currency: str = "EUR"
    timezone: str | None = None
    locale: str | None = None
    test_mode: bool = False
    chart_of_accounts: str | None = None  # AT: AT-EKR; DE: SKR03 (default) or SKR04


def create_tenant(*, db: Database, actor: Actor, spec: TenantInput, clock: Clock) -> Tenant:
    """Create a tenant with its settings and defaults; audited in the new tenant's own trail."""
    with db.transaction() as session:
        tenant = new_tenant(session, spec=spec, clock=clock)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant.id,
            action=AuditAction.CREATE,
            entity_type=ENTITY,
            entity_id=tenant.id,
            before=None,
            after=tenant.snapshot(),
            clock=clock,
        )
        return tenant


def new_tenant(
    session: Session, *, spec: TenantInput, clock: Clock, is_platform: bool = False
) -> Tenant:
    """Insert a validated tenant with its defaults, in the caller's transaction (no audit
    entry: the caller records the creation). Tenant numbers come from the one allocator."""
    country = check_country(spec.country)
    now = clock.now()
    tenant = Tenant(
        id=uuid.uuid4(),
        number=sequences.allocate(
            session,
            tenant_id=sequences.PLATFORM,
            series=sequences.TENANT_NUMBERS,
            start=FIRST_TENANT_NUMBER,
        ),
        name=check_name(spec.name),
        country=country,
        accounting_mode=check_mode(spec.accounting_mode),
        chart_of_accounts=check_chart(country, spec.chart_of_accounts),
        currency=check_currency(spec.currency),
        timezone=check_timezone(spec.timezone or default_timezone(country)),
        locale=check_locale(spec.locale or default_locale(country)),
        test_mode=spec.test_mode,
        is_platform=is_platform,
        created_at=now,
        updated_at=now,
    )
    repo.insert_tenant(session, tenant)
    start_chain(session, tenant_id=tenant.id)
    chart = chart_named(tenant.chart_of_accounts)
    install_chart(session, tenant_id=tenant.id, chart=chart, currency=tenant.currency)
    install_invoicing_setup(session, tenant_id=tenant.id, chart=chart, now=now)
    if not is_platform:
        install_test_register(session, tenant_id=tenant.id, country=country, clock=clock)
    return tenant
