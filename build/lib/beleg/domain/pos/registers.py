"""Cash registers under Austrian law (seed 003 §3.6; Registrierkassensicherheitsverordnung,
RKSV, BGBl. II Nr. 410/2015): register states, receipt types and numbers, the RKSV turnover
buckets, daily closings and the balance rule.

- A register is NEW (editable, inactive), ACTIVE (takes receipts), LOCKED (decommissioned) or
  TEST (register 0, created with every Austrian tenant: training receipts, never booked).
- Receipts are numbered per register and calendar year: ``{yyyy}.{nnnn}`` for income, system
  and cancellation receipts (one RKSV chain), ``U{yyyy}.{nnnn}`` for cash rebooks.
- A receipt belongs to the daily closing of its day. A day whose closing is FINALIZED takes no
  receipt; a later day needs the last closing finalized; the first receipt of a new month
  (year) first closes the previous month (year) with a MONTHLY (YEARLY) null receipt
  (seed §7 item 25).
- The register's balance never drops below 0 (seed CashRegisterDto.currentBalance).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from beleg.domain.errors import Conflict, ValidationFailed

TEST_REGISTER = 0
MAX_REGISTER = 999_999


class RegisterState(StrEnum):
    NEW = "NEW"
    READY = "READY"  # in the seed's enum, undocumented; never set here
    ACTIVE = "ACTIVE"
    LOCKED = "LOCKED"
    TEST = "TEST"

    @property
    def takes_receipts(self) -> bool:
        return self in (RegisterState.ACTIVE, RegisterState.TEST)


class ReceiptType(StrEnum):
    INCOME = "INCOME"
    REBOOK = "REBOOK"
    INITIAL = "INITIAL"  # RKSV Startbeleg, § 6 Abs. 4
    MONTHLY = "MONTHLY"  # Monatsbeleg, § 8 Abs. 1
    YEARLY = "YEARLY"  # Jahresbeleg (the December Monatsbeleg), § 8 Abs. 2
    FINAL = "FINAL"  # Schlussbeleg, § 6 Abs. 5

    @property
    def is_system(self) -> bool:
        return self in (
            ReceiptType.INITIAL,
            ReceiptType.MONTHLY,
            ReceiptType.YEARLY,
            ReceiptType.FINAL,
        )

    @property
    def series(self) -> str:
        """The number prefix: ``U`` for rebooks, none for everything in the RKSV chain."""
        return "U" if self is ReceiptType.REBOOK else ""

    @property
    def signed(self) -> bool:
        """Cash rebooks (deposits and withdrawals) are no cash sales and carry no RKSV
        signature (seed §7 item 26); every other receipt is chained and signed."""
        return self is not ReceiptType.REBOOK


CREATABLE = (ReceiptType.INCOME, ReceiptType.REBOOK)


class ClosingState(StrEnum):
    OPEN = "OPEN"
    FINALIZED = "FINALIZED"
    BOOKED = "BOOKED"


@dataclass(frozen=True, slots=True)
class RegisterSettings:
    """What a user sets on a register (seed 003 CashRegisterDto, CashRegisterLayoutDto): its
    name and group, the means of payment it books cash to (``bank_account_id`` and that
    account's U account, ``cash_account``; none for the test register), its flags and its
    print layout (JSON, as CashRegisterLayoutDto)."""

    name: str
    group: str | None
    bank_account_id: uuid.UUID | None
    cash_account: str | None
    allow_past_income: bool
    enable_drawback: bool
    default_register: bool
    layout: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Register:
    """A stored cash register: its number, state and settings, and the state of its receipt
    chain: the balance, the RKSV turnover counter in cents, the last signed receipt (JWS),
    the local time of the last receipt and the key id its signatures name."""

    tenant_id: uuid.UUID
    number: int
    state: RegisterState
    settings: RegisterSettings
    balance: Decimal = Decimal("0.00")
    turnover_cents: int = 0
    last_jws: str | None = None
    last_receipt_at: datetime | None = None  # local time, as signed
    key_id: str | None = None

    @property
    def cash_account(self) -> str:
        """The account the register's receipts book cash to (every register but the test
        register, which books nothing, has one)."""
        if self.settings.cash_account is None:
            raise ValueError(f"cash register {self.number} has no cash account")
        return self.settings.cash_account


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """A commissioned register's keys (RKSV § 16, registered with FinanzOnline): the P-256
    signing key as PEM and the base64 AES-256 key of the turnover counter."""

    private_pem: str
    public_pem: str
    aes_key: str


def parse_receipt_type(value: str | None) -> ReceiptType:
    """What a client may create: INCOME or REBOOK (seed ReceiptDto.type)."""
    if value not in {t.value for t in CREATABLE}:
        raise ValidationFailed("pos.receipt_type_not_creatable", field="type", value=value)
    return ReceiptType(value)


def receipt_number(receipt_type: ReceiptType, year: int, sequence: int) -> str:
    """``2022.0075`` or ``U2017.0001`` (seed §3.6); at least four digits."""
    return f"{receipt_type.series}{year}.{sequence:04d}"


def check_register_number(number: int) -> int:
    if not 1 <= number <= MAX_REGISTER:
        raise ValidationFailed("pos.register_number_range", field="id", limit=MAX_REGISTER)
    return number


# RKSV Anlage, Z 4 (machine-readable code): the turnover of a receipt is split by VAT rate
# into Betrag-Satz-Normal (20 %), -Ermaessigt-1 (10 %), -Ermaessigt-2 (13 %), -Null (0 %) and
# -Besonders (19 %, § 10 Abs. 4 UStG 1994: Jungholz and Mittelberg).
RATE_BUCKETS = {Decimal(20): 0, Decimal(10): 1, Decimal(13): 2, Decimal(0): 3, Decimal(19): 4}


def turnover_buckets(
    lines: Iterable[tuple[int, Decimal, Decimal]],
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Gross totals per RKSV rate bucket from ``(line index, rate percent, gross total)``."""
    sums = [Decimal("0.00")] * 5
    for index, rate, total in lines:
        bucket = RATE_BUCKETS.get(rate.normalize() if rate else Decimal(0))
        if bucket is None:
            raise ValidationFailed(
                "pos.rate_not_on_receipt",
                field=f"lines[{index}].taxClassEntry",
                index=index,
                rate=rate,
            )
        sums[bucket] += total
    return (sums[0], sums[1], sums[2], sums[3], sums[4])


def new_balance(balance: Decimal, change: Decimal) -> Decimal:
    """The balance after ``change``; it can never drop below 0 (seed §3.6)."""
    after = balance + change
    if after < 0:
        raise ValidationFailed(
            "pos.balance_below_zero", field="totalAmount", balance=balance, payout=-change
        )
    return after


@dataclass(frozen=True, slots=True)
class LastClosing:
    day: date
    state: ClosingState
    monthly: bool
    yearly: bool


@dataclass(frozen=True, slots=True)
class ClosingPlan:
    """What must happen before a receipt of ``day`` is registered."""

    close_year: bool = False
    close_month: bool = False
    open_new: bool = False


def plan_for_receipt(last: LastClosing | None, day: date) -> ClosingPlan:
    """Seed §3.6 daily closings and §7 item 25 (see the module docstring)."""
    if last is None:
        return ClosingPlan(open_new=True)
    if day < last.day:
        raise ValidationFailed("pos.before_last_closing", field="dateTime", day=day, last=last.day)
    if day == last.day:
        if last.state is not ClosingState.OPEN:
            raise Conflict("pos.closing_done", field="dateTime", day=day, state=last.state.value)
        return ClosingPlan()
    if last.state is ClosingState.OPEN:
        raise Conflict("pos.closing_still_open", field="dateTime", day=last.day)
    new_year = day.year > last.day.year
    new_month = (day.year, day.month) > (last.day.year, last.day.month)
    close_year = new_year and not last.yearly
    close_month = new_month and not close_year and not last.monthly and not last.yearly
    return ClosingPlan(close_year=close_year, close_month=close_month, open_new=True)


def check_period_closing(last: LastClosing | None, *, yearly: bool) -> None:
    """Seed §4.19.11/12: the last closing must be FINALIZED and not already closing the
    month (year); a closed year also closes its month."""
    period = "year" if yearly else "month"  # named in the English text
    if last is None or last.state is ClosingState.OPEN:
        raise Conflict("pos.period_needs_finalized", field="daily_closing", period=period)
    if last.yearly or (last.monthly and not yearly):
        raise Conflict(
            "pos.period_already_closed", field="daily_closing", day=last.day, period=period
        )


def check_receipt_time(
    requested: datetime | None, *, now: datetime, last_receipt: datetime | None, allow_past: bool
) -> datetime:
    """The receipt's local date and time: now, or a given earlier time when the register
    allows past income, but never before its last receipt (seed CashRegisterDto)."""
    if requested is None:
        chosen = now
    else:
        requested = requested.replace(tzinfo=None, microsecond=0)
        if requested > now:
            raise ValidationFailed("pos.receipt_in_future", field="dateTime")
        if requested < now and not allow_past:
            raise ValidationFailed("pos.no_past_income", field="dateTime")
        chosen = requested
    if last_receipt is not None and chosen < last_receipt:
        raise ValidationFailed(
            "pos.before_last_receipt",
            field="dateTime",
            at=chosen.isoformat(),
            last=last_receipt.isoformat(),
        )
    return chosen


def check_cancellable(
    receipt_type: ReceiptType, *, cancelled_by: str | None, cancels: str | None
) -> None:
    """Seed §4.19.15: not cancelled yet, not itself a cancellation, not a system receipt."""
    if receipt_type.is_system:
        raise Conflict(
            "pos.system_receipt_not_cancellable", field="receipt", receipt_type=receipt_type.value
        )
    if cancelled_by:
        raise Conflict("pos.receipt_already_cancelled", field="receipt", number=cancelled_by)
    if cancels:
        raise Conflict("pos.cancellation_not_cancellable", field="receipt")


TRANSITIONS = {
    (RegisterState.NEW, RegisterState.ACTIVE),
    (RegisterState.ACTIVE, RegisterState.LOCKED),
}


def check_transition(current: RegisterState, target: RegisterState) -> None:
    """NEW → ACTIVE (commissioning, Startbeleg) → LOCKED (decommissioning, Schlussbeleg)."""
    if (current, target) not in TRANSITIONS:
        raise Conflict(
            "pos.state_transition", field="state", current=current.value, target=target.value
        )
