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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from beleg.db import Session, sequences
from beleg.db import numbering as repo
from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import (
    Affixes,
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
    request = NumberRequest(kind, doc_date, context or NumberingContext(kind), sequence_group_id)
    return allocate_numbers_for(session, tenant_id=tenant_id, requests=[request] * count)


@dataclass(frozen=True, slots=True)
class NumberRequest:
    """One document of a batch that needs a number."""

    doc_type: DocumentType
    doc_date: date
    context: NumberingContext
    sequence_group_id: uuid.UUID | str | None = None  # an unknown one: 400 sequenceGroup


def allocate_numbers_for(
    session: Session, *, tenant_id: uuid.UUID, requests: Sequence[NumberRequest]
) -> list[str]:
    """Numbers for a batch of documents, in the order of ``requests``, in the caller's
    transaction: each request's counter is chosen as for a single document, and every
    (counter, period) takes one block of numbers, handed out in request order."""
    chosen: dict[tuple[DocumentType, NumberingContext, uuid.UUID | str | None], _Chosen] = {}
    blocks: dict[tuple[uuid.UUID, str], list[int]] = defaultdict(list)
    picks: list[_Chosen] = []
    for index, request in enumerate(requests):
        key = (request.doc_type, request.context, request.sequence_group_id)
        if key not in chosen:
            chosen[key] = _chosen(session, tenant_id, request)
        pick = chosen[key]
        picks.append(pick)
        blocks[(pick.counter.id, period_key(pick.counter.config.reset, request.doc_date))].append(
            index
        )
    numbers = [""] * len(requests)
    for (counter_id, period), indexes in blocks.items():
        pick = picks[indexes[0]]
        first = sequences.allocate(
            session,
            tenant_id=tenant_id,
            series=sequences.document_counter_series(counter_id),
            period=period,
            start=pick.counter.config.start,
            count=len(indexes),
        )
        for value, index in enumerate(indexes, start=first):
            numbers[index] = pick.formatted(value, requests[index].doc_date)
    return numbers


@dataclass(frozen=True, slots=True)
class _Chosen:
    counter: DocumentCounter
    test_mode: bool
    strategy: Affixes | None

    def formatted(self, value: int, doc_date: date) -> str:
        return format_number(
            self.counter.config, value, doc_date, strategy=self.strategy, test_mode=self.test_mode
        )


def _chosen(session: Session, tenant_id: uuid.UUID, request: NumberRequest) -> _Chosen:
    counter, test_mode = _choose_counter(
        session,
        tenant_id=tenant_id,
        doc_type=request.doc_type,
        context=request.context,
        sequence_group_id=request.sequence_group_id,
    )
    strategy = (
        repo.strategy_affixes(session, tenant_id=tenant_id, doc_type=request.doc_type)
        if counter.config.affix_source is AffixSource.STRATEGY
        else None
    )
    return _Chosen(counter, test_mode, strategy)


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
