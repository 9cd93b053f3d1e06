"""Data access of document numbering: counters, the number strategy of each document type
with its rules, sequence groups with the counter of each document type, and what numbering a
document reads before its counter is incremented. Every function runs in the caller's
transaction and is scoped to one tenant. The counters' values are series of the one allocator
(``db/sequences.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.db.tables import (
    document_counters,
    number_rules,
    number_strategies,
    sequence_group_counters,
    sequence_groups,
    tenants,
)
from beleg.domain.errors import Conflict
from beleg.domain.numbering.counters import (
    Affixes,
    AffixSource,
    CounterConfig,
    CounterReset,
    CustomerType,
    DocumentCounter,
    DocumentType,
    GroupCounter,
    NumberRule,
    NumberStrategy,
    SequenceBase,
    SequenceGroup,
)

# --- counters ---------------------------------------------------------------------------------


def _counter(row: Row[Any]) -> DocumentCounter:
    config = CounterConfig(
        prefix=row.prefix,
        suffix=row.suffix,
        width=row.width,
        reset=CounterReset(row.reset),
        start=int(row.start),
        affix_source=AffixSource(row.affix_source),
    )
    return DocumentCounter(row.id, row.name, config, row.created_at, row.updated_at)


def _counter_values(counter: DocumentCounter) -> dict[str, Any]:
    """The stored columns of ``counter`` except the tenant and the timestamps."""
    config = counter.config
    return {
        "id": counter.id,
        "name": counter.name,
        "prefix": config.prefix,
        "suffix": config.suffix,
        "width": config.width,
        "reset": config.reset.value,
        "start": config.start,
        "affix_source": config.affix_source.value,
    }


def counter_snapshot(counter: DocumentCounter) -> dict[str, Any]:
    """The audited state of a counter (its columns but the tenant and the timestamps)."""
    return _counter_values(counter)


def find_counter(
    session: Session, *, tenant_id: uuid.UUID, counter_id: uuid.UUID, lock: bool = False
) -> DocumentCounter | None:
    """The tenant's counter (locked for update with ``lock``); None if it has none."""
    c = document_counters.c
    query = select(document_counters).where(c.tenant_id == tenant_id, c.id == counter_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _counter(row)


def insert_counters(
    session: Session, *, tenant_id: uuid.UUID, counters: Sequence[DocumentCounter]
) -> None:
    if not counters:
        return
    session.execute(
        insert(document_counters),
        [
            {
                "tenant_id": tenant_id,
                **_counter_values(c),
                "created_at": c.created_at,
                "updated_at": c.updated_at,
            }
            for c in counters
        ],
    )


def update_counter(session: Session, *, tenant_id: uuid.UUID, counter: DocumentCounter) -> None:
    """Store the name, configuration and ``updated_at`` of ``counter``."""
    c = document_counters.c
    values = {k: v for k, v in _counter_values(counter).items() if k != "id"}
    session.execute(
        update(document_counters)
        .where(c.tenant_id == tenant_id, c.id == counter.id)
        .values(**values, updated_at=counter.updated_at)
    )


# --- what numbering a document reads ----------------------------------------------------------


def group_counter(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    group_id: uuid.UUID | None,
) -> GroupCounter | None:
    """The sequence group ``group_id`` (None: the tenant's default group) with its counter for
    ``doc_type`` and the tenant's test mode, in one query; None if there is no such group."""
    g, m, c = sequence_groups.c, sequence_group_counters.c, document_counters.c
    joined = (
        tenants.join(sequence_groups, g.tenant_id == tenants.c.id)
        .outerjoin(
            sequence_group_counters,
            and_(m.tenant_id == g.tenant_id, m.group_id == g.id, m.doc_type == doc_type.value),
        )
        .outerjoin(document_counters, and_(c.tenant_id == m.tenant_id, c.id == m.counter_id))
    )
    wanted = g.default_group.is_(True) if group_id is None else g.id == group_id
    row = session.execute(
        select(tenants.c.test_mode, g.id.label("group_id"), document_counters)
        .select_from(joined)
        .where(tenants.c.id == tenant_id, wanted)
    ).one_or_none()
    if row is None:
        return None
    counter = None if row.id is None else _counter(row)
    return GroupCounter(row.group_id, counter, bool(row.test_mode))


def rules(
    session: Session, *, tenant_id: uuid.UUID, doc_type: DocumentType
) -> list[NumberRule[uuid.UUID]]:
    """The rules of one document type in creation order."""
    r = number_rules.c
    rows = session.execute(
        select(number_rules)
        .where(r.tenant_id == tenant_id, r.doc_type == doc_type.value)
        .order_by(r.position, r.created_at)
    ).all()
    return [_rule(row) for row in rows]


def _rule(row: Row[Any]) -> NumberRule[uuid.UUID]:
    return NumberRule(
        priority=row.priority,
        counter_id=row.counter_id,
        doc_type=DocumentType(row.doc_type),
        customer_type=CustomerType(row.customer_type) if row.customer_type else None,
        country=row.country,
        billing_group=row.billing_group,
        operating_site=row.operating_site,
    )


def strategy_affixes(
    session: Session, *, tenant_id: uuid.UUID, doc_type: DocumentType
) -> Affixes | None:
    """The prefix and suffix of the document type's strategy; None if it has none."""
    s = number_strategies.c
    row = session.execute(
        select(s.prefix, s.suffix).where(s.tenant_id == tenant_id, s.doc_type == doc_type.value)
    ).one_or_none()
    return Affixes(row.prefix, row.suffix) if row else None


# --- strategies -------------------------------------------------------------------------------


def number_strategy(
    session: Session, *, tenant_id: uuid.UUID, doc_type: DocumentType
) -> NumberStrategy:
    """The strategy of a document type: its affixes ("" when it has none) and its rules."""
    affixes = strategy_affixes(session, tenant_id=tenant_id, doc_type=doc_type) or Affixes()
    r = number_rules.c
    rows = session.execute(
        select(number_rules)
        .where(r.tenant_id == tenant_id, r.doc_type == doc_type.value)
        .order_by(r.position)
    ).all()
    return NumberStrategy(
        doc_type, affixes.prefix, affixes.suffix, tuple(_rule(row) for row in rows)
    )


def replace_strategy(
    session: Session, *, tenant_id: uuid.UUID, strategy: NumberStrategy, now: datetime
) -> None:
    """Store ``strategy`` in place of the document type's affixes and rules."""
    kind = strategy.doc_type.value
    s, r = number_strategies.c, number_rules.c
    session.execute(delete(number_strategies).where(s.tenant_id == tenant_id, s.doc_type == kind))
    insert_strategies(session, tenant_id=tenant_id, strategies=[strategy], now=now)
    session.execute(delete(number_rules).where(r.tenant_id == tenant_id, r.doc_type == kind))
    if strategy.rules:
        session.execute(
            insert(number_rules),
            [
                _rule_values(tenant_id, strategy.doc_type, position, rule, now)
                for position, rule in enumerate(strategy.rules)
            ],
        )


def insert_strategies(
    session: Session, *, tenant_id: uuid.UUID, strategies: Sequence[NumberStrategy], now: datetime
) -> None:
    """Store the affixes of ``strategies`` (their rules are stored by ``replace_strategy``)."""
    session.execute(
        insert(number_strategies),
        [
            {
                "tenant_id": tenant_id,
                "doc_type": s.doc_type.value,
                "prefix": s.prefix,
                "suffix": s.suffix,
                "updated_at": now,
            }
            for s in strategies
        ],
    )


def _rule_values(
    tenant_id: uuid.UUID,
    kind: DocumentType,
    position: int,
    rule: NumberRule[uuid.UUID],
    now: datetime,
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "doc_type": kind.value,
        "priority": rule.priority,
        "position": position,
        "customer_type": rule.customer_type.value if rule.customer_type else None,
        "country": rule.country,
        "billing_group": rule.billing_group,
        "operating_site": rule.operating_site,
        "counter_id": rule.counter_id,
        "created_at": now,
    }


# --- sequence groups --------------------------------------------------------------------------


def _group(row: Row[Any]) -> SequenceGroup:
    return SequenceGroup(
        row.id,
        row.name,
        SequenceBase(row.base),
        bool(row.default_group),
        row.created_at,
        row.updated_at,
    )


def sequence_group_snapshot(group: SequenceGroup) -> dict[str, Any]:
    """The audited state of a group (its columns but the tenant and the timestamps)."""
    return {
        "id": group.id,
        "name": group.name,
        "base": group.base.value,
        "default_group": group.default_group,
    }


def find_sequence_group(
    session: Session, *, tenant_id: uuid.UUID, group_id: uuid.UUID, lock: bool = False
) -> SequenceGroup | None:
    """The tenant's sequence group (locked for update with ``lock``); None if it has none."""
    g = sequence_groups.c
    query = select(sequence_groups).where(g.tenant_id == tenant_id, g.id == group_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _group(row)


def clear_other_default_groups(
    session: Session, *, tenant_id: uuid.UUID, keep: uuid.UUID
) -> list[uuid.UUID]:
    """Switch the default flag off on every group but ``keep``; the ids of those changed."""
    g = sequence_groups.c
    others = list(
        session.execute(
            select(g.id)
            .where(g.tenant_id == tenant_id, g.default_group.is_(True), g.id != keep)
            .with_for_update()
        ).scalars()
    )
    if others:
        session.execute(
            update(sequence_groups)
            .where(g.tenant_id == tenant_id, g.id.in_(others))
            .values(default_group=False)
        )
    return others


def save_sequence_group(
    session: Session, *, tenant_id: uuid.UUID, group: SequenceGroup, new: bool
) -> None:
    """Insert (``new``) or replace ``group``. A second default group (a concurrent change
    made another group the default) is a Conflict naming ``defaultGroup``."""
    g = sequence_groups.c
    values = {
        "name": group.name,
        "base": group.base.value,
        "default_group": group.default_group,
        "updated_at": group.updated_at,
    }
    try:
        with session.begin_nested():
            if new:
                session.execute(
                    insert(sequence_groups).values(
                        tenant_id=tenant_id, id=group.id, created_at=group.created_at, **values
                    )
                )
            else:
                session.execute(
                    update(sequence_groups)
                    .where(g.tenant_id == tenant_id, g.id == group.id)
                    .values(**values)
                )
    except IntegrityError:
        raise Conflict("numbering.default_group_changed", field="defaultGroup") from None


def assign_group_counters(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    counters: Mapping[DocumentType, uuid.UUID],
) -> None:
    """Give a new group its counter per document type."""
    session.execute(
        insert(sequence_group_counters),
        [
            {"tenant_id": tenant_id, "group_id": group_id, "doc_type": t.value, "counter_id": c}
            for t, c in counters.items()
        ],
    )


def reassign_group_counters(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    counters: Mapping[DocumentType, uuid.UUID],
) -> None:
    """Point an existing group's document types in ``counters`` to other counters."""
    m = sequence_group_counters.c
    for kind, counter_id in counters.items():
        session.execute(
            update(sequence_group_counters)
            .where(m.tenant_id == tenant_id, m.group_id == group_id, m.doc_type == kind.value)
            .values(counter_id=counter_id)
        )
