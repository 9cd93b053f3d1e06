"""SEPA mandates, scoped to one tenant, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import asdict
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import sepa_mandates
from beleg.domain.banking.mandates import Mandate, MandateStatus, MandateType
from beleg.domain.errors import Conflict

M = sepa_mandates.c


def mandate_from_row(row: Row[Any]) -> Mandate:
    return Mandate(
        id=row.id,
        customer_id=row.customer_id,
        payment_account_id=row.payment_account_id,
        reference=row.reference,
        signed_on=row.signed_on,
        mandate_type=MandateType(row.mandate_type),
        one_off=row.one_off,
        final=row.final,
        status=MandateStatus(row.status),
        iban=row.iban,
        bic=row.bic,
        account_holder=row.account_holder,
        collections=row.collections,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def find_mandate(
    session: Session, tenant_id: uuid.UUID, mandate_id: uuid.UUID, *, lock: bool = False
) -> Mandate | None:
    query = select(sepa_mandates).where(M.tenant_id == tenant_id, M.id == mandate_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else mandate_from_row(row)


def reference_taken(session: Session, tenant_id: uuid.UUID, reference: str) -> bool:
    query = select(M.id).where(M.tenant_id == tenant_id, M.reference == reference)
    return session.execute(query).first() is not None


def active_mandates(
    session: Session,
    tenant_id: uuid.UUID,
    customer_ids: Collection[uuid.UUID],
    *,
    lock: bool = True,
) -> dict[uuid.UUID, Mandate]:
    """Per customer its active mandate (the most recently signed one when there are
    several), locked until the transaction ends unless ``lock`` is False."""
    if not customer_ids:
        return {}
    query = (
        select(sepa_mandates)
        .where(
            M.tenant_id == tenant_id,
            M.status == MandateStatus.ACTIVE.value,
            M.customer_id.in_(sorted(customer_ids)),
        )
        .order_by(M.signed_on, M.created_at)
    )
    rows = session.execute(query.with_for_update() if lock else query).all()
    return {row.customer_id: mandate_from_row(row) for row in rows}


def _values(mandate: Mandate) -> dict[str, Any]:
    values = asdict(mandate)
    values["mandate_type"] = mandate.mandate_type.value
    values["status"] = mandate.status.value
    return values


def insert_mandate(session: Session, tenant_id: uuid.UUID, mandate: Mandate) -> None:
    """Insert the mandate; a reference taken meanwhile by a concurrent request (the unique
    constraint) is the same 409 naming ``reference`` as one taken before."""
    try:
        with session.begin_nested():
            session.execute(insert(sepa_mandates).values(tenant_id=tenant_id, **_values(mandate)))
    except IntegrityError as exc:
        raise Conflict(
            "banking.mandate_reference_taken", field="reference", reference=mandate.reference
        ) from exc


def update_mandate(session: Session, tenant_id: uuid.UUID, mandate: Mandate) -> None:
    values = _values(mandate)
    del values["id"]
    session.execute(
        update(sepa_mandates).where(M.tenant_id == tenant_id, M.id == mandate.id).values(**values)
    )


def mandate_snapshot(mandate: Mandate) -> dict[str, Any]:
    """What the audit trail records of a mandate (camelCase, JSON-ready)."""
    return {
        "id": str(mandate.id),
        "customer": str(mandate.customer_id),
        "paymentAccount": str(mandate.payment_account_id),
        "reference": mandate.reference,
        "signedOn": mandate.signed_on.isoformat(),
        "type": mandate.mandate_type.value,
        "oneOff": mandate.one_off,
        "final": mandate.final,
        "status": mandate.status.value,
        "iban": mandate.iban,
        "collections": mandate.collections,
    }


def delete_mandate(session: Session, tenant_id: uuid.UUID, mandate_id: uuid.UUID) -> None:
    session.execute(delete(sepa_mandates).where(M.tenant_id == tenant_id, M.id == mandate_id))
