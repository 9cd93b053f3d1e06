"""Configuring document numbering: counters (seed 001: prefix and suffix on the counter, and
the toggle between the counter's and the strategy's affixes), the number strategy of a
document type with its rules (seed 000: rules on customer type, country, billing group or
operating site, by priority), sequence groups (seed 003 §3.4; exactly one is the default) and
a new tenant's numbering. Every change is audited.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from beleg import messages
from beleg.clock import Clock
from beleg.db import Session, sequences
from beleg.db import numbering as repo
from beleg.db.audit import Change, record_change, record_changes
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import (
    DOCUMENT_NAMES,
    CounterConfig,
    DocumentCounter,
    DocumentType,
    NumberRule,
    NumberStrategy,
    SequenceBase,
    SequenceGroup,
    check_affix,
    check_counter,
    check_name,
    check_rule,
    default_counter,
    parse_enum,
)

GROUP = "SequenceGroup"  # the audit entity type of sequence groups
NAMES_LANGUAGE = "de"  # what things created by default are named in


# --- counters ---------------------------------------------------------------------------------


def create_counter(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    name: str,
    config: CounterConfig,
    clock: Clock,
) -> DocumentCounter:
    """A new counter; its first number in every period is ``start``."""
    checked, named = check_counter(config), check_name(name)
    now = clock.now()
    counter = DocumentCounter(uuid.uuid4(), named, checked, now, now)
    with db.transaction() as session:
        repo.insert_counters(session, tenant_id=tenant_id, counters=[counter])
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.CREATE,
            entity_type="DocumentCounter",
            entity_id=counter.id,
            before=None,
            after=repo.counter_snapshot(counter),
            clock=clock,
        )
    return counter


def update_counter(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    counter_id: uuid.UUID,
    name: str,
    config: CounterConfig,
    clock: Clock,
) -> DocumentCounter:
    """Replace a counter's configuration. Once it has issued numbers, ``reset`` and ``start``
    are fixed (changing them could issue a number twice or leave a gap); format changes
    (prefix, suffix, width, affix source) apply to the next number."""
    checked = check_counter(config)
    with db.transaction() as session:
        before = _counter(session, tenant_id, counter_id, lock=True)
        used = sequences.last_values(
            session, tenant_id=tenant_id, series=sequences.document_counter_series(counter_id)
        )
        for field in ("reset", "start"):
            if used and getattr(before.config, field) != getattr(checked, field):
                raise Conflict("numbering.counter_in_use", field=field, name=field)
        after = dataclasses.replace(
            before, name=check_name(name), config=checked, updated_at=clock.now()
        )
        repo.update_counter(session, tenant_id=tenant_id, counter=after)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type="DocumentCounter",
            entity_id=counter_id,
            before=repo.counter_snapshot(before),
            after=repo.counter_snapshot(after),
            clock=clock,
        )
        return after


def _counter(
    session: Session,
    tenant_id: uuid.UUID,
    counter_id: uuid.UUID,
    *,
    field: str = "id",
    lock: bool = False,
) -> DocumentCounter:
    """The tenant's counter: a 404 when it is addressed (``field`` id), else a 400."""
    found = repo.find_counter(session, tenant_id=tenant_id, counter_id=counter_id, lock=lock)
    if found is None:
        if field == "id":
            raise NotFound("numbering.counter_not_found", field=field, counter_id=counter_id)
        raise ValidationFailed("numbering.counter_not_found", field=field, counter_id=counter_id)
    return found


# --- strategies -------------------------------------------------------------------------------


def put_strategy(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType | str,
    prefix: str | None,
    suffix: str | None,
    rules: Sequence[NumberRule[uuid.UUID]],
    clock: Clock,
) -> NumberStrategy:
    """Replace the number strategy of a document type: its prefix and suffix (used by
    counters whose affix source is STRATEGY) and its rules in order (the order is the
    creation order that breaks priority ties)."""
    kind = parse_enum(DocumentType, doc_type, "docType")
    checked = tuple(check_rule(rule, i) for i, rule in enumerate(rules))
    strategy = NumberStrategy(
        kind, check_affix(prefix, "prefix"), check_affix(suffix, "suffix"), checked
    )
    now = clock.now()
    with db.transaction() as session:
        for i, rule in enumerate(checked):
            _counter(session, tenant_id, rule.counter_id, field=f"rules.{i}.counterId")
        before = repo.number_strategy(session, tenant_id=tenant_id, doc_type=kind)
        repo.replace_strategy(session, tenant_id=tenant_id, strategy=strategy, now=now)
        after = repo.number_strategy(session, tenant_id=tenant_id, doc_type=kind)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type="NumberStrategy",
            entity_id=kind.value,
            before=_strategy_snapshot(before),
            after=_strategy_snapshot(after),
            clock=clock,
        )
        return after


def _strategy_snapshot(strategy: NumberStrategy) -> dict[str, Any]:
    """The audited state of a strategy: prefix, suffix and its rules in order."""
    return {
        "docType": strategy.doc_type.value,
        "prefix": strategy.prefix,
        "suffix": strategy.suffix,
        "rules": [
            {
                "priority": r.priority,
                "customerType": r.customer_type.value if r.customer_type else None,
                "country": r.country,
                "billingGroup": r.billing_group,
                "operatingSite": r.operating_site,
                "counterId": r.counter_id,
            }
            for r in strategy.rules
        ],
    }


# --- sequence groups --------------------------------------------------------------------------


def save_sequence_group(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    values: Mapping[str, Any],
    clock: Clock,
    group_id: uuid.UUID | None = None,
) -> SequenceGroup:
    """Create or replace a sequence group (name, base, default_group, counters: {doc type:
    counter id}), keeping exactly one default group. A new group gets a fresh default
    counter for each document type it does not map; ``base`` is fixed once the group
    exists."""
    base = parse_enum(SequenceBase, values.get("base"), "base")
    name = check_name(values.get("name"))
    default = bool(values.get("default_group", False))
    with db.transaction() as session:
        before = _locked_group(session, tenant_id, group_id) if group_id else None
        if before and before.default_group and not default:
            raise ValidationFailed("numbering.default_group_required", field="defaultGroup")
        now = clock.now()
        created = before.created_at if before else now
        group = SequenceGroup(group_id or uuid.uuid4(), name, base, default, created, now)
        cleared = (
            repo.clear_other_default_groups(session, tenant_id=tenant_id, keep=group.id)
            if default
            else []
        )
        repo.save_sequence_group(session, tenant_id=tenant_id, group=group, new=before is None)
        _store_group_counters(session, tenant_id, group, before, values.get("counters"))
        record_changes(
            session,
            actor=actor,
            tenant_id=tenant_id,
            changes=_group_changes(group, before, cleared),
            clock=clock,
        )
        return group


def _group_changes(
    group: SequenceGroup, before: SequenceGroup | None, cleared: Sequence[uuid.UUID]
) -> list[Change]:
    """The audit entries of a saved group and of the groups it took the default from."""
    main = Change(
        AuditAction.UPDATE if before else AuditAction.CREATE,
        GROUP,
        group.id,
        None if before is None else repo.sequence_group_snapshot(before),
        repo.sequence_group_snapshot(group),
    )
    off = [
        Change(AuditAction.UPDATE, GROUP, other, {"defaultGroup": True}, {"defaultGroup": False})
        for other in cleared
    ]
    return [main, *off]


def _locked_group(session: Session, tenant_id: uuid.UUID, group_id: uuid.UUID) -> SequenceGroup:
    found = repo.find_sequence_group(session, tenant_id=tenant_id, group_id=group_id, lock=True)
    if found is None:
        raise NotFound("numbering.sequence_group_not_found", field="id", group_id=group_id)
    return found


def _store_group_counters(
    session: Session,
    tenant_id: uuid.UUID,
    group: SequenceGroup,
    before: SequenceGroup | None,
    counters: Mapping[str, uuid.UUID] | None,
) -> None:
    """A new group's counters (the given ones, new default counters for the rest); an
    existing group's base is checked and the given counters replace its old ones."""
    chosen = _check_counters(session, tenant_id, counters)
    if before is None:
        assign_counters(session, tenant_id=tenant_id, group=group, counters=chosen)
        return
    if before.base is not group.base:
        raise ValidationFailed("numbering.base_fixed", field="base")
    repo.reassign_group_counters(session, tenant_id=tenant_id, group_id=group.id, counters=chosen)


def _check_counters(
    session: Session, tenant_id: uuid.UUID, counters: Mapping[str, uuid.UUID] | None
) -> dict[DocumentType, uuid.UUID]:
    result: dict[DocumentType, uuid.UUID] = {}
    for key, counter_id in (counters or {}).items():
        kind = parse_enum(DocumentType, key, f"counters.{key}")
        _counter(session, tenant_id, counter_id, field=f"counters.{key}")
        result[kind] = counter_id
    return result


def assign_counters(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    group: SequenceGroup,
    counters: Mapping[DocumentType, uuid.UUID] | None = None,
) -> dict[DocumentType, uuid.UUID]:
    """Give a new sequence group a counter per document type: the given ones, new default
    counters (``default_counter`` of its base, named "Rechnungen (<group>)", ...) for the
    rest. A step: runs in the caller's transaction."""
    chosen = dict(counters or {})
    new = [
        DocumentCounter(
            uuid.uuid4(),
            _default_counter_name(t, group.name),
            default_counter(t, group.base),
            group.created_at,
            group.created_at,
        )
        for t in DocumentType
        if t not in chosen
    ]
    repo.insert_counters(session, tenant_id=tenant_id, counters=new)
    made = iter(new)
    mapping = {t: chosen[t] if t in chosen else next(made).id for t in DocumentType}
    repo.assign_group_counters(session, tenant_id=tenant_id, group_id=group.id, counters=mapping)
    return mapping


def _default_counter_name(doc_type: DocumentType, group: str) -> str:
    documents = messages.text(DOCUMENT_NAMES[doc_type], NAMES_LANGUAGE)
    return messages.text(
        "numbering.default_counter_name", NAMES_LANGUAGE, documents=documents, group=group
    )


def install_numbering_defaults(
    session: Session, *, tenant_id: uuid.UUID, now: datetime
) -> uuid.UUID:
    """A new tenant's numbering, in its creating transaction (a step): the default sequence
    group "Standard" (ANNUAL: ``R 2026 1``, ``G 2026 1``, ... restarting every year) and
    strategy affixes equal to the counters' own, so switching a counter to STRATEGY changes
    nothing until the strategy is edited. Returns the group id."""
    name = messages.text("numbering.default_group_name", NAMES_LANGUAGE)
    group = SequenceGroup(uuid.uuid4(), name, SequenceBase.ANNUAL, True, now, now)
    repo.save_sequence_group(session, tenant_id=tenant_id, group=group, new=True)
    counters = assign_counters(session, tenant_id=tenant_id, group=group)
    strategies = [
        NumberStrategy(t, prefix=default_counter(t, SequenceBase.ANNUAL).prefix) for t in counters
    ]
    repo.insert_strategies(session, tenant_id=tenant_id, strategies=strategies, now=now)
    return group.id
