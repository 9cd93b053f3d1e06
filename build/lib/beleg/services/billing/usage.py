"""The usage a contract's usage windows add up to, for the charge calculation: per contract,
(item key, first day of the window) -> aggregated quantity (``domain.billing.days``). The
windows of every contract of a chunk are aggregated together, in a bounded number of
statements (``db/usage/aggregation``), in the tenant's timezone."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from beleg.db import Session
from beleg.db import tenancy as tenancy_db
from beleg.db.usage.aggregation import aggregated_usage
from beleg.domain.billing.days import usage_periods
from beleg.domain.billing.schedule import Schedule
from beleg.domain.usage.aggregation import UsageWindow
from beleg.money import without_trailing_zeros


def usage_of(
    session: Session,
    tenant_id: uuid.UUID,
    schedules: Mapping[uuid.UUID, Schedule],
    *,
    until: date,
) -> dict[uuid.UUID, dict[tuple[str, date], Decimal]]:
    """Each contract's usage per (item key, window start) for the windows billed by
    ``until``; windows without events are absent."""
    keys: dict[UsageWindow, list[tuple[uuid.UUID, str]]] = {}
    for contract_id, schedule in schedules.items():
        for item, window in usage_periods(schedule, until=until):
            usage_window = UsageWindow(contract_id, item.option, window.start, window.end)
            keys.setdefault(usage_window, []).append((contract_id, item.key))
    if not keys:
        return {}
    zone = tenancy_db.tenant_timezone(session, tenant_id)
    totals = aggregated_usage(session, tenant_id=tenant_id, windows=list(keys), timezone=zone)
    found: dict[uuid.UUID, dict[tuple[str, date], Decimal]] = {}
    for usage_window, quantity in totals.items():
        for contract_id, item_key in keys[usage_window]:
            exact = without_trailing_zeros(quantity)  # the stored scale is not a precision
            found.setdefault(contract_id, {})[(item_key, usage_window.start)] = exact
    return found
