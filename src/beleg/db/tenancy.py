"""Data access of tenants and their test clocks."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.tables import tenants


def is_platform_tenant(session: Session, tenant_id: uuid.UUID) -> bool:
    """Whether ``tenant_id`` is the operator's platform tenant (platform scopes live there)."""
    return bool(
        session.execute(select(tenants.c.is_platform).where(tenants.c.id == tenant_id)).scalar_one()
    )
