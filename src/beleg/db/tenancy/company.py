"""Data access of the tenant's company data (the seller of its documents)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, fields
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import tenant_companies
from beleg.domain.tenancy.company import CompanyData

_COLUMNS = tuple(f.name for f in fields(CompanyData))


def load_company(session: Session, tenant_id: uuid.UUID, *, lock: bool = False) -> CompanyData:
    """The tenant's company data; every field unset while the tenant has filled in none."""
    C = tenant_companies.c
    query = select(*(C[name] for name in _COLUMNS)).where(C.tenant_id == tenant_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        return CompanyData()
    return CompanyData(**row._asdict())


def save_company(
    session: Session, tenant_id: uuid.UUID, company: CompanyData, *, now: datetime
) -> None:
    """Insert or replace the tenant's company data."""
    values = {**asdict(company), "updated_at": now}
    done = session.execute(
        update(tenant_companies).where(tenant_companies.c.tenant_id == tenant_id).values(**values)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(tenant_companies).values(tenant_id=tenant_id, **values))
