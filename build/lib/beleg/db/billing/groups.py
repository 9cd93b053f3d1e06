"""Billing groups and the tenant's billing settings, scoped to one tenant, in the caller's
transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import billing_groups, billing_settings
from beleg.domain.billing.groups import BillingGroup, BillingSettings, LateUsageHandling

G = billing_groups.c


def group_from_row(row: Row[Any]) -> BillingGroup:
    return BillingGroup(
        code=row.code,
        name=row.name,
        split_by_original_period=row.split_by_original_period,
        late_usage_handling=LateUsageHandling(row.late_usage_handling),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def find_group(
    session: Session, tenant_id: uuid.UUID, code: str, *, lock: bool = False
) -> BillingGroup | None:
    query = select(billing_groups).where(G.tenant_id == tenant_id, G.code == code)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else group_from_row(row)


def groups_by_code(
    session: Session, tenant_id: uuid.UUID, codes: Iterable[str]
) -> dict[str, BillingGroup]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(
        select(billing_groups).where(G.tenant_id == tenant_id, G.code.in_(wanted))
    ).all()
    return {row.code: group_from_row(row) for row in rows}


def _values(group: BillingGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "split_by_original_period": group.split_by_original_period,
        "late_usage_handling": group.late_usage_handling.value,
        "updated_at": group.updated_at,
    }


def insert_group(session: Session, tenant_id: uuid.UUID, group: BillingGroup) -> None:
    session.execute(
        insert(billing_groups).values(
            tenant_id=tenant_id, code=group.code, created_at=group.created_at, **_values(group)
        )
    )


def update_group(session: Session, tenant_id: uuid.UUID, group: BillingGroup) -> None:
    session.execute(
        update(billing_groups)
        .where(G.tenant_id == tenant_id, G.code == group.code)
        .values(**_values(group))
    )


def group_snapshot(group: BillingGroup) -> dict[str, Any]:
    return {
        "code": group.code,
        "name": group.name,
        "splitByOriginalPeriod": group.split_by_original_period,
        "lateUsageHandling": group.late_usage_handling.value,
    }


def load_settings(session: Session, tenant_id: uuid.UUID, *, lock: bool = False) -> BillingSettings:
    S = billing_settings.c
    query = select(billing_settings).where(S.tenant_id == tenant_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        return BillingSettings()
    return BillingSettings(row.scheduled_runs, row.scheduled_through)


def save_settings(
    session: Session, tenant_id: uuid.UUID, settings: BillingSettings, *, now: datetime
) -> None:
    """Insert or replace the tenant's billing settings."""
    S = billing_settings.c
    values = {
        "scheduled_runs": settings.scheduled_runs,
        "scheduled_through": settings.scheduled_through,
        "updated_at": now,
    }
    done = session.execute(
        update(billing_settings).where(S.tenant_id == tenant_id).values(**values)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(billing_settings).values(tenant_id=tenant_id, **values))


def scheduled_tenants(session: Session) -> list[tuple[uuid.UUID, date | None]]:
    """The tenants whose scheduled runs are on, with the date their last one billed through."""
    S = billing_settings.c
    rows = session.execute(
        select(S.tenant_id, S.scheduled_through).where(S.scheduled_runs.is_(True))
    ).all()
    return [(row.tenant_id, row.scheduled_through) for row in rows]
