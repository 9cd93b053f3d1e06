"""Data access of tenants and their test clocks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock, FixedClock
from beleg.db.tables import tenant_clocks, tenants
from beleg.domain.errors import NotFound
from beleg.domain.tenancy.model import Tenant
from beleg.domain.tenancy.settings import AccountingMode


def _tenant(row: Row[Any]) -> Tenant:
    return Tenant(
        id=row.id,
        number=row.number,
        name=row.name,
        country=row.country,
        accounting_mode=AccountingMode(row.accounting_mode),
        chart_of_accounts=row.chart_of_accounts,
        currency=row.currency,
        timezone=row.timezone,
        locale=row.locale,
        test_mode=row.test_mode,
        is_platform=row.is_platform,
        created_at=row.created_at,
        updated_at=row.updated_at,
        books_closed_until=row.books_closed_until,
    )


def insert_tenant(session: Session, tenant: Tenant) -> None:
    session.execute(insert(tenants).values(**tenant.snapshot()))


def tenant_by_id(session: Session, tenant_id: uuid.UUID) -> Tenant:
    """The tenant ``tenant_id``; NotFound naming ``tenantId`` otherwise."""
    row = session.execute(select(tenants).where(tenants.c.id == tenant_id)).one_or_none()
    if row is None:
        raise NotFound("tenancy.tenant_not_found", field="tenantId", tenant=tenant_id)
    return _tenant(row)


def any_tenant(session: Session) -> bool:
    """Whether the database holds a tenant at all (the first start creates one)."""
    return session.execute(select(tenants.c.id).limit(1)).first() is not None


def tenant_named(session: Session, name: str) -> Tenant | None:
    """The earliest tenant called ``name`` (names are not unique), or None."""
    row = session.execute(
        select(tenants).where(tenants.c.name == name).order_by(tenants.c.number).limit(1)
    ).one_or_none()
    return None if row is None else _tenant(row)


def save_settings(session: Session, tenant: Tenant) -> None:
    """Store a tenant's changeable settings (name, time zone, locale) and ``updated_at``."""
    session.execute(
        update(tenants)
        .where(tenants.c.id == tenant.id)
        .values(
            name=tenant.name,
            timezone=tenant.timezone,
            locale=tenant.locale,
            updated_at=tenant.updated_at,
        )
    )


def is_platform_tenant(session: Session, tenant_id: uuid.UUID) -> bool:
    """Whether ``tenant_id`` is the operator's platform tenant (platform scopes live there)."""
    return bool(
        session.execute(select(tenants.c.is_platform).where(tenants.c.id == tenant_id)).scalar_one()
    )


def tenant_timezone(session: Session, tenant_id: uuid.UUID) -> str:
    zone: str = session.execute(
        select(tenants.c.timezone).where(tenants.c.id == tenant_id)
    ).scalar_one()
    return zone


def frozen_at(session: Session, tenant_id: uuid.UUID, *, lock: bool = False) -> datetime | None:
    """The instant the tenant's test clock stands at, or None on system time."""
    query = select(tenant_clocks.c.frozen_at).where(tenant_clocks.c.tenant_id == tenant_id)
    value: datetime | None = session.execute(
        query.with_for_update() if lock else query
    ).scalar_one_or_none()
    return value


def business_clock(session: Session, *, tenant_id: uuid.UUID, system: Clock) -> Clock:
    """The clock business rules of ``tenant_id`` run on: its TestClock, else ``system``."""
    frozen = frozen_at(session, tenant_id)
    return FixedClock(frozen) if frozen is not None else system


def set_frozen_at(
    session: Session, tenant_id: uuid.UUID, *, target: datetime, exists: bool, now: datetime
) -> None:
    """Freeze the tenant's clock at ``target`` (insert the clock row unless it ``exists``)."""
    values = {"frozen_at": target, "updated_at": now}
    if exists:
        session.execute(
            update(tenant_clocks).where(tenant_clocks.c.tenant_id == tenant_id).values(**values)
        )
    else:
        session.execute(insert(tenant_clocks).values(tenant_id=tenant_id, **values))


def release_clock(session: Session, tenant_id: uuid.UUID) -> None:
    session.execute(delete(tenant_clocks).where(tenant_clocks.c.tenant_id == tenant_id))
