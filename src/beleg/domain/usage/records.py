"""What usage knows of its neighbours and what it stores: the contract's service as usage sees
it, the option's kind and aggregation, and a checked event ready to be written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

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


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """One recorded event. ``occurred_at`` is the instant, or the start of time-based usage
    (then ``ended_at`` is its end); ``quantity`` is exact, at most 6 places."""

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
