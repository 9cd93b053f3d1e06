"""The invoicing setup (seed 003 §3.4 "Setup lookups", §4.14): a new tenant's payment terms,
layout setup, dunning levels and numbering, and the changes an administrator makes to
payment terms and layout setups. Exactly one of each is the default: making one the default
clears the old one (both audited); the default cannot simply be switched off.

The rows of these setup tables (payment terms, layout setups and, through the numbering
context, sequence groups) are handled generically by ``save_defaulted`` as column mappings:
they are the API's rows one to one, and the numbering context's ``extra`` step reads them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from beleg import messages
from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.documents import setup as repo
from beleg.db.documents.setup import LAYOUT_SETUP, PAYMENT_TERM, DefaultedKind
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.setup import (
    DEFAULT_DUNNING_LEVELS,
    DEFAULT_LAYOUT,
    DEFAULT_PAYMENT_TERMS,
    DEFAULT_TEXT_CODES,
    DunningLevelDefault,
    Language,
    check_payment_term,
    check_sender,
    check_text,
    check_texts,
    dunning_fee_account,
)
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.charts import Chart
from beleg.domain.numbering.counters import parse_enum
from beleg.services.numbering.counters import install_numbering_defaults

__all__ = [
    "LAYOUT_SETUP",
    "PAYMENT_TERM",
    "DefaultedKind",
    "install_invoicing_setup",
    "save_defaulted",
    "save_layout_setup",
    "save_payment_term",
]

SETUP_LANGUAGE = "de"  # the language a new tenant's setup texts are written in
# Runs after a defaulted row is written: (session, new row, row before or None).
AfterWrite = Callable[[Session, dict[str, Any], dict[str, Any] | None], None]


def install_invoicing_setup(
    session: Session, *, tenant_id: uuid.UUID, chart: Chart, now: datetime
) -> None:
    """A new tenant's setup, in its creating transaction: payment terms "14 Tage netto"
    (default) and "5 Tage", the layout "Standard" with German and English texts, the dunning
    chain 1. Zahlungserinnerung -> 1. Mahnung (5.00) -> 2. Mahnung (10.00) booking fees to a
    0 % revenue account of ``chart``, and the numbering defaults."""
    for term in DEFAULT_PAYMENT_TERMS:
        repo.insert_payment_term(
            session,
            tenant_id,
            name=messages.text(term.name, SETUP_LANGUAGE),
            description=messages.text(term.description, SETUP_LANGUAGE),
            due_days=term.due_days,
            dunning_days=term.dunning_days,
            default_term=term.default_term,
            now=now,
        )
    repo.insert_default_layout_setup(
        session,
        tenant_id,
        description=messages.text(DEFAULT_LAYOUT, SETUP_LANGUAGE),
        language=Language.DE,
        texts=_standard_texts(),
        now=now,
    )
    _install_dunning_levels(session, tenant_id, chart, now)
    install_numbering_defaults(session, tenant_id=tenant_id, now=now)


def _standard_texts() -> dict[str, dict[str, dict[str, str]]]:
    """The standard texts of a layout setup: {doc type: {de|en: {description, footer}}}."""
    return {
        doc_type.value: {
            language.value: {
                "description": messages.text(description, language.value),
                "footer": messages.text(footer, language.value),
            }
            for language in (Language.DE, Language.EN)
        }
        for doc_type, (description, footer) in DEFAULT_TEXT_CODES.items()
    }


def _install_dunning_levels(
    session: Session, tenant_id: uuid.UUID, chart: Chart, now: datetime
) -> None:
    account, tax_entry = dunning_fee_account(chart)
    if tax_entry not in chart.account(account).tax_codes:  # the chart must allow the pair
        raise ValueError(f"{chart.name}: {account} does not allow tax class entry {tax_entry}")
    previous: uuid.UUID | None = None
    for level in DEFAULT_DUNNING_LEVELS:
        previous = repo.insert_dunning_level(
            session,
            tenant_id,
            _rendered(level),
            previous_id=previous,
            account=account,
            tax_class_entry=tax_entry,
            now=now,
        )


def _rendered(level: DunningLevelDefault) -> DunningLevelDefault:
    """``level`` with its texts in the setup language instead of their codes."""

    def render(code: str) -> str:
        return messages.text(code, SETUP_LANGUAGE)

    return replace(
        level,
        internal_name=render(level.internal_name),
        description=render(level.description),
        document_subject=render(level.document_subject),
        line_text=render(level.line_text),
        end_text=render(level.end_text),
    )


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
    with db.transaction() as session:
        before = repo.locked_row(session, kind, tenant_id, item_id) if item_id else None
        if before and before[kind.flag] and not values[kind.flag]:
            raise ValidationFailed(
                "documents.default_required", field=kind.field, entity=kind.entity_type
            )
        now = clock.now()
        row = {
            **(before or {"tenant_id": tenant_id, "id": uuid.uuid4(), "created_at": now}),
            **values,
            "updated_at": now,
        }
        cleared = (
            repo.clear_other_defaults(session, kind, tenant_id, row["id"])
            if values[kind.flag]
            else []
        )
        repo.write_defaulted_row(session, kind, tenant_id, row, new=before is None)
        if extra is not None:
            extra(session, row, before)
        action = AuditAction.UPDATE if before else AuditAction.CREATE
        changes = [Change(action, kind.entity_type, row["id"], _snapshot(before), _snapshot(row))]
        changes += [
            Change(
                AuditAction.UPDATE, kind.entity_type, other, {kind.field: True}, {kind.field: False}
            )
            for other in cleared
        ]
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=changes, clock=clock)
        return row


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
        raise ValidationFailed("documents.description_empty", field="description")
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
        checked["texts"] = _standard_texts()
    return save_defaulted(
        db=db,
        actor=actor,
        tenant_id=tenant_id,
        kind=LAYOUT_SETUP,
        values=checked,
        clock=clock,
        item_id=setup_id,
    )
