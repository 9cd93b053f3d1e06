"""The contract as the use cases read and write it (typed records, no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from beleg.domain.catalog.intervals import Interval
from beleg.domain.catalog.pricing import PriceModel
from beleg.domain.contracts.lifecycle import ContractStatus, TerminationType
from beleg.domain.contracts.terms import Terms


class ItemStatus(StrEnum):
    """A subscription item is charged (ACTIVE) or held (ON_HOLD: not charged, seed 002)."""

    ACTIVE = "ACTIVE"
    ON_HOLD = "ON_HOLD"


@dataclass(frozen=True, slots=True)
class ContractItem:
    """One version of a subscription item: what ``item_key`` costs from ``served_from`` to
    ``served_to`` (None: open), priced by the option ``option`` of plan ``plan``.
    ``discount_percent`` is 0-100."""

    id: uuid.UUID
    item_key: uuid.UUID
    plan: str
    option: str
    quantity: Decimal
    status: ItemStatus
    served_from: date
    served_to: date | None = None
    special_price: PriceModel | None = None
    discount_percent: Decimal = Decimal(0)
    tax_exemption: dict[str, Any] | None = None
    additional_text: str | None = None

    def current_on(self, day: date) -> bool:
        return self.served_from <= day and (self.served_to is None or day <= self.served_to)


@dataclass(frozen=True, slots=True)
class Pause:
    """No charges from ``paused_from`` to ``paused_to`` (None: until resumed)."""

    paused_from: date
    paused_to: date | None


@dataclass(frozen=True, slots=True)
class ServiceCycleChange:
    next_period_start: date
    invoice_text: str | None


@dataclass(frozen=True, slots=True)
class Frame:
    """The frame data a contract takes from its plan when it is made (or changed to).
    ``trial`` is the plan's TRIAL phase: its days from the start are not charged."""

    currency: str
    interval: Interval
    billing_timing: str
    minimum: Interval
    renewal: Interval
    notice: Interval
    trial: Interval | None = None


@dataclass(frozen=True, slots=True)
class Contract:
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    plan_code: str
    status: ContractStatus
    start: date
    frame: Frame
    items: tuple[ContractItem, ...]
    created_at: datetime
    updated_at: datetime
    end: date | None = None
    termination_type: TerminationType | None = None
    terminated_on: date | None = None
    pricing_group: str | None = None
    billing_group: str | None = None
    invoice_recipient_email: str | None = None
    internal_identifier: str | None = None
    realignments: tuple[ServiceCycleChange, ...] = ()
    pauses: tuple[Pause, ...] = ()

    @property
    def terms(self) -> Terms:
        return Terms(
            start=self.start,
            minimum=self.frame.minimum,
            renewal=self.frame.renewal,
            notice=self.frame.notice,
            billing=self.frame.interval,
        )

    def charged_until(self) -> date | None:
        """The last day charged: the termination's end, else the end of a minimum term
        without renewal, else None (open)."""
        ends = [d for d in (self.end, self.terms.charged_until()) if d is not None]
        return min(ends) if ends else None

    @property
    def trial_end(self) -> date | None:
        """The last day of the trial, or None without one."""
        trial = self.frame.trial
        return None if trial is None else trial.after(self.start) - timedelta(days=1)

    def items_on(self, day: date) -> tuple[ContractItem, ...]:
        return tuple(item for item in self.items if item.current_on(day))
