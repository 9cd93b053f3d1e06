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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

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


def parse_receipt_type(value: str | None) -> ReceiptType:
    """What a client may create: INCOME or REBOOK (seed ReceiptDto.type)."""
    if value not in {t.value for t in CREATABLE}:
        raise ValidationFailed(
            f"type must be INCOME or REBOOK, not {value!r}; INITIAL, MONTHLY, YEARLY and "
            "FINAL receipts are created by the register itself",
            de="type muss INCOME oder REBOOK sein",
            field="type",
        )
    return ReceiptType(value)


def receipt_number(receipt_type: ReceiptType, year: int, sequence: int) -> str:
    """``2022.0075`` or ``U2017.0001`` (seed §3.6); at least four digits."""
    return f"{receipt_type.series}{year}.{sequence:04d}"


def check_register_number(number: int) -> int:
    if not 1 <= number <= MAX_REGISTER:
        raise ValidationFailed(
            f"id must be between 1 and {MAX_REGISTER}; 0 is the test register",
            de=f"id muss zwischen 1 und {MAX_REGISTER} liegen",
            field="id",
        )
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
                f"lines[{index}].taxClassEntry has the rate {rate} %, which an Austrian cash "
                "receipt cannot carry (20, 10, 13, 19 or 0 %)",
                de=f"lines[{index}].taxClassEntry: Steuersatz {rate} % ist auf einem "
                "Kassenbeleg nicht zulässig",
                field=f"lines[{index}].taxClassEntry",
            )
        sums[bucket] += total
    return (sums[0], sums[1], sums[2], sums[3], sums[4])


def new_balance(balance: Decimal, change: Decimal) -> Decimal:
    """The balance after ``change``; it can never drop below 0 (seed §3.6)."""
    after = balance + change
    if after < 0:
        raise ValidationFailed(
            f"totalAmount: the register holds {balance}, paying out {-change} would drop its "
            "balance below 0",
            de=f"Der Kassenstand ({balance}) darf nicht unter 0 fallen",
            field="totalAmount",
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
        raise ValidationFailed(
            f"dateTime: {day} lies before the last daily closing ({last.day})",
            de=f"dateTime liegt vor dem letzten Tagesabschluss ({last.day})",
            field="dateTime",
        )
    if day == last.day:
        if last.state is not ClosingState.OPEN:
            raise Conflict(
                f"the daily closing of {day} is {last.state.value}; it takes no more receipts",
                de=f"Der Tagesabschluss vom {day} ist bereits abgeschlossen",
                field="dateTime",
            )
        return ClosingPlan()
    if last.state is ClosingState.OPEN:
        raise Conflict(
            f"the daily closing of {last.day} is still OPEN: finalize it "
            "(POST …/daily_closings/last/finalize) before receipts of a later day",
            de=f"Der Tagesabschluss vom {last.day} ist noch offen",
            field="dateTime",
        )
    new_year = day.year > last.day.year
    new_month = (day.year, day.month) > (last.day.year, last.day.month)
    close_year = new_year and not last.yearly
    close_month = new_month and not close_year and not last.monthly and not last.yearly
    return ClosingPlan(close_year=close_year, close_month=close_month, open_new=True)


def check_period_closing(last: LastClosing | None, *, yearly: bool) -> None:
    """Seed §4.19.11/12: the last closing must be FINALIZED and not already closing the
    month (year); a closed year also closes its month."""
    what = "year" if yearly else "month"
    if last is None or last.state is ClosingState.OPEN:
        raise Conflict(
            f"the last daily closing must be FINALIZED to close the {what}",
            de="Der letzte Tagesabschluss muss abgeschlossen sein",
            field="daily_closing",
        )
    if last.yearly or (last.monthly and not yearly):
        raise Conflict(
            f"the last daily closing ({last.day}) already closes the {what}",
            de="Der Zeitraum ist bereits abgeschlossen",
            field="daily_closing",
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
            raise ValidationFailed(
                "dateTime lies in the future", de="dateTime liegt in der Zukunft", field="dateTime"
            )
        if requested < now and not allow_past:
            raise ValidationFailed(
                "dateTime: this register does not allow past income (allowPastIncome is false)",
                de="Diese Kassa erlaubt keine rückdatierten Belege",
                field="dateTime",
            )
        chosen = requested
    if last_receipt is not None and chosen < last_receipt:
        raise ValidationFailed(
            f"dateTime {chosen.isoformat()} lies before the register's "
            f"last receipt ({last_receipt.isoformat()})",
            de="dateTime liegt vor dem letzten Beleg der Kassa",
            field="dateTime",
        )
    return chosen


def check_cancellable(
    receipt_type: ReceiptType, *, cancelled_by: str | None, cancels: str | None
) -> None:
    """Seed §4.19.15: not cancelled yet, not itself a cancellation, not a system receipt."""
    if receipt_type.is_system:
        raise Conflict(
            f"a {receipt_type.value} receipt cannot be cancelled",
            de="Systembelege können nicht storniert werden",
            field="receipt",
        )
    if cancelled_by:
        raise Conflict(
            f"the receipt is already cancelled by {cancelled_by}",
            de="Der Beleg ist bereits storniert",
            field="receipt",
        )
    if cancels:
        raise Conflict(
            "a cancellation receipt cannot be cancelled",
            de="Ein Stornobeleg kann nicht storniert werden",
            field="receipt",
        )


TRANSITIONS = {
    (RegisterState.NEW, RegisterState.ACTIVE),
    (RegisterState.ACTIVE, RegisterState.LOCKED),
}


def check_transition(current: RegisterState, target: RegisterState) -> None:
    """NEW → ACTIVE (commissioning, Startbeleg) → LOCKED (decommissioning, Schlussbeleg)."""
    if (current, target) not in TRANSITIONS:
        raise Conflict(
            f"a {current.value} register cannot become {target.value}",
            de=f"Eine Kassa im Status {current.value} kann nicht {target.value} werden",
            field="state",
        )
