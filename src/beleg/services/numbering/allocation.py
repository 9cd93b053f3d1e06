"""Numbering business documents (seed 003 §3.4: a number at FINALIZED, from the sequence group;
seed 000: rules pick the counter; seed 001: the counter's or the strategy's prefix/suffix).

``allocate_document_number`` runs inside the caller's transaction, the one that finalises the
document. Configuration is read first; then the counter's series of the period is
incremented by the one allocator (``db/sequences.py``), whose row stays locked until the
caller's transaction ends: concurrent finalisations queue on it, a rolled-back one gives its
number back, so numbers are unique and gapless per counter (invariant 4).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, insert, select
from sqlalchemy.orm import Session

from beleg.db import sequences
from beleg.db.tables import (
    document_counters,
    number_rules,
    number_strategies,
    sequence_group_counters,
    sequence_groups,
    tenants,
)
from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import (
    DOCUMENT_NAMES_DE,
    Affixes,
    AffixSource,
    CounterConfig,
    CounterReset,
    CustomerType,
    DocumentType,
    NumberingContext,
    NumberRule,
    SequenceBase,
    default_counter,
    format_number,
    parse_enum,
    period_key,
    pick_counter,
)

DEFAULT_GROUP_NAME = "Standard"


def allocate_document_number(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    doc_type: DocumentType | str,
    doc_date: date,
    context: NumberingContext | None = None,
    sequence_group_id: uuid.UUID | str | None = None,
) -> str:
    """The next number of the counter that the rules (or else the sequence group) choose for
    this document, in the caller's transaction. An unknown ``sequence_group_id`` is a 400
    naming ``sequenceGroup``."""
    return allocate_document_numbers(
        session,
        tenant_id=tenant_id,
        doc_type=doc_type,
        doc_date=doc_date,
        context=context,
        sequence_group_id=sequence_group_id,
        count=1,
    )[0]


def allocate_document_numbers(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    doc_type: DocumentType | str,
    doc_date: date,
    context: NumberingContext | None = None,
    sequence_group_id: uuid.UUID | str | None = None,
    count: int = 1,
) -> list[str]:
    """``count`` consecutive numbers of one counter (a billing-run batch takes its block in
    its own transaction: still gapless, the batch commits whole or not at all). Everything
    is read before the counter row is locked, so the lock is held only from the reservation
    to the end of the caller's transaction."""
    if count < 1:
        raise ValueError("count must be at least 1")
    kind = parse_enum(DocumentType, doc_type, "type")
    choice = choose_counter(
        session,
        tenant_id=tenant_id,
        doc_type=kind,
        context=context or NumberingContext(kind),
        sequence_group_id=sequence_group_id,
    )
    config = choice.config
    strategy = (
        strategy_affixes(session, tenant_id, kind)
        if config.affix_source is AffixSource.STRATEGY
        else None
    )
    first = sequences.allocate(
        session,
        tenant_id=tenant_id,
        series=sequences.document_counter_series(choice.counter_id),
        period=period_key(config.reset, doc_date),
        start=config.start,
        count=count,
    )
    return [
        format_number(config, value, doc_date, strategy=strategy, test_mode=choice.test_mode)
        for value in range(first, first + count)
    ]


@dataclass(frozen=True, slots=True)
class CounterChoice:
    counter_id: uuid.UUID
    config: CounterConfig
    test_mode: bool


def _group_counter(
    session: Session,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    sequence_group_id: uuid.UUID | str | None,
) -> Any:
    """One row: the tenant's test mode, the sequence group (given, else the default) and
    the counter it assigns to ``doc_type``. Unknown group: 400 naming ``sequenceGroup``."""
    g, m, c = sequence_groups.c, sequence_group_counters.c, document_counters.c
    joined = (
        tenants.join(sequence_groups, g.tenant_id == tenants.c.id)
        .outerjoin(
            sequence_group_counters,
            and_(m.tenant_id == g.tenant_id, m.group_id == g.id, m.doc_type == doc_type.value),
        )
        .outerjoin(document_counters, and_(c.tenant_id == m.tenant_id, c.id == m.counter_id))
    )
    wanted = (
        g.default_group.is_(True)
        if sequence_group_id is None
        else g.id == _as_uuid(sequence_group_id, "sequenceGroup")
    )
    row = session.execute(
        select(tenants.c.test_mode, g.id.label("group_id"), document_counters)
        .select_from(joined)
        .where(tenants.c.id == tenant_id, wanted)
    ).one_or_none()
    if row is None:
        raise ValidationFailed(
            f"sequence group {sequence_group_id} does not exist",
            de="Nummernkreisgruppe nicht gefunden.",
            field="sequenceGroup",
        )
    if row.id is None:
        raise ValidationFailed(
            f"sequence group {row.group_id} has no counter for {doc_type}",
            de=f"Die Nummernkreisgruppe hat keinen Zähler für {doc_type}",
            field="sequenceGroup",
        )
    return row


def choose_counter(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    context: NumberingContext,
    sequence_group_id: uuid.UUID | str | None,
) -> CounterChoice:
    """Seed 000: the counter of the matching rule with the highest priority (ties: the rule
    created first); without one, the counter the sequence group assigns to the type."""
    row = _group_counter(session, tenant_id, doc_type, sequence_group_id)
    chosen = pick_counter(load_rules(session, tenant_id, doc_type), context)
    if chosen is None or chosen == row.id:
        return CounterChoice(row.id, config_of(row._mapping), bool(row.test_mode))
    return CounterChoice(
        chosen,
        counter_config(session, tenant_id, chosen),  # type: ignore[arg-type]
        bool(row.test_mode),
    )


def load_rules(session: Session, tenant_id: uuid.UUID, doc_type: DocumentType) -> list[NumberRule]:
    """The rules of one document type in creation order."""
    rules = number_rules.c
    rows = session.execute(
        select(number_rules)
        .where(rules.tenant_id == tenant_id, rules.doc_type == doc_type.value)
        .order_by(rules.position, rules.created_at)
    ).all()
    return [rule_of(row) for row in rows]


def rule_of(row: Any) -> NumberRule:
    return NumberRule(
        priority=row.priority,
        counter_id=row.counter_id,
        doc_type=DocumentType(row.doc_type),
        customer_type=CustomerType(row.customer_type) if row.customer_type else None,
        country=row.country,
        billing_group=row.billing_group,
        operating_site=row.operating_site,
    )


def counter_config(
    session: Session, tenant_id: uuid.UUID, counter_id: uuid.UUID, *, field: str = "counter"
) -> CounterConfig:
    row = session.execute(
        select(document_counters).where(
            document_counters.c.tenant_id == tenant_id, document_counters.c.id == counter_id
        )
    ).one_or_none()
    if row is None:
        raise ValidationFailed(
            f"document counter {counter_id} does not exist",
            de="Zähler nicht gefunden.",
            field=field,
        )
    return config_of(row._mapping)


def config_of(values: Mapping[str, Any]) -> CounterConfig:
    """The configuration of a document_counters row (as a mapping)."""
    return CounterConfig(
        prefix=values["prefix"],
        suffix=values["suffix"],
        width=values["width"],
        reset=CounterReset(values["reset"]),
        start=int(values["start"]),
        affix_source=AffixSource(values["affix_source"]),
    )


def strategy_affixes(
    session: Session, tenant_id: uuid.UUID, doc_type: DocumentType
) -> Affixes | None:
    row = session.execute(
        select(number_strategies.c.prefix, number_strategies.c.suffix).where(
            number_strategies.c.tenant_id == tenant_id,
            number_strategies.c.doc_type == doc_type.value,
        )
    ).one_or_none()
    return Affixes(row.prefix, row.suffix) if row else None


def _as_uuid(value: uuid.UUID | str, field: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(
            f"{field} {value!r} is not a valid id",
            de=f"{field} {value!r} ist keine gültige ID",
            field=field,
        ) from None


def counter_row(
    tenant_id: uuid.UUID, name: str, config: CounterConfig, now: datetime
) -> dict[str, Any]:
    """The values of a new document_counters row."""
    return {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "name": name,
        "prefix": config.prefix,
        "suffix": config.suffix,
        "width": config.width,
        "reset": config.reset.value,
        "start": config.start,
        "affix_source": config.affix_source.value,
        "created_at": now,
        "updated_at": now,
    }


def assign_counters(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    name: str,
    base: SequenceBase,
    now: datetime,
    counters: dict[DocumentType, uuid.UUID] | None = None,
) -> dict[DocumentType, uuid.UUID]:
    """Give a new sequence group a counter per document type: the given ones, new default
    counters (``default_counter`` of its base) for the rest."""
    chosen = dict(counters or {})
    missing = [t for t in DocumentType if t not in chosen]
    new_rows = [
        counter_row(tenant_id, f"{DOCUMENT_NAMES_DE[t]} ({name})", default_counter(t, base), now)
        for t in missing
    ]
    if new_rows:
        session.execute(insert(document_counters), new_rows)
    chosen.update({t: row["id"] for t, row in zip(missing, new_rows, strict=True)})
    session.execute(
        insert(sequence_group_counters),
        [
            {
                "tenant_id": tenant_id,
                "group_id": group_id,
                "doc_type": t.value,
                "counter_id": chosen[t],
            }
            for t in DocumentType
        ],
    )
    return chosen


def install_numbering_defaults(
    session: Session, *, tenant_id: uuid.UUID, now: datetime
) -> uuid.UUID:
    """A new tenant's numbering (in its creating transaction): the default sequence group
    "Standard" (ANNUAL: ``R 2026 1``, ``G 2026 1``, ... restarting every year) and strategy
    affixes equal to the counters' own, so switching a counter to STRATEGY changes nothing
    until the strategy is edited. Returns the group id."""
    group_id = uuid.uuid4()
    session.execute(
        insert(sequence_groups).values(
            tenant_id=tenant_id,
            id=group_id,
            name=DEFAULT_GROUP_NAME,
            base=SequenceBase.ANNUAL.value,
            default_group=True,
            created_at=now,
            updated_at=now,
        )
    )
    counters = assign_counters(
        session,
        tenant_id=tenant_id,
        group_id=group_id,
        name=DEFAULT_GROUP_NAME,
        base=SequenceBase.ANNUAL,
        now=now,
    )
    session.execute(
        insert(number_strategies),
        [
            {
                "tenant_id": tenant_id,
                "doc_type": t.value,
                "prefix": default_counter(t, SequenceBase.ANNUAL).prefix,
                "suffix": "",
                "updated_at": now,
            }
            for t in counters
        ],
    )
    return group_id
