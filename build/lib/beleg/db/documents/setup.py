"""Data access of the invoicing setup (seed 003 §3.4 "Setup lookups", §4.14), in the
caller's transaction and scoped to one tenant.

Resolving the setup a business document refers to: ``paymentTerm``, ``layoutSetup`` and
``sequenceGroup`` default to the tenant's default when omitted; an unknown id is a 400 naming
the field. Shared by the document service and the read side. Writing the setup: a new
tenant's rows, and the rows of the setup tables that have exactly one default per tenant
(payment terms, layout setups, sequence groups).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import dunning_levels, layout_setups, payment_terms, sequence_groups
from beleg.domain.documents.setup import (
    DunningLevelDefault,
    Language,
    LayoutSetup,
    PaymentTerm,
    Sender,
)
from beleg.domain.errors import Conflict, NotFound, ValidationFailed


@dataclass(frozen=True, slots=True)
class Reference:
    """How a document names a setup row: its table and default flag, the field, and the
    message codes of an id that is no id and of one that names nothing."""

    table: Table
    flag: str
    field: str
    invalid: str
    unknown: str


PAYMENT_TERM_REF = Reference(
    payment_terms,
    "default_term",
    "paymentTerm",
    "documents.payment_term_id_invalid",
    "documents.payment_term_unknown",
)
LAYOUT_SETUP_REF = Reference(
    layout_setups,
    "default_setup",
    "layoutSetup",
    "documents.layout_setup_id_invalid",
    "documents.layout_setup_unknown",
)
SEQUENCE_GROUP_REF = Reference(
    sequence_groups,
    "default_group",
    "sequenceGroup",
    "documents.sequence_group_id_invalid",
    "documents.sequence_group_unknown",
)


def _as_uuid(value: uuid.UUID | str, ref: Reference) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(ref.invalid, field=ref.field, value=value) from None


def _one(
    session: Session, ref: Reference, tenant_id: uuid.UUID, item_id: uuid.UUID | str | None
) -> Row[Any]:
    """The row ``item_id`` (400 naming the field when unknown) or the tenant's default."""
    table = ref.table
    query = select(table).where(table.c.tenant_id == tenant_id)
    if item_id is None:
        row = session.execute(query.where(table.c[ref.flag].is_(True))).one_or_none()
    else:
        row = session.execute(query.where(table.c.id == _as_uuid(item_id, ref))).one_or_none()
    if row is None:
        raise ValidationFailed(ref.unknown, field=ref.field, id=item_id)
    return row


def payment_term(
    session: Session, tenant_id: uuid.UUID, term_id: uuid.UUID | str | None
) -> PaymentTerm:
    """The payment term of a document: ``term_id``, or the default term when None.
    Unknown: ValidationFailed naming ``paymentTerm``."""
    row = _one(session, PAYMENT_TERM_REF, tenant_id, term_id)
    return PaymentTerm(row.id, row.name, row.due_days, row.dunning_days, row.fixed_due_date)


def layout_setup(
    session: Session, tenant_id: uuid.UUID, setup_id: uuid.UUID | str | None
) -> LayoutSetup:
    """The layout of a document: ``setup_id``, or the default setup when None.
    Unknown: ValidationFailed naming ``layoutSetup``."""
    row = _one(session, LAYOUT_SETUP_REF, tenant_id, setup_id)
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
    group_id: uuid.UUID = session.execute(
        select(sequence_groups.c.id).where(
            sequence_groups.c.tenant_id == tenant_id, sequence_groups.c.default_group.is_(True)
        )
    ).scalar_one()
    return group_id


def sequence_group_id(
    session: Session, tenant_id: uuid.UUID, group_id: uuid.UUID | str | None
) -> uuid.UUID:
    """The sequence group of a document: ``group_id`` (checked), or the default group when
    None. Unknown: ValidationFailed naming ``sequenceGroup``."""
    found: uuid.UUID = _one(session, SEQUENCE_GROUP_REF, tenant_id, group_id).id
    return found


# --- a new tenant's setup ----------------------------------------------------------------


def insert_payment_term(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    name: str,
    description: str,
    due_days: int,
    dunning_days: int,
    default_term: bool,
    now: datetime,
) -> None:
    session.execute(
        insert(payment_terms).values(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            name=name,
            description=description,
            due_days=due_days,
            dunning_days=dunning_days,
            default_term=default_term,
            fixed_due_date=False,
            created_at=now,
            updated_at=now,
        )
    )


def insert_default_layout_setup(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    description: str,
    language: Language,
    texts: dict[str, dict[str, dict[str, str]]],
    now: datetime,
) -> None:
    """The tenant's default layout, without a sender (the PDF then prints the tenant)."""
    session.execute(
        insert(layout_setups).values(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            description=description,
            default_setup=True,
            language=language.value,
            texts=texts,
            company_name=None,
            address_lines=[],
            vat_id=None,
            iban=None,
            bic=None,
            bank_name=None,
            created_at=now,
            updated_at=now,
        )
    )


def insert_dunning_level(
    session: Session,
    tenant_id: uuid.UUID,
    level: DunningLevelDefault,
    *,
    previous_id: uuid.UUID | None,
    account: str,
    tax_class_entry: str,
    now: datetime,
) -> uuid.UUID:
    """Store a dunning level (``level`` with its texts, not codes) after ``previous_id``."""
    level_id = uuid.uuid4()
    session.execute(
        insert(dunning_levels).values(
            tenant_id=tenant_id,
            id=level_id,
            internal_name=level.internal_name,
            description=level.description,
            document_subject=level.document_subject,
            fixed_fee=level.fixed_fee,
            fee_percentage=Decimal("0.0000"),
            dunning_days=level.dunning_days,
            previous_level_id=previous_id,
            line_text=level.line_text,
            end_text=level.end_text,
            account=account,
            tax_class_entry=tax_class_entry,
            default_flag=level.default_flag,
            created_at=now,
        )
    )
    return level_id


# --- setup tables with exactly one default row per tenant --------------------------------


@dataclass(frozen=True, slots=True)
class DefaultedKind:
    """A setup table with exactly one default row per tenant: ``flag`` is its boolean default
    column, ``field`` the API field of the flag, ``entity_type`` the audit entity type (also
    in messages), ``not_found`` the message code of an unknown id (parameter ``id``)."""

    table: Table
    flag: str
    field: str
    entity_type: str
    not_found: str


PAYMENT_TERM = DefaultedKind(
    payment_terms, "default_term", "defaultTerm", "PaymentTerm", "documents.payment_term_not_found"
)
LAYOUT_SETUP = DefaultedKind(
    layout_setups, "default_setup", "defaultSetup", "LayoutSetup", "documents.layout_not_found"
)


def locked_row(
    session: Session, kind: DefaultedKind, tenant_id: uuid.UUID, item_id: uuid.UUID
) -> dict[str, Any]:
    """The row ``item_id`` (its columns), locked; NotFound naming ``id`` otherwise."""
    table = kind.table
    row = session.execute(
        select(table).where(table.c.tenant_id == tenant_id, table.c.id == item_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(kind.not_found, field="id", id=item_id)
    return dict(row._mapping)


def clear_other_defaults(
    session: Session, kind: DefaultedKind, tenant_id: uuid.UUID, keep: uuid.UUID
) -> list[uuid.UUID]:
    """Switch the default flag off on every other row; returns their ids."""
    table, flag = kind.table, kind.table.c[kind.flag]
    others = list(
        session.execute(
            select(table.c.id)
            .where(table.c.tenant_id == tenant_id, flag.is_(True), table.c.id != keep)
            .with_for_update()
        ).scalars()
    )
    if others:
        session.execute(
            update(table)
            .where(table.c.tenant_id == tenant_id, table.c.id.in_(others))
            .values({kind.flag: False})
        )
    return others


def write_defaulted_row(
    session: Session, kind: DefaultedKind, tenant_id: uuid.UUID, row: dict[str, Any], *, new: bool
) -> None:
    """Insert (``new``) or replace the row ``row["id"]``; Conflict naming the flag's field if
    a concurrent transaction made another row the default meanwhile."""
    table = kind.table
    try:
        if new:
            session.execute(insert(table).values(**{**row, "tenant_id": tenant_id}))
        else:
            session.execute(
                update(table)
                .where(table.c.tenant_id == tenant_id, table.c.id == row["id"])
                .values(**row)
            )
    except IntegrityError:
        raise Conflict(
            "documents.default_changed_concurrently", field=kind.field, entity=kind.entity_type
        ) from None
