"""What usage knows of its neighbours and what it stores: the contract's service as usage sees
it, the option's kind and aggregation, and a checked event ready to be written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from beleg.domain.catalog.options import Aggregation, OptionKind
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.usage.events import EventStatus, Rejection, Scalar

# Usage counts on a contract that is or was served (ENDED too: late usage, seed 001).
SERVED = frozenset({ContractStatus.ACTIVE, ContractStatus.TERMINATED, ContractStatus.ENDED})
# A customer's usage goes to their running contract (spec "Usage": customer -> its contract).
RUNNING = frozenset({ContractStatus.ACTIVE, ContractStatus.TERMINATED})


@dataclass(frozen=True, slots=True)
class ContractService:
    """A contract as usage needs it: its days of service (local dates, ``end`` inclusive or
    open) and the option codes of its items (any item version)."""

    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    status: ContractStatus
    start: date
    end: date | None
    options: frozenset[str]


@dataclass(frozen=True, slots=True)
class UsageOption:
    """A catalogue option as usage needs it. ``aggregation`` is None only for time-based
    usage, which then adds up (SUM); ``aggregation_property`` names the property whose
    distinct values UNIQUE_COUNT counts."""

    code: str
    kind: OptionKind
    aggregation: Aggregation | None
    aggregation_property: str | None = None

    @property
    def adds_up_by(self) -> Aggregation:
        return self.aggregation or Aggregation.SUM


class UsageEvent(NamedTuple):
    """One recorded event. ``occurred_at`` is the instant, or the start of time-based usage
    (then ``ended_at`` is its end); ``quantity`` is exact, at most 6 places. A NamedTuple
    (immutable and typed like a frozen dataclass, several times cheaper to make): a batch
    makes 10,000."""

    id: uuid.UUID
    event_id: str
    contract_id: uuid.UUID
    option: str
    quantity: Decimal
    occurred_at: datetime
    ended_at: datetime | None
    properties: dict[str, Scalar] | None
    status: EventStatus
    received_at: datetime


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """The answer to a batch: how many events were recorded, the ids already known (stored
    before, or repeated in the batch), and why events were refused (then nothing is written)."""

    accepted: int
    duplicates: tuple[str, ...]
    rejected: tuple[Rejection, ...]


def sequential_keys(at: datetime, count: int, salt: int) -> list[uuid.UUID]:
    """``count`` internal ids in the layout of UUIDv7 (RFC 9562): 48 bits of Unix
    milliseconds of ``at``, the version, 12 + 30 bits of the batch's random ``salt``, the
    variant and a 32-bit counter. A batch's rows are adjacent in the primary key index, and
    making them costs no random bytes per event."""
    millis = int(at.timestamp() * 1000) & (2**48 - 1)
    high = (millis << 80) | (0x7 << 76) | ((salt >> 30) & 0xFFF) << 64
    low = (0b10 << 62) | ((salt & (2**30 - 1)) << 32)
    return [uuid.UUID(int=high | low | n) for n in range(count)]
