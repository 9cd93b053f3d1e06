"""The daily closing of a cash register (seed 003 DailyClosingDto, §3.6): one per register and
day with a receipt. It opens with the register's balance, counts the day's receipts by kind
and follows the balance; finalizing it confirms what the user counted; a MONTHLY or YEARLY
null receipt on it marks the month (year) closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from beleg.domain.pos.registers import ClosingState, LastClosing


@dataclass(frozen=True, slots=True)
class DailyClosing:
    register_no: int
    day: date
    state: ClosingState
    opening_balance: Decimal
    closing_balance: Decimal
    created_at: datetime
    income_count: int = 0
    rebook_count: int = 0
    other_count: int = 0  # system receipts (MONTHLY, YEARLY, FINAL)
    monthly: bool = False
    yearly: bool = False

    @property
    def total_count(self) -> int:
        return self.income_count + self.rebook_count + self.other_count

    def as_last(self) -> LastClosing:
        """What the closing rules (``plan_for_receipt``, ``check_period_closing``) need."""
        return LastClosing(self.day, self.state, self.monthly, self.yearly)
