"""A usage event as a client sends it, checked for its shape (spec/billing-api.md "Usage").

``parse_event`` turns one JSON object into an ``EventInput`` or a ``Rejection`` naming the
event's index and field (``events[3].quantity``); it never raises, so a batch collects every
rejection before anything is written. Quantities are exact decimals with at most
``QUANTITY_SCALE`` places, never negative; instants are ISO 8601 with an offset.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from beleg import messages
from beleg.domain import dates

QUANTITY_SCALE = 6  # usage_events.quantity: 12 integer and 6 fractional digits
QUANTITY_LIMIT = Decimal(10) ** 12
EVENT_ID_LIMIT = 100
BATCH_LIMIT = 10_000
PROPERTY_LIMIT = 50  # properties per event
PROPERTY_KEY_LIMIT = 50
PROPERTY_TEXT_LIMIT = 500
REFERENCE_LIMIT = 50  # a contract or customer number (or a UUID)
EVENT_FIELDS = frozenset(
    {"id", "contract", "customer", "option", "quantity", "timestamp", "start", "end", "properties"}
)
_DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
# Digits a quantity column takes as they are: below 10^12, at most 6 places, not negative.
_PLAIN_QUANTITY = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
Scalar = str | int | float | bool


class EventStatus(StrEnum):
    """A cancelled event keeps its row (and its id) and counts no more; a deleted one is gone."""

    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why the event at ``index`` of a batch cannot be recorded: the field and a catalogue
    text (``code`` with ``params``)."""

    index: int
    field: str
    code: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    def text(self, language: str = messages.ENGLISH) -> str:
        return messages.text(self.code, language, **self.params)


class EventInput(NamedTuple):
    """An event of the right shape, not yet checked against its contract and option.
    ``contract`` or ``customer`` is set (an id or a number); ``timestamp`` or ``start``.
    A NamedTuple, not a frozen dataclass: it is made 10,000 times per batch, and a frozen
    dataclass's ``__init__`` costs about a microsecond per field."""

    position: int  # the index in the batch
    prefix: str  # "events[3]." in a batch, "" for a single event
    event_id: str
    contract: str | None
    customer: str | None
    option: str
    quantity: Decimal | None
    timestamp: datetime | None
    start: datetime | None
    end: datetime | None
    properties: dict[str, Scalar] | None


class _Reject(Exception):
    def __init__(self, where: str, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.where, self.code, self.params = where, code, params


def field_prefix(index: int | None) -> str:
    """How fields of the event at ``index`` of a batch are named; ``None``: a single event."""
    return "" if index is None else f"events[{index}]."


def parse_event(index: int, raw: object, prefix: str) -> EventInput | Rejection:
    """``raw`` (a decoded JSON value) as an event, or the first rule it breaks."""
    try:
        return _parse(index, raw, prefix)
    except _Reject as reject:
        name = f"{prefix}{reject.where}" if reject.where else prefix.rstrip(".") or "body"
        return Rejection(index, name, reject.code, reject.params)


def _parse(index: int, raw: object, prefix: str) -> EventInput:
    if type(raw) is not dict:
        raise _Reject("", "usage.event_not_object")
    if not raw.keys() <= EVENT_FIELDS:
        unknown = sorted(str(key) for key in raw if key not in EVENT_FIELDS)
        raise _Reject(unknown[0], "usage.field_unknown", name=unknown[0])
    get = raw.get
    contract, customer = (
        _reference(get("contract"), "contract"),
        _reference(get("customer"), "customer"),
    )
    if (contract is None) == (customer is None):
        raise _Reject("contract", "usage.contract_or_customer")
    timestamp = _instant(get("timestamp"), "timestamp")
    start = None if (given := get("start")) is None else _instant(given, "start")
    end = None if (given := get("end")) is None else _instant(given, "end")
    _check_times(timestamp, start, end)
    return EventInput(
        position=index,
        prefix=prefix,
        event_id=_event_id(get("id")),
        contract=contract,
        customer=customer,
        option=_option(get("option")),
        quantity=_quantity(get("quantity")),
        timestamp=timestamp,
        start=start,
        end=end,
        properties=_properties(get("properties")),
    )


def _event_id(value: object) -> str:
    if type(value) is str and 0 < len(value) <= EVENT_ID_LIMIT and not value.isspace():
        return value
    if value is None:
        raise _Reject("id", "usage.field_required", name="id")
    raise _Reject("id", "usage.event_id_format", limit=EVENT_ID_LIMIT)


def _option(value: object) -> str:
    if type(value) is str and _CODE.match(value):
        return value
    if value is None:
        raise _Reject("option", "usage.field_required", name="option")
    raise _Reject("option", "usage.option_format")


def _reference(value: object, name: str) -> str | None:
    if value is None:
        return None
    if type(value) is not str or not 0 < len(value) <= REFERENCE_LIMIT or value.isspace():
        raise _Reject(name, "usage.reference_format", name=name, limit=REFERENCE_LIMIT)
    return value


def _quantity(value: object) -> Decimal | None:
    """A decimal string or a JSON number (a float by its shortest repr: 0.1 is 0.1). The
    common case, digits within the column's range, takes one pattern match."""
    if type(value) is str and _PLAIN_QUANTITY.fullmatch(value):
        return Decimal(value)
    if type(value) is int and 0 <= value < QUANTITY_LIMIT:
        return Decimal(value)
    if value is None:
        return None
    return _unusual_quantity(value)


def _unusual_quantity(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Reject("quantity", "usage.quantity_format")
    if isinstance(value, str):
        digits = value.removeprefix("-")
        if len(value) > 40 or not _DECIMAL.match(digits):
            raise _Reject("quantity", "usage.quantity_format")
        quantity = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _Reject("quantity", "usage.quantity_format")
        quantity = Decimal(repr(value))
    else:
        quantity = Decimal(value)
    if quantity < 0:
        raise _Reject("quantity", "usage.quantity_negative", value=str(value))
    exponent = quantity.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > QUANTITY_SCALE:
        raise _Reject("quantity", "usage.quantity_places", places=QUANTITY_SCALE)
    if quantity >= QUANTITY_LIMIT:
        raise _Reject("quantity", "usage.quantity_too_large", limit=QUANTITY_LIMIT)
    return quantity


def _instant(value: object, name: str) -> datetime | None:
    """ISO 8601 with a date, a time and an offset, within the business date range."""
    if value is None:
        return None
    if type(value) is not str or not 16 <= len(value) <= 40 or value[10:11] not in ("T", "t"):
        raise _Reject(name, "usage.instant_format", name=name)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise _Reject(name, "usage.instant_format", name=name) from None
    if instant.tzinfo is None:
        raise _Reject(name, "usage.instant_offset", name=name)
    if not dates.EARLIEST.year <= instant.year <= dates.LATEST.year:  # the range is whole years
        raise _Reject(
            name, "usage.instant_range", earliest=dates.EARLIEST, latest=dates.LATEST, name=name
        )
    return instant


def _check_times(timestamp: datetime | None, start: datetime | None, end: datetime | None) -> None:
    if timestamp is not None and (start is not None or end is not None):
        raise _Reject("timestamp", "usage.timestamp_or_period")
    if timestamp is None and start is None:
        raise _Reject("timestamp", "usage.timestamp_required")
    if (start is None) != (end is None):
        raise _Reject("end" if end is None else "start", "usage.period_incomplete")
    if start is not None and end is not None and end < start:
        raise _Reject("end", "usage.end_before_start")


def _properties(value: object) -> dict[str, Scalar] | None:
    if value is None:
        return None
    if type(value) is not dict:
        raise _Reject("properties", "usage.properties_format")
    if len(value) > PROPERTY_LIMIT:
        raise _Reject("properties", "usage.properties_too_many", limit=PROPERTY_LIMIT)
    for key, item in value.items():
        kind = type(item)
        if not 0 < len(key) <= PROPERTY_KEY_LIMIT:
            raise _Reject(f"properties.{key}", "usage.property_key", limit=PROPERTY_KEY_LIMIT)
        if (kind is str and len(item) <= PROPERTY_TEXT_LIMIT) or kind is int or kind is bool:
            continue
        _unusual_property(key, item)
    return value


def _unusual_property(key: str, item: object) -> None:
    """A property value that is not a short text, an integer or a boolean: a finite float,
    else the rule it breaks."""
    name = f"properties.{key}"
    if isinstance(item, str):
        raise _Reject(name, "usage.property_too_long", limit=PROPERTY_TEXT_LIMIT)
    if not isinstance(item, float) or not math.isfinite(item):
        raise _Reject(name, "usage.property_value")
