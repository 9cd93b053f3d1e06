"""A batch of usage events: parsed and checked as a whole before anything is written
(spec/billing-api.md "Usage": a batch with a rejected event writes nothing).

An event whose client id is stored already, or came earlier in the same batch, is a duplicate:
reported, never counted twice and not checked again (a retried batch is accepted even when its
contract has ended since), and not an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from beleg.domain.errors import ValidationFailed
from beleg.domain.usage.events import (
    BATCH_LIMIT,
    EVENT_ID_LIMIT,
    EventInput,
    Rejection,
    parse_event,
)


def event_id_of(raw: object) -> str | None:
    """The client id of a raw event when it has a well-formed one, else None."""
    if not isinstance(raw, dict):
        return None
    value = raw.get("id")
    if isinstance(value, str) and value.strip() and len(value) <= EVENT_ID_LIMIT:
        return value
    return None


def split_duplicates(
    raw: Sequence[object], ids: Sequence[str | None], stored: Iterable[str]
) -> tuple[list[tuple[int, object]], list[str]]:
    """The events to check, with their index (the first of each client id not stored yet),
    and the duplicate ids, each once, in the order they came. A duplicate is not checked.
    ``ids`` are the events' ``event_id_of``."""
    known = set(stored)
    fresh: list[tuple[int, object]] = []
    duplicates: dict[str, None] = {}
    for index, (item, event_id) in enumerate(zip(raw, ids, strict=True)):
        if event_id is not None and event_id in known:
            duplicates[event_id] = None
            continue
        if event_id is not None:
            known.add(event_id)
        fresh.append((index, item))
    return fresh, list(duplicates)


def parse_events(
    indexed: Iterable[tuple[int, object]], *, batch: bool
) -> tuple[list[EventInput], list[Rejection]]:
    """Every event parsed; the rejections of those of the wrong shape."""
    parsed: list[EventInput] = []
    rejected: list[Rejection] = []
    for index, item in indexed:
        result = parse_event(index, item, f"events[{index}]." if batch else "")
        if isinstance(result, Rejection):
            rejected.append(result)
        else:
            parsed.append(result)
    return parsed, rejected


def batch_events(body: Mapping[str, object]) -> list[object]:
    """The ``events`` of a batch body: a list of at most ``BATCH_LIMIT``; else a 400 naming
    ``events`` (and the limit), or the unknown field."""
    unknown = sorted(str(key) for key in body if key != "events")
    if unknown:
        raise ValidationFailed("usage.field_unknown", field=unknown[0], name=unknown[0])
    events = body.get("events")
    if not isinstance(events, list):
        raise ValidationFailed("usage.events_required", field="events")
    if len(events) > BATCH_LIMIT:
        raise ValidationFailed(
            "usage.batch_too_large", field="events", limit=BATCH_LIMIT, count=len(events)
        )
    return events
