"""An event checked against its contract and option (spec/billing-api.md "Usage"; ADR 0016).

- the contract is named by id or number, or the customer by id or number: then it is the
  customer's one ACTIVE/TERMINATED contract with an item of the option (none or several: a
  rejection naming ``customer``);
- the option is a usage option (USAGE or TIME_BASED_USAGE) that is an item of the contract;
- USAGE takes a ``timestamp``; TIME_BASED_USAGE takes ``start`` and ``end``, its quantity by
  default the duration in hours, rounded half up to 6 places (``money.round_to_places``);
- the event lies within the contract's service: not before its start, not after the last day
  of an ended or terminated contract ("period already closed"); late usage inside the service
  is accepted (seed 001: the billing group's late-usage handling bills it);
- UNIQUE_COUNT needs the property it counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from beleg.domain.catalog.options import Aggregation, OptionKind
from beleg.domain.usage.events import (
    QUANTITY_LIMIT,
    QUANTITY_SCALE,
    EventInput,
    EventStatus,
    Rejection,
)
from beleg.domain.usage.records import SERVED, ContractService, UsageEvent, UsageOption
from beleg.money import round_to_places

SECONDS_PER_HOUR = Decimal(3600)
ONE = Decimal(1)


def as_uuid(reference: str) -> uuid.UUID | None:
    """``reference`` as a UUID when it is one (an id), else None (a number)."""
    try:
        return uuid.UUID(reference) if len(reference) in (32, 36) else None
    except ValueError:
        return None


def canonical(reference: str) -> str:
    """A reference as lookups key it: an id in its canonical form, a number as given."""
    found = as_uuid(reference)
    return reference if found is None else str(found)


def resolve_contract(
    event: EventInput,
    contracts: Mapping[str, ContractService],
    customer_contracts: Mapping[str, Sequence[ContractService]],
) -> ContractService | Rejection:
    """The event's contract: ``contracts`` by id text and by number, ``customer_contracts``
    the running contracts by customer id text and number."""
    if event.contract is not None:
        found = contracts.get(event.contract) or contracts.get(canonical(event.contract))
        if found is None:
            return _reject(event, "contract", "usage.contract_unknown", contract=event.contract)
        return found
    customer = event.customer or ""
    running = customer_contracts.get(customer) or customer_contracts.get(canonical(customer), ())
    fitting = [c for c in running if event.option in c.options]
    if len(fitting) != 1:
        code = "usage.customer_no_contract" if not fitting else "usage.customer_contracts"
        return _reject(event, "customer", code, customer=customer, option=event.option)
    return fitting[0]


def check_event(
    event: EventInput,
    contract: ContractService,
    option: UsageOption | None,
    *,
    zone: ZoneInfo,
    received_at: datetime,
    event_key: uuid.UUID | None = None,
) -> UsageEvent | Rejection:
    """``event`` as it is stored (its internal id ``event_key``, a new random one if None),
    or the rule it breaks."""
    found = _check_option(event, contract, option)
    if isinstance(found, Rejection):
        return found
    times = _times(event, found)
    if isinstance(times, Rejection):
        return times
    occurred_at, ended_at = times
    outside = _outside_service(event, contract, occurred_at, ended_at, zone)
    if outside is not None:
        return outside
    quantity = _quantity(event, found, occurred_at, ended_at)
    if isinstance(quantity, Rejection):
        return quantity
    missing = _missing_property(event, found)
    if missing is not None:
        return missing
    return UsageEvent(
        id=event_key or uuid.uuid4(),
        event_id=event.event_id,
        contract_id=contract.id,
        option=event.option,
        quantity=quantity,
        occurred_at=occurred_at,
        ended_at=ended_at,
        properties=event.properties,
        status=EventStatus.ACTIVE,
        received_at=received_at,
    )


def _reject(event: EventInput, where: str, code: str, /, **params: object) -> Rejection:
    return Rejection(event.position, f"{event.prefix}{where}", code, params)


def _check_option(
    event: EventInput, contract: ContractService, option: UsageOption | None
) -> UsageOption | Rejection:
    if contract.status not in SERVED:
        return _reject(event, "contract", "usage.contract_not_served", status=contract.status.value)
    if option is None:
        return _reject(event, "option", "usage.option_unknown", option=event.option)
    if not option.kind.is_usage:
        return _reject(
            event, "option", "usage.option_not_usage", option=option.code, kind=option.kind.value
        )
    if option.code not in contract.options:
        return _reject(
            event,
            "option",
            "usage.option_not_on_contract",
            option=option.code,
            contract=contract.number,
        )
    return option


def _times(event: EventInput, option: UsageOption) -> tuple[datetime, datetime | None] | Rejection:
    if option.kind is OptionKind.TIME_BASED_USAGE:
        if event.start is None or event.end is None:
            return _reject(event, "start", "usage.period_required", option=option.code)
        return event.start, event.end
    if event.timestamp is None:
        return _reject(event, "timestamp", "usage.timestamp_needed", option=option.code)
    return event.timestamp, None


def service_bounds(contract: ContractService, zone: ZoneInfo) -> tuple[datetime, datetime | None]:
    """The first instant of the contract's service and the instant after its last day (None
    while open), local midnight in ``zone``."""
    return _bounds(contract.start, contract.end, zone)


@lru_cache(maxsize=4096)
def _bounds(start: date, end: date | None, zone: ZoneInfo) -> tuple[datetime, datetime | None]:
    first = datetime.combine(start, time(), zone)
    if end is None:
        return first, None
    return first, datetime.combine(end + timedelta(days=1), time(), zone)


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _outside_service(
    event: EventInput,
    contract: ContractService,
    occurred_at: datetime,
    ended_at: datetime | None,
    zone: ZoneInfo,
) -> Rejection | None:
    name = "start" if ended_at is not None else "timestamp"
    first, after = service_bounds(contract, zone)
    if occurred_at >= first and (
        after is None or (occurred_at < after and (ended_at is None or ended_at <= after))
    ):
        return None
    day = local_day(occurred_at, zone).isoformat()
    if occurred_at < first:
        return _reject(
            event, name, "usage.before_service", day=day, start=contract.start.isoformat()
        )
    if after is not None and contract.end is not None:
        if occurred_at >= after:
            return _reject(
                event, name, "usage.period_closed", day=day, end=contract.end.isoformat()
            )
        if ended_at is not None and ended_at > after:
            late = local_day(ended_at, zone).isoformat()
            return _reject(
                event, "end", "usage.period_closed", day=late, end=contract.end.isoformat()
            )
    return None


def duration_hours(start: datetime, end: datetime) -> Decimal:
    """The hours from ``start`` to ``end``: exact seconds / 3600, rounded half up to the
    quantity's 6 places (the only rounding of usage, done in ``money``)."""
    delta = end - start
    seconds = Decimal(delta.days * 86_400 + delta.seconds) + Decimal(delta.microseconds).scaleb(-6)
    return round_to_places(seconds / SECONDS_PER_HOUR, QUANTITY_SCALE)


def _quantity(
    event: EventInput, option: UsageOption, occurred_at: datetime, ended_at: datetime | None
) -> Decimal | Rejection:
    if event.quantity is not None:
        return event.quantity
    if ended_at is not None:
        hours = duration_hours(occurred_at, ended_at)
        if hours >= QUANTITY_LIMIT:
            return _reject(event, "end", "usage.quantity_too_large", limit=QUANTITY_LIMIT)
        return hours
    if option.adds_up_by in (Aggregation.COUNT, Aggregation.UNIQUE_COUNT):
        return ONE  # a counted event needs no quantity
    return _reject(event, "quantity", "usage.field_required", name="quantity")


def _missing_property(event: EventInput, option: UsageOption) -> Rejection | None:
    counted = option.aggregation_property
    if option.adds_up_by is not Aggregation.UNIQUE_COUNT or counted is None:
        return None
    if event.properties is None or counted not in event.properties:
        return _reject(
            event,
            f"properties.{counted}",
            "usage.property_required",
            name=counted,
            option=option.code,
        )
    return None
