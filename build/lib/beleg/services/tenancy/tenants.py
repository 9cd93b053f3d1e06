"""Changing a tenant's settings (platform administration); the checks of new settings."""

from __future__ import annotations

import uuid
from dataclasses import replace
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from beleg.clock import Clock
from beleg.db import tenancy as repo
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.tenancy.model import Tenant
from beleg.domain.tenancy.settings import AccountingMode, check_locale, check_name

ENTITY = "Tenant"
IMMUTABLE_FIELDS = ("country", "accounting_mode", "currency", "test_mode", "chart_of_accounts")
CHANGEABLE = {"name": check_name, "locale": check_locale}


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def check_timezone(name: str) -> str:
    """An IANA time zone such as Europe/Vienna (checked against the zone database)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed("tenancy.timezone_unknown", field="timezone", zone=name) from None
    if name not in _zones():
        raise ValidationFailed("tenancy.timezone_unknown", field="timezone", zone=name)
    return name


def check_mode(mode: str) -> AccountingMode:
    try:
        return AccountingMode(mode)
    except ValueError:
        raise ValidationFailed("tenancy.mode_unknown", field="accountingMode", mode=mode) from None


def update_tenant(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, changes: dict[str, Any], clock: Clock
) -> Tenant:
    """Change name, timezone or locale. Country, accounting mode, currency and test mode are
    fixed at creation: the chart of accounts, tax rules and numbering depend on them."""
    with db.transaction() as session:
        before = repo.tenant_by_id(session, tenant_id)
        stored = before.stored()
        for name in IMMUTABLE_FIELDS:
            if name in changes and changes[name] != stored[name]:
                raise Conflict("tenancy.setting_fixed", field=_camel(name), name=name)
        values = _validated_changes(changes)
        if not values:
            return before
        after = replace(
            before,
            name=values.get("name", before.name),
            timezone=values.get("timezone", before.timezone),
            locale=values.get("locale", before.locale),
            updated_at=clock.now(),
        )
        repo.save_settings(session, after)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=tenant_id,
            before=stored,
            after=after.stored(),
            clock=clock,
        )
        return after


def _validated_changes(changes: dict[str, Any]) -> dict[str, str]:
    checks = {**CHANGEABLE, "timezone": check_timezone}
    return {k: checks[k](v) for k, v in changes.items() if k in checks and v is not None}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
