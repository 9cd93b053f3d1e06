"""Billing groups (``/v2/billing-groups``) and the tenant's billing settings (``PUT
/v2/tenant-config/billing``): each change in one transaction with its audit entry (seed 001:
the scheduled-runs switch is audited)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from beleg.clock import Clock
from beleg.db.audit import Change, record_changes
from beleg.db.billing import groups as repo
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.billing.groups import BillingGroup, BillingSettings, checked_group
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.identity.principal import Actor
from beleg.services.contracts.contracts import business_today

ENTITY = "BillingGroup"
SETTINGS_ENTITY = "BillingSettings"


def create_group(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    code: str,
    name: str | None,
    split_by_original_period: bool,
    late_usage_handling: str,
    clock: Clock,
) -> BillingGroup:
    """A new billing group; a code the tenant has already is a 409 naming ``code``."""
    group = checked_group(
        code=code,
        name=name,
        split_by_original_period=split_by_original_period,
        late_usage_handling=late_usage_handling,
        now=clock.now(),
    )
    with db.transaction() as session:
        if repo.find_group(session, tenant_id, group.code) is not None:
            raise Conflict("billing.group_exists", field="code", code=group.code)
        repo.insert_group(session, tenant_id, group)
        change = Change(AuditAction.CREATE, ENTITY, group.code, None, repo.group_snapshot(group))
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return group


def update_group(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    code: str,
    changes: Mapping[str, Any],
    clock: Clock,
) -> BillingGroup:
    """Change the fields named in ``changes`` (``name``, ``split_by_original_period``,
    ``late_usage_handling``); unchanged, nothing is written. The rules apply to the runs after
    the change; documents issued stay as they are."""
    with db.transaction() as session:
        before = repo.find_group(session, tenant_id, code, lock=True)
        if before is None:
            raise NotFound("billing.group_unknown", field="code", code=code)
        given = {
            "name": before.name,
            "split_by_original_period": before.split_by_original_period,
            "late_usage_handling": before.late_usage_handling.value,
            **changes,
        }
        after = checked_group(
            code=before.code, now=clock.now(), created_at=before.created_at, **given
        )
        old, new = repo.group_snapshot(before), repo.group_snapshot(after)
        if old == new:
            return before
        repo.update_group(session, tenant_id, after)
        change = Change(AuditAction.UPDATE, ENTITY, after.code, old, new)
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return after


def set_scheduled_runs(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, enabled: bool, clock: Clock
) -> BillingSettings:
    """Switch the tenant's scheduled runs on or off (audited when it changes). Switched on,
    the runs bill from today: what fell due before waits for a run started by hand."""
    with db.transaction() as session:
        before = repo.load_settings(session, tenant_id, lock=True)
        if before.scheduled_runs == enabled:
            return before
        through = before.scheduled_through
        if enabled:
            through = business_today(session, tenant_id, clock) - timedelta(days=1)
        after = replace(before, scheduled_runs=enabled, scheduled_through=through)
        repo.save_settings(session, tenant_id, after, now=clock.now())
        change = Change(
            AuditAction.UPDATE,
            SETTINGS_ENTITY,
            str(tenant_id),
            {"scheduledRuns": before.scheduled_runs},
            {"scheduledRuns": enabled},
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
        return after


def read_settings(*, db: Database, tenant_id: uuid.UUID) -> BillingSettings:
    with db.reader() as session:
        return repo.load_settings(session, tenant_id)
