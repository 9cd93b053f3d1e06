"""Data access of deposit invoices (seed 003 §3.4 deposits): which final invoice settled
them, and how much an order confirmation has invoiced as deposits. In the caller's
transaction, scoped to one tenant."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import sales_documents
from beleg.domain.documents.model import State, TypeCode

D = sales_documents.c


def mark_deposit_settled(
    session: Session,
    tenant_id: uuid.UUID,
    deposit_id: uuid.UUID,
    *,
    settled_by: uuid.UUID,
    at: datetime,
) -> None:
    session.execute(
        update(sales_documents)
        .where(D.tenant_id == tenant_id, D.id == deposit_id)
        .values(deposit_settled_by=settled_by, updated_at=at)
    )


def release_deposits(session: Session, tenant_id: uuid.UUID, settled_by: uuid.UUID) -> None:
    """The deposit invoices ``settled_by`` had settled are open for settlement again."""
    session.execute(
        update(sales_documents)
        .where(D.tenant_id == tenant_id, D.deposit_settled_by == settled_by)
        .values(deposit_settled_by=None)
    )


def deposits_invoiced(session: Session, tenant_id: uuid.UUID, order_id: uuid.UUID) -> Decimal:
    """The total of the standing deposit invoices of the order confirmation ``order_id``."""
    invoiced = session.execute(
        select(func.coalesce(func.sum(D.total), 0)).where(
            D.tenant_id == tenant_id,
            D.source_id == order_id,
            D.type_code == TypeCode.PREPAYMENT_INVOICE.value,
            D.state != State.CANCELLED.value,
        )
    ).scalar_one()
    return Decimal(invoiced)
