"""Numbering business documents (seed 003 §3.4: a number at FINALIZED, from the sequence group;
seed 000: rules pick the counter; seed 001: the counter's or the strategy's prefix/suffix).

``allocate_document_number`` and ``allocate_document_numbers`` are steps: they run inside the
caller's transaction, the one that finalises the document(s). Configuration is read first
(``db/numbering.py``); then the counter's series of the period is incremented by the one
allocator (``db/sequences.py``), whose row stays locked until the caller's transaction ends:
concurrent finalisations queue on it, a rolled-back one gives its number back, so numbers are
unique and gapless per counter (invariant 4).
"""

from __future__ import annotations

import uuid
from datetime import date

from beleg.db import Session, sequences
from beleg.db import numbering as repo
from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import (
    AffixSource,
    DocumentCounter,
    DocumentType,
    NumberingContext,
    format_number,
    parse_enum,
    period_key,
    pick_counter,
)


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
    """``count`` consecutive numbers of one counter, in the caller's transaction (a billing
    run's batch: still gapless, it commits whole or not at all). Everything is read before
    the counter row is locked, so the lock is held only from the reservation on."""
    if count < 1:
        raise ValueError("count must be at least 1")
    kind = parse_enum(DocumentType, doc_type, "type")
    counter, test_mode = _choose_counter(
        session,
        tenant_id=tenant_id,
        doc_type=kind,
        context=context or NumberingContext(kind),
        sequence_group_id=sequence_group_id,
    )
    config = counter.config
    strategy = (
        repo.strategy_affixes(session, tenant_id=tenant_id, doc_type=kind)
        if config.affix_source is AffixSource.STRATEGY
        else None
    )
    first = sequences.allocate(
        session,
        tenant_id=tenant_id,
        series=sequences.document_counter_series(counter.id),
        period=period_key(config.reset, doc_date),
        start=config.start,
        count=count,
    )
    return [
        format_number(config, value, doc_date, strategy=strategy, test_mode=test_mode)
        for value in range(first, first + count)
    ]


def _choose_counter(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    context: NumberingContext,
    sequence_group_id: uuid.UUID | str | None,
) -> tuple[DocumentCounter, bool]:
    """Seed 000: the counter of the matching rule with the highest priority (ties: the rule
    created first); without one, the counter the sequence group (given, else the default)
    assigns to the type. With the tenant's test mode."""
    group_id = None if sequence_group_id is None else _as_uuid(sequence_group_id, "sequenceGroup")
    found = repo.group_counter(session, tenant_id=tenant_id, doc_type=doc_type, group_id=group_id)
    if found is None:
        raise ValidationFailed(
            "numbering.sequence_group_unknown", field="sequenceGroup", group=sequence_group_id
        )
    if found.counter is None:
        raise ValidationFailed(
            "numbering.group_without_counter",
            field="sequenceGroup",
            group=found.group_id,
            doc_type=doc_type,
        )
    chosen = pick_counter(repo.rules(session, tenant_id=tenant_id, doc_type=doc_type), context)
    if chosen is None or chosen == found.counter.id:
        return found.counter, found.test_mode
    counter = repo.find_counter(session, tenant_id=tenant_id, counter_id=chosen)
    if counter is None:
        raise ValidationFailed("numbering.counter_not_found", field="counter", counter_id=chosen)
    return counter, found.test_mode


def _as_uuid(value: uuid.UUID | str, field: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(
            "numbering.invalid_id", field=field, name=field, value=value
        ) from None
