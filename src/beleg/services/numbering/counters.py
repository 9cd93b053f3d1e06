"""Configuring document numbering: counters (seed 001: prefix and suffix on the counter, and
the toggle between the counter's and the strategy's affixes), the number strategy of a
document type with its rules (seed 000: rules on customer type, country, billing group or
operating site, by priority), and sequence groups (seed 003 §3.4). Every change is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db import sequences
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.tables import (
    document_counters,
    number_rules,
    number_strategies,
    sequence_group_counters,
)
from beleg.db.tables import sequence_groups as groups
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import (
    CounterConfig,
    DocumentType,
    NumberRule,
    SequenceBase,
    check_affix,
    check_counter,
    check_name,
    check_rule,
    parse_enum,
)
from beleg.services.documents.setup import DefaultedKind, save_defaulted
from beleg.services.numbering.allocation import assign_counters, config_of, counter_row

SEQUENCE_GROUP = DefaultedKind(
    groups, "default_group", "defaultGroup", "SequenceGroup", "documents.sequence_group_not_found"
)


def _counter(
    session: Session,
    tenant_id: uuid.UUID,
    counter_id: uuid.UUID,
    *,
    field: str = "id",
    lock: bool = False,
) -> dict[str, Any]:
    query = select(document_counters).where(
        document_counters.c.tenant_id == tenant_id, document_counters.c.id == counter_id
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        status = NotFound if field == "id" else ValidationFailed
        raise status(
            f"document counter {counter_id} does not exist",
            de="Zähler nicht gefunden.",
            field=field,
        )
    return dict(row._mapping)


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("tenant_id", "created_at", "updated_at")}


def create_counter(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    name: str,
    config: CounterConfig,
    clock: Clock,
) -> dict[str, Any]:
    """A new counter; its first number in every period is ``start``."""
    checked = check_counter(config)
    row = counter_row(tenant_id, check_name(name), checked, clock.now())
    with db.transaction() as session:
        session.execute(insert(document_counters).values(**row))
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type="DocumentCounter",
            entity_id=row["id"],
            before=None,
            after=_snapshot(row),
            clock=clock,
        )
    return row


def update_counter(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    counter_id: uuid.UUID,
    name: str,
    config: CounterConfig,
    clock: Clock,
) -> dict[str, Any]:
    """Replace a counter's configuration. Once it has issued numbers, ``reset`` and ``start``
    are fixed (changing them could issue a number twice or leave a gap); format changes
    (prefix, suffix, width, affix source) apply to the next number."""
    checked = check_counter(config)
    with db.transaction() as session:
        before = _counter(session, tenant_id, counter_id, lock=True)
        old = config_of(before)
        used = sequences.last_values(
            session, tenant_id=tenant_id, series=sequences.document_counter_series(counter_id)
        )
        for name_, field in (("reset", "reset"), ("start", "start")):
            if used and getattr(old, name_) != getattr(checked, name_):
                raise Conflict(
                    f"{field} cannot change after the counter issued numbers; "
                    "create a new counter instead",
                    de=f"{field} kann nach der ersten Nummer nicht mehr geändert werden",
                    field=field,
                )
        values = {
            k: v
            for k, v in counter_row(tenant_id, check_name(name), checked, clock.now()).items()
            if k not in ("id", "tenant_id", "created_at")
        }
        session.execute(
            update(document_counters)
            .where(document_counters.c.tenant_id == tenant_id, document_counters.c.id == counter_id)
            .values(**values)
        )
        after = {**before, **values}
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type="DocumentCounter",
            entity_id=counter_id,
            before=_snapshot(before),
            after=_snapshot(after),
            clock=clock,
        )
        return after


def put_strategy(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType | str,
    prefix: str | None,
    suffix: str | None,
    rules: Sequence[NumberRule],
    clock: Clock,
) -> dict[str, Any]:
    """Replace the number strategy of a document type: its prefix and suffix (used by
    counters whose affix source is STRATEGY) and its rules in order (the order is the
    creation order that breaks priority ties)."""
    kind = parse_enum(DocumentType, doc_type, "docType")
    checked = [check_rule(rule, i) for i, rule in enumerate(rules)]
    affixes = {"prefix": check_affix(prefix, "prefix"), "suffix": check_affix(suffix, "suffix")}
    now = clock.now()
    with db.transaction() as session:
        for i, rule in enumerate(checked):
            _counter(
                session,
                tenant_id,
                rule.counter_id,  # type: ignore[arg-type]
                field=f"rules.{i}.counterId",
            )
        before = strategy_snapshot(session, tenant_id, kind)
        session.execute(
            delete(number_strategies).where(
                number_strategies.c.tenant_id == tenant_id,
                number_strategies.c.doc_type == kind.value,
            )
        )
        session.execute(
            insert(number_strategies).values(
                tenant_id=tenant_id, doc_type=kind.value, updated_at=now, **affixes
            )
        )
        session.execute(
            delete(number_rules).where(
                number_rules.c.tenant_id == tenant_id, number_rules.c.doc_type == kind.value
            )
        )
        if checked:
            session.execute(
                insert(number_rules),
                [_rule_row(tenant_id, kind, i, rule, now) for i, rule in enumerate(checked)],
            )
        after = strategy_snapshot(session, tenant_id, kind)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type="NumberStrategy",
            entity_id=kind.value,
            before=before,
            after=after,
            clock=clock,
        )
        return after


def _rule_row(
    tenant_id: uuid.UUID, kind: DocumentType, position: int, rule: NumberRule, now: Any
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


def strategy_snapshot(session: Session, tenant_id: uuid.UUID, kind: DocumentType) -> dict[str, Any]:
    """The strategy of a document type: prefix, suffix and its rules in order."""
    row = session.execute(
        select(number_strategies).where(
            number_strategies.c.tenant_id == tenant_id, number_strategies.c.doc_type == kind.value
        )
    ).one_or_none()
    rules = session.execute(
        select(number_rules)
        .where(number_rules.c.tenant_id == tenant_id, number_rules.c.doc_type == kind.value)
        .order_by(number_rules.c.position)
    ).all()
    return {
        "docType": kind.value,
        "prefix": row.prefix if row else "",
        "suffix": row.suffix if row else "",
        "rules": [
            {
                "priority": r.priority,
                "customerType": r.customer_type,
                "country": r.country,
                "billingGroup": r.billing_group,
                "operatingSite": r.operating_site,
                "counterId": r.counter_id,
            }
            for r in rules
        ],
    }


def _check_counters(
    session: Session, tenant_id: uuid.UUID, counters: dict[str, Any] | None
) -> dict[DocumentType, uuid.UUID]:
    result: dict[DocumentType, uuid.UUID] = {}
    for key, counter_id in (counters or {}).items():
        kind = parse_enum(DocumentType, key, f"counters.{key}")
        _counter(session, tenant_id, counter_id, field=f"counters.{key}")
        result[kind] = counter_id
    return result


def save_sequence_group(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    values: dict[str, Any],
    clock: Clock,
    group_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Create or replace a sequence group (name, base, default_group, counters: {doc type:
    counter id}). A new group gets a fresh default counter for each document type it does
    not map; ``base`` is fixed once the group exists."""
    base = parse_enum(SequenceBase, values.get("base"), "base")
    checked = {
        "name": check_name(values.get("name")),
        "base": base.value,
        "default_group": bool(values.get("default_group", False)),
    }

    def store_counters(
        session: Session, row: dict[str, Any], before: dict[str, Any] | None
    ) -> None:
        chosen = _check_counters(session, tenant_id, values.get("counters"))
        if before is None:
            assign_counters(
                session,
                tenant_id=tenant_id,
                group_id=row["id"],
                name=row["name"],
                base=base,
                now=row["created_at"],
                counters=chosen,
            )
            return
        if before["base"] != row["base"]:
            raise ValidationFailed(
                "base cannot change; create a new sequence group",
                de="base kann nicht geändert werden",
                field="base",
            )
        for kind, counter_id in chosen.items():
            session.execute(
                update(sequence_group_counters)
                .where(
                    sequence_group_counters.c.tenant_id == tenant_id,
                    sequence_group_counters.c.group_id == row["id"],
                    sequence_group_counters.c.doc_type == kind.value,
                )
                .values(counter_id=counter_id)
            )

    return save_defaulted(
        db=db,
        actor=actor,
        tenant_id=tenant_id,
        kind=SEQUENCE_GROUP,
        values=checked,
        clock=clock,
        item_id=group_id,
        extra=store_counters,
    )
