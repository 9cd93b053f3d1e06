"""What a receipt's print needs (its PDF, its Star segments, its mail): the stored receipt, the
register's layout, the seller of the tenant's default layout setup and the tenant's time zone,
read in the caller's transaction and scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.documents.setup import layout_setup
from beleg.db.tables import cash_receipts, cash_registers, tenants
from beleg.domain.errors import NotFound


@dataclass(frozen=True, slots=True)
class PrintFacts:
    register: int
    register_name: str
    layout: Mapping[str, Any]
    row: Any  # the cash_receipts row
    seller_name: str
    seller_lines: tuple[str, ...]
    seller_vat_id: str | None
    language: str  # of the tenant's default layout setup
    currency: str  # the tenant's main currency
    zone: ZoneInfo


def print_facts(session: Session, tenant_id: uuid.UUID, number: int, receipt: str) -> PrintFacts:
    """The receipt ``receipt`` of register ``number``; NotFound names ``cash_register`` or
    ``receipt``."""
    register = session.execute(
        select(cash_registers).where(
            cash_registers.c.tenant_id == tenant_id, cash_registers.c.number == number
        )
    ).one_or_none()
    if register is None:
        raise NotFound("pos.register_not_found", field="cash_register", number=number)
    row = session.execute(
        select(cash_receipts).where(
            cash_receipts.c.tenant_id == tenant_id,
            cash_receipts.c.register_no == number,
            cash_receipts.c.number == receipt,
        )
    ).one_or_none()
    if row is None:
        raise NotFound("pos.receipt_not_found", field="receipt", receipt=receipt, register=number)
    tenant = session.execute(
        select(tenants.c.name, tenants.c.timezone, tenants.c.currency).where(
            tenants.c.id == tenant_id
        )
    ).one()
    setup = layout_setup(session, tenant_id, None)
    sender = setup.sender
    return PrintFacts(
        register=number,
        register_name=register.name,
        layout=dict(register.layout),
        row=row,
        seller_name=sender.company_name or tenant.name,
        seller_lines=tuple(sender.address_lines),
        seller_vat_id=sender.vat_id,
        language=setup.language.value,
        currency=tenant.currency,
        zone=ZoneInfo(tenant.timezone),
    )
