"""Read side of the invoicing setup (seed 003 §4.14): the lookups the accounting API lists,
the /v2 lists, and the resolvers the document service calls when it defaults a document's
payment term and layout (seed 003 §3.4: omitted means the default)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.database import Database
from beleg.db.documents.setup import (
    default_sequence_group_id,
    layout_setup,
    payment_term,
    sequence_group_id,
)
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import dunning_levels, layout_setups, payment_terms, sequence_groups
from beleg.domain.documents.setup import Language
from beleg.domain.errors import NotFound
from beleg.queries.listing import ListSpec

# The resolvers a document uses (the default when no id is given) live in the db layer, so
# the document service and the read side share them.
__all__ = [
    "default_sequence_group_id",
    "dunning_level_dtos",
    "get_layout_setup",
    "get_payment_term",
    "layout_setup",
    "layout_setup_dtos",
    "layout_setup_item",
    "layout_setup_list",
    "payment_term",
    "payment_term_dtos",
    "payment_term_item",
    "payment_term_list",
    "sequence_group_dtos",
    "sequence_group_id",
]


# --- the accounting API (seed 003 §4.14): DTO field names exactly -------------------------


def _ordered(session: Session, table: Any, tenant_id: uuid.UUID, *order: Any) -> list[Any]:
    return list(
        session.execute(select(table).where(table.c.tenant_id == tenant_id).order_by(*order)).all()
    )


def payment_term_dtos(*, db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """PaymentTermDto: id, name, description, dueDays, dunningDays, defaultTerm."""
    with db.reader() as session:
        rows = _ordered(
            session, payment_terms, tenant_id, payment_terms.c.created_at, payment_terms.c.name
        )
    return [
        {
            "id": str(r.id),
            "name": r.name,
            "description": r.description,
            "dueDays": r.due_days,
            "dunningDays": r.dunning_days,
            "defaultTerm": r.default_term,
        }
        for r in rows
    ]


def layout_setup_dtos(*, db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """LayoutSetupDto: id, description, defaultSetup."""
    with db.reader() as session:
        rows = _ordered(
            session,
            layout_setups,
            tenant_id,
            layout_setups.c.created_at,
            layout_setups.c.description,
        )
    return [
        {"id": str(r.id), "description": r.description, "defaultSetup": r.default_setup}
        for r in rows
    ]


def sequence_group_dtos(*, db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """SequenceGroupDto: id, name, base, defaultGroup."""
    with db.reader() as session:
        rows = _ordered(
            session,
            sequence_groups,
            tenant_id,
            sequence_groups.c.created_at,
            sequence_groups.c.name,
        )
    return [
        {"id": str(r.id), "name": r.name, "base": r.base, "defaultGroup": r.default_group}
        for r in rows
    ]


def _chain_order(rows: list[Any]) -> list[Any]:
    """Dunning levels in chain order: each first level followed by its successors."""
    after: dict[Any, list[Any]] = {}
    for row in rows:
        after.setdefault(row.previous_level_id, []).append(row)
    ordered: list[Any] = []
    pending = list(reversed(after.get(None, [])))
    while pending:
        row = pending.pop()
        ordered.append(row)
        pending.extend(reversed(after.get(row.id, [])))
    seen = {row.id for row in ordered}
    return ordered + [row for row in rows if row.id not in seen]


def dunning_level_dtos(
    *, db: Database, tenant_id: uuid.UUID, first_only: bool = False
) -> list[dict[str, Any]]:
    """DunningLevelDto in chain order; ``first_only``: the levels without a previousLevel."""
    with db.reader() as session:
        rows = _ordered(
            session,
            dunning_levels,
            tenant_id,
            dunning_levels.c.created_at,
            dunning_levels.c.internal_name,
        )
    if first_only:
        rows = [r for r in rows if r.previous_level_id is None]
    return [
        {
            "id": str(r.id),
            "internalName": r.internal_name,
            "description": r.description,
            "documentSubject": r.document_subject,
            "fixedFee": r.fixed_fee,
            "feePercentage": r.fee_percentage,
            "dunningDays": r.dunning_days,
            "previousLevel": str(r.previous_level_id) if r.previous_level_id else None,
            "dunningLineText": r.line_text,
            "account": r.account,
            "dunningEndText": r.end_text,
            "taxClassEntry": r.tax_class_entry,
            "defaultFlag": r.default_flag,
        }
        for r in _chain_order(rows)
    ]


# --- the Billing API (/v2) -------------------------------------------------------------


def payment_term_item(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "dueDays": row["due_days"],
        "dunningDays": row["dunning_days"],
        "fixedDueDate": row["fixed_due_date"],
        "defaultTerm": row["default_term"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def layout_setup_item(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "description": row["description"],
        "defaultSetup": row["default_setup"],
        "language": row["language"],
        "texts": row["texts"],
        "sender": {
            "companyName": row["company_name"],
            "addressLines": list(row["address_lines"]),
            "vatId": row["vat_id"],
            "iban": row["iban"],
            "bic": row["bic"],
            "bankName": row["bank_name"],
        },
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def payment_term_list(tenant_id: uuid.UUID) -> ListSpec:
    c = payment_terms.c
    return ListSpec(
        statement=select(payment_terms).where(c.tenant_id == tenant_id),
        filters={
            "name": FilterField(c.name),
            "dueDays": FilterField(c.due_days, Kind.INTEGER),
            "dunningDays": FilterField(c.dunning_days, Kind.INTEGER),
            "defaultTerm": FilterField(c.default_term, Kind.BOOLEAN),
        },
        sortable={"name": c.name, "dueDays": c.due_days, "createdAt": c.created_at},
        default_sort=[c.created_at, c.id],
        to_item=lambda row: payment_term_item(row._mapping),
        columns=[
            "id",
            "name",
            "description",
            "dueDays",
            "dunningDays",
            "fixedDueDate",
            "defaultTerm",
            "createdAt",
            "updatedAt",
        ],
    )


def layout_setup_list(tenant_id: uuid.UUID) -> ListSpec:
    c = layout_setups.c
    return ListSpec(
        statement=select(layout_setups).where(c.tenant_id == tenant_id),
        filters={
            "description": FilterField(c.description),
            "language": FilterField(c.language, Kind.ENUM, tuple(Language)),
            "defaultSetup": FilterField(c.default_setup, Kind.BOOLEAN),
        },
        sortable={"description": c.description, "createdAt": c.created_at},
        default_sort=[c.created_at, c.id],
        to_item=lambda row: layout_setup_item(row._mapping),
        columns=["id", "description", "defaultSetup", "language", "createdAt", "updatedAt"],
    )


def _get(
    db: Database, table: Any, tenant_id: uuid.UUID, item_id: uuid.UUID
) -> Mapping[Any, Any] | None:
    with db.reader() as session:
        row = session.execute(
            select(table).where(table.c.tenant_id == tenant_id, table.c.id == item_id)
        ).one_or_none()
    return None if row is None else row._mapping


def get_payment_term(*, db: Database, tenant_id: uuid.UUID, term_id: uuid.UUID) -> dict[str, Any]:
    row = _get(db, payment_terms, tenant_id, term_id)
    if row is None:
        raise NotFound("documents.payment_term_id_not_found", field="id", id=term_id)
    return payment_term_item(row)


def get_layout_setup(*, db: Database, tenant_id: uuid.UUID, setup_id: uuid.UUID) -> dict[str, Any]:
    row = _get(db, layout_setups, tenant_id, setup_id)
    if row is None:
        raise NotFound("documents.layout_setup_id_not_found", field="id", id=setup_id)
    return layout_setup_item(row)
