"""The invoicing setup (seed 003 §3.4 "Setup lookups", §4.14): a new tenant's payment terms,
layout setup, dunning levels and numbering, and the changes an administrator makes to
payment terms and layout setups. Exactly one of each is the default: making one the default
clears the old one (both audited); the default cannot simply be switched off.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.documents.setup import (
    default_sequence_group_id,
    layout_setup,
    payment_term,
    sequence_group_id,
)
from beleg.db.tables import dunning_levels, layout_setups, payment_terms
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.setup import (
    DEFAULT_DUNNING_LEVELS,
    DEFAULT_PAYMENT_TERMS,
    DEFAULT_TEXTS,
    Language,
    check_payment_term,
    check_sender,
    check_text,
    check_texts,
    dunning_fee_account,
)
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.charts import Chart
from beleg.domain.numbering.counters import parse_enum
from beleg.services.numbering.allocation import install_numbering_defaults

__all__ = [
    "default_sequence_group_id",
    "install_invoicing_setup",
    "layout_setup",
    "payment_term",
    "save_defaulted",
    "save_layout_setup",
    "save_payment_term",
    "sequence_group_id",
]

DEFAULT_LAYOUT = "Standard"
# Runs after a defaulted row is written: (session, new row, row before or None).
AfterWrite = Callable[[Session, dict[str, Any], dict[str, Any] | None], None]


@dataclass(frozen=True, slots=True)
class DefaultedKind:
    """A setup table with exactly one default row per tenant."""

    table: Table
    flag: str  # the boolean default column
    field: str  # the API field of the flag
    entity_type: str  # audit entity type, also in messages
    not_found_de: str


PAYMENT_TERM = DefaultedKind(
    payment_terms, "default_term", "defaultTerm", "PaymentTerm", "Zahlungsbedingung nicht gefunden."
)
LAYOUT_SETUP = DefaultedKind(
    layout_setups, "default_setup", "defaultSetup", "LayoutSetup", "Layout nicht gefunden."
)


def install_invoicing_setup(
    session: Session, *, tenant_id: uuid.UUID, chart: Chart, now: datetime
) -> None:
    """A new tenant's setup, in its creating transaction: payment terms "14 Tage netto"
    (default) and "5 Tage", the layout "Standard" with German and English texts, the dunning
    chain 1. Zahlungserinnerung -> 1. Mahnung (5.00) -> 2. Mahnung (10.00) booking fees to a
    0 % revenue account of ``chart``, and the numbering defaults."""
    session.execute(
        insert(payment_terms),
        [
            {
                "tenant_id": tenant_id,
                "id": uuid.uuid4(),
                "name": name,
                "description": text,
                "due_days": due,
                "dunning_days": dunning,
                "default_term": default,
                "fixed_due_date": False,
                "created_at": now,
                "updated_at": now,
            }
            for name, text, due, dunning, default in DEFAULT_PAYMENT_TERMS
        ],
    )
    session.execute(
        insert(layout_setups).values(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            description=DEFAULT_LAYOUT,
            default_setup=True,
            language=Language.DE.value,
            texts={k.value: v for k, v in DEFAULT_TEXTS.items()},
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
    _install_dunning_levels(session, tenant_id, chart, now)
    install_numbering_defaults(session, tenant_id=tenant_id, now=now)


def _install_dunning_levels(
    session: Session, tenant_id: uuid.UUID, chart: Chart, now: datetime
) -> None:
    account, tax_entry = dunning_fee_account(chart)
    if tax_entry not in chart.account(account).tax_codes:  # the chart must allow the pair
        raise ValueError(f"{chart.name}: {account} does not allow tax class entry {tax_entry}")
    previous: uuid.UUID | None = None
    for level in DEFAULT_DUNNING_LEVELS:
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
                previous_level_id=previous,
                line_text=level.line_text,
                end_text=level.end_text,
                account=account,
                tax_class_entry=tax_entry,
                default_flag=level.default_flag,
                created_at=now,
            )
        )
        previous = level_id


def locked_row(
    session: Session, kind: DefaultedKind, tenant_id: uuid.UUID, item_id: uuid.UUID
) -> dict[str, Any]:
    table = kind.table
    row = session.execute(
        select(table).where(table.c.tenant_id == tenant_id, table.c.id == item_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(
            f"{kind.entity_type} {item_id} does not exist", de=kind.not_found_de, field="id"
        )
    return dict(row._mapping)


def clear_other_defaults(
    session: Session, kind: DefaultedKind, tenant_id: uuid.UUID, keep: uuid.UUID
) -> list[Change]:
    """Switch the default flag off on every other row; the audit changes for them."""
    table, flag = kind.table, kind.table.c[kind.flag]
    others = (
        session.execute(
            select(table.c.id)
            .where(table.c.tenant_id == tenant_id, flag.is_(True), table.c.id != keep)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    if others:
        session.execute(
            update(table)
            .where(table.c.tenant_id == tenant_id, table.c.id.in_(others))
            .values({kind.flag: False})
        )
    return [
        Change(AuditAction.UPDATE, kind.entity_type, other, {kind.field: True}, {kind.field: False})
        for other in others
    ]


def save_defaulted(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    kind: DefaultedKind,
    values: dict[str, Any],
    clock: Clock,
    item_id: uuid.UUID | None = None,
    extra: AfterWrite | None = None,
) -> dict[str, Any]:
    """Create (no ``item_id``) or replace a row of a defaulted setup table with validated
    ``values`` (including the flag), keeping exactly one default; ``extra`` runs after the
    row is written (sequence groups store their counters). Audited, one transaction."""
    try:
        with db.transaction() as session:
            before = locked_row(session, kind, tenant_id, item_id) if item_id else None
            if before and before[kind.flag] and not values[kind.flag]:
                raise ValidationFailed(
                    f"this is the default {kind.entity_type}; make another one the default instead",
                    de="Es muss genau einen Standardeintrag geben; setzen Sie "
                    "einen anderen als Standard.",
                    field=kind.field,
                )
            now = clock.now()
            row = {
                **(before or {"tenant_id": tenant_id, "id": uuid.uuid4(), "created_at": now}),
                **values,
                "updated_at": now,
            }
            changes = (
                clear_other_defaults(session, kind, tenant_id, row["id"])
                if values[kind.flag]
                else []
            )
            table = kind.table
            if before is None:
                session.execute(insert(table).values(**row))
            else:
                session.execute(
                    update(table)
                    .where(table.c.tenant_id == tenant_id, table.c.id == row["id"])
                    .values(**row)
                )
            if extra is not None:
                extra(session, row, before)
            changes.insert(
                0,
                Change(
                    AuditAction.UPDATE if before else AuditAction.CREATE,
                    kind.entity_type,
                    row["id"],
                    _snapshot(before),
                    _snapshot(row),
                ),
            )
            record_changes(session, actor=actor, tenant_id=tenant_id, changes=changes, clock=clock)
            return row
    except IntegrityError:  # a concurrent change made another row the default
        raise Conflict(
            f"the default {kind.entity_type} was changed concurrently; try again", field=kind.field
        ) from None


def _snapshot(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: v for k, v in row.items() if k not in ("tenant_id", "created_at", "updated_at")}


def save_payment_term(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    values: dict[str, Any],
    clock: Clock,
    term_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Create or replace a payment term (name, description, due_days, dunning_days,
    fixed_due_date, default_term)."""
    checked = {
        **check_payment_term(values),
        "default_term": bool(values.get("default_term", False)),
    }
    return save_defaulted(
        db=db,
        actor=actor,
        tenant_id=tenant_id,
        kind=PAYMENT_TERM,
        values=checked,
        clock=clock,
        item_id=term_id,
    )


def save_layout_setup(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    values: dict[str, Any],
    clock: Clock,
    setup_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Create or replace a layout setup (description, language, texts, sender,
    default_setup). Texts omitted: a new setup gets the standard texts, a replaced one keeps
    its texts."""
    description = check_text(values.get("description"), "description")
    if not description:
        raise ValidationFailed(
            "description must not be empty",
            de="description darf nicht leer sein",
            field="description",
        )
    texts = values.get("texts")
    checked = {
        "description": description,
        "language": parse_enum(Language, values.get("language") or "de", "language").value,
        **check_sender(values.get("sender") or {}),
        "default_setup": bool(values.get("default_setup", False)),
    }
    if texts is not None:
        checked["texts"] = check_texts(texts)
    elif setup_id is None:
        checked["texts"] = {k.value: v for k, v in DEFAULT_TEXTS.items()}
    return save_defaulted(
        db=db,
        actor=actor,
        tenant_id=tenant_id,
        kind=LAYOUT_SETUP,
        values=checked,
        clock=clock,
        item_id=setup_id,
    )
