"""Creating and changing tenants (platform administration)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db import sequences
from beleg.db.audit import record_change, start_chain, update_audited
from beleg.db.database import Database
from beleg.db.ledger import install_chart
from beleg.db.tables import tenants
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.charts import chart_named, check_chart
from beleg.domain.tenancy.settings import (
    AccountingMode,
    check_country,
    check_currency,
    check_locale,
    check_name,
    default_locale,
    default_timezone,
)
from beleg.services.documents.setup import install_invoicing_setup
from beleg.services.pos.registers import install_test_register

FIRST_TENANT_NUMBER = 1001
NUMBER_ATTEMPTS = 3
ENTITY = "Tenant"
IMMUTABLE_FIELDS = ("country", "accounting_mode", "currency", "test_mode", "chart_of_accounts")


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


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def check_timezone(name: str) -> str:
    """An IANA time zone such as Europe/Vienna."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"timezone {name!r} is not an IANA time zone", field="timezone"
        ) from None
    if name not in _zones():
        raise ValidationFailed(f"timezone {name!r} is not an IANA time zone", field="timezone")
    return name


def _check_mode(mode: str) -> str:
    try:
        return AccountingMode(mode).value
    except ValueError:
        raise ValidationFailed(
            f"accountingMode must be EA (single-entry) or DE (double-entry), not {mode!r}",
            field="accountingMode",
        ) from None


def _row(session: Session, tenant_id: uuid.UUID) -> dict[str, Any]:
    row = session.execute(select(tenants).where(tenants.c.id == tenant_id)).one_or_none()
    if row is None:
        raise NotFound(f"tenant {tenant_id} does not exist", field="tenantId")
    return dict(row._mapping)


def insert_tenant(
    session: Session, *, spec: TenantInput, clock: Clock, is_platform: bool = False
) -> dict[str, Any]:
    """Insert a validated tenant and its empty audit chain; return the row (no audit entry)."""
    country = check_country(spec.country)
    now = clock.now()
    number = sequences.allocate(
        session,
        tenant_id=sequences.PLATFORM,
        series=sequences.TENANT_NUMBERS,
        start=FIRST_TENANT_NUMBER,
    )
    values = {
        "id": uuid.uuid4(),
        "number": number,
        "name": check_name(spec.name),
        "country": country,
        "accounting_mode": _check_mode(spec.accounting_mode),
        "chart_of_accounts": check_chart(country, spec.chart_of_accounts),
        "currency": check_currency(spec.currency),
        "timezone": check_timezone(spec.timezone or default_timezone(country)),
        "locale": check_locale(spec.locale or default_locale(country)),
        "test_mode": spec.test_mode,
        "is_platform": is_platform,
        "created_at": now,
        "updated_at": now,
    }
    session.execute(insert(tenants).values(**values))
    start_chain(session, tenant_id=values["id"])
    install_chart(
        session,
        tenant_id=values["id"],
        chart=chart_named(values["chart_of_accounts"]),
        currency=values["currency"],
    )
    install_invoicing_setup(
        session, tenant_id=values["id"], chart=chart_named(values["chart_of_accounts"]), now=now
    )
    if not is_platform:
        install_test_register(session, tenant_id=values["id"], country=country, clock=clock)
    return values


def create_tenant(*, db: Database, actor: Actor, spec: TenantInput, clock: Clock) -> dict[str, Any]:
    """Create a tenant with its settings; audited in the new tenant's own trail."""
    for _ in range(NUMBER_ATTEMPTS):
        try:
            return _create_once(db=db, actor=actor, spec=spec, clock=clock)
        except IntegrityError:  # a concurrent creation took the same number: take the next
            continue
    raise Conflict("could not allocate a tenant number; try again", field="number")


def _create_once(*, db: Database, actor: Actor, spec: TenantInput, clock: Clock) -> dict[str, Any]:
    with db.transaction() as session:
        row = insert_tenant(session, spec=spec, clock=clock)
        record_change(
            session,
            actor=actor,
            tenant_id=row["id"],
            action=AuditAction.CREATE,
            entity_type=ENTITY,
            entity_id=row["id"],
            before=None,
            after=row,
            clock=clock,
        )
        return row


def update_tenant(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, changes: dict[str, Any], clock: Clock
) -> dict[str, Any]:
    """Change name, timezone or locale. Country, accounting mode, currency and test mode are
    fixed at creation: the chart of accounts, tax rules and numbering depend on them."""
    with db.transaction() as session:
        before = _row(session, tenant_id)
        for name in IMMUTABLE_FIELDS:
            if name in changes and changes[name] != before[name]:
                raise Conflict(
                    f"{name} cannot be changed after the tenant was created", field=_camel(name)
                )
        return update_audited(
            session,
            actor=actor,
            tenant_id=tenant_id,
            table=tenants,
            where=tenants.c.id == tenant_id,
            before=before,
            values=_validated_changes(changes),
            entity_type=ENTITY,
            entity_id=tenant_id,
            view=dict,
            clock=clock,
        )


def _validated_changes(changes: dict[str, Any]) -> dict[str, Any]:
    checks = {"name": check_name, "timezone": check_timezone, "locale": check_locale}
    return {k: checks[k](v) for k, v in changes.items() if k in checks and v is not None}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
