"""Resolving the setup a business document refers to (seed 003 §3.4: ``paymentTerm``,
``layoutSetup`` and ``sequenceGroup`` default to the tenant's default when omitted; an unknown
id is a 400 naming the field). Shared by the document service and the read side."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.tables import layout_setups, payment_terms, sequence_groups
from beleg.domain.documents.setup import Language, LayoutSetup, PaymentTerm, Sender
from beleg.domain.errors import ValidationFailed


def _as_uuid(value: uuid.UUID | str, field: str, label: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(
            f"{label} {value!r} does not exist",
            de=f"{label} {value!r} existiert nicht",
            field=field,
        ) from None


def _one(
    session: Session,
    table: Any,
    flag: str,
    tenant_id: uuid.UUID,
    item_id: uuid.UUID | str | None,
    *,
    field: str,
    label: str,
) -> Any:
    """The row ``item_id`` (400 naming ``field`` when unknown) or the tenant's default."""
    query = select(table).where(table.c.tenant_id == tenant_id)
    if item_id is None:
        row = session.execute(query.where(table.c[flag].is_(True))).one_or_none()
    else:
        row = session.execute(
            query.where(table.c.id == _as_uuid(item_id, field, label))
        ).one_or_none()
    if row is None:
        raise ValidationFailed(
            f"{label} {item_id} does not exist",
            de=f"{label} {item_id} existiert nicht",
            field=field,
        )
    return row


def payment_term(
    session: Session, tenant_id: uuid.UUID, term_id: uuid.UUID | str | None
) -> PaymentTerm:
    """The payment term of a document: ``term_id``, or the default term when None.
    Unknown: ValidationFailed naming ``paymentTerm``."""
    row = _one(
        session,
        payment_terms,
        "default_term",
        tenant_id,
        term_id,
        field="paymentTerm",
        label="payment term",
    )
    return PaymentTerm(row.id, row.name, row.due_days, row.dunning_days, row.fixed_due_date)


def layout_setup(
    session: Session, tenant_id: uuid.UUID, setup_id: uuid.UUID | str | None
) -> LayoutSetup:
    """The layout of a document: ``setup_id``, or the default setup when None.
    Unknown: ValidationFailed naming ``layoutSetup``."""
    row = _one(
        session,
        layout_setups,
        "default_setup",
        tenant_id,
        setup_id,
        field="layoutSetup",
        label="layout setup",
    )
    return LayoutSetup(
        row.id,
        row.description,
        Language(row.language),
        dict(row.texts),
        Sender(
            row.company_name, tuple(row.address_lines), row.vat_id, row.iban, row.bic, row.bank_name
        ),
    )


def default_sequence_group_id(session: Session, tenant_id: uuid.UUID) -> uuid.UUID:
    """The tenant's default sequence group (every tenant has exactly one)."""
    return session.execute(
        select(sequence_groups.c.id).where(  # type: ignore[no-any-return]
            sequence_groups.c.tenant_id == tenant_id, sequence_groups.c.default_group.is_(True)
        )
    ).scalar_one()


def sequence_group_id(
    session: Session, tenant_id: uuid.UUID, group_id: uuid.UUID | str | None
) -> uuid.UUID:
    """The sequence group of a document: ``group_id`` (checked), or the default group when
    None. Unknown: ValidationFailed naming ``sequenceGroup``."""
    row = _one(
        session,
        sequence_groups,
        "default_group",
        tenant_id,
        group_id,
        field="sequenceGroup",
        label="sequence group",
    )
    return row.id  # type: ignore[no-any-return]
