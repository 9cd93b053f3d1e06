"""The usage a contract's usage windows add up to, for the charge calculation: per contract,
(item key, first day of the window) -> aggregated quantity (``domain.billing.days``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from beleg.db import Session
from beleg.domain.billing.schedule import Schedule


def usage_of(
    session: Session,
    tenant_id: uuid.UUID,
    schedules: Mapping[uuid.UUID, Schedule],
    *,
    until: date,
) -> dict[uuid.UUID, dict[tuple[str, date], Decimal]]:
    """No usage is recorded yet: /v2/usages lands with the usage events."""
    return {}
