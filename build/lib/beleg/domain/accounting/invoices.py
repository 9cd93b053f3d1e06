"""Cash-based invoices as records (seed 003 §3.3): the invoice with its resolved lines and its
bookings, what a payment booking settled, and the info messages an operation reports.

An invoice's amounts are fixed at creation. Bookings are appended in the order of events
(initial, payment, cancellation); a booking is cancelled once, by a cancellation booking with
the same number. What remains to be paid is derived from the active payments (0 once the
invoice is cancelled); it is paid when nothing remains (seed 003 §3.3 invoice invariants).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from beleg.domain.accounting.lines import Direction, Line
from beleg.domain.errors import Conflict
from beleg.money import Currency


class BookingKind(StrEnum):
    """Seed 003 InvoiceInitialBooking, InvoicePaymentBooking, InvoiceCancellationBooking."""

    INITIAL = "INITIAL"
    PAYMENT = "PAYMENT"
    CANCELLATION = "CANCELLATION"


class PaymentType(StrEnum):
    """What a payment booking settles: money (PAYMENT), an existing credit, a write-off of the
    rest (DISCOUNT, IRRECOVERABLE; double-entry only) or the automatic main-currency residue
    of the last payment (CURRENCY_DIFFERENCE)."""

    PAYMENT = "PAYMENT"
    EXISTING_CREDIT = "EXISTING_CREDIT"
    DISCOUNT = "DISCOUNT"
    IRRECOVERABLE = "IRRECOVERABLE"
    CURRENCY_DIFFERENCE = "CURRENCY_DIFFERENCE"


CLIENT_PAYMENT_TYPES = (PaymentType.PAYMENT, PaymentType.EXISTING_CREDIT)


class InvoiceCannotBeCancelled(Conflict):
    """Seed 003 §2.2: an invoice with active payments cannot be cancelled."""

    error = "InvoiceCannotBeCancelledException"


@dataclass(frozen=True, slots=True)
class Payment:
    """What a payment booking settled: ``amount`` in the invoice currency, ``amount_main`` in
    the tenant's main currency, against ``contra_account`` at ``rate``."""

    payment_type: PaymentType
    day: date
    amount: Decimal
    amount_main: Decimal
    contra_account: str | None
    rate: Decimal
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Cancellation:
    """What a cancellation booking cancels, when and why."""

    day: date
    reason: str
    booking_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Booking:
    """One booking of an invoice. ``number`` counts per invoice (a cancellation repeats the
    number it cancels); ``position`` is the order of creation. The main-currency totals are
    what its journal books (seed 003 JournalDto netTotal/taxTotal/total)."""

    id: uuid.UUID
    invoice_id: uuid.UUID
    position: int
    kind: BookingKind
    number: int
    created_at: datetime
    cancelled: bool = False
    journal_id: uuid.UUID | None = None
    journal_number: str | None = None
    contra_account: str | None = None  # INITIAL: the unpaid account
    payment: Payment | None = None  # PAYMENT
    cancellation: Cancellation | None = None  # CANCELLATION
    net_main: Decimal = Decimal(0)
    tax_main: Decimal = Decimal(0)
    total_main: Decimal = Decimal(0)

    @property
    def is_active_payment(self) -> bool:
        return self.kind is BookingKind.PAYMENT and not self.cancelled

    @property
    def payment_type(self) -> PaymentType | None:
        return self.payment.payment_type if self.payment is not None else None


@dataclass(frozen=True, slots=True)
class CashInvoice:
    """A cash-based incoming or outgoing invoice with its lines and bookings. Amounts are in
    the invoice ``currency`` unless named ``_main``; ``unpaid_account`` exists in double-entry
    accounting only (payables, receivables or the partner's own contra account)."""

    id: uuid.UUID
    direction: Direction
    invoice_date: date
    currency: Currency
    currency_rate: Decimal
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    total_main: Decimal
    remaining: Decimal
    remaining_main: Decimal
    created_at: datetime
    updated_at: datetime
    lines: tuple[Line, ...]
    bookings: tuple[Booking, ...] = ()
    sequence: str | None = None
    due_date: date | None = None
    paid_date: date | None = None
    cancelled_date: date | None = None
    cancelled_reason: str | None = None
    invoice_reference: str | None = None
    description: str | None = None
    partner_id: uuid.UUID | None = None
    partner_name: str | None = None
    unpaid_account: str | None = None
    delivery_from: date | None = None
    delivery_to: date | None = None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_date is not None

    def active_payments(self) -> tuple[Booking, ...]:
        return tuple(b for b in self.bookings if b.is_active_payment)

    def paid(self) -> Decimal:
        """What the active payments settled (invoice currency)."""
        return sum((b.payment.amount for b in self.active_payments() if b.payment), Decimal(0))

    def paid_main(self) -> Decimal:
        return sum((b.payment.amount_main for b in self.active_payments() if b.payment), Decimal(0))

    def open_amount(self) -> Decimal:
        """What is left to pay before the current operation's totals are stored."""
        return self.total - self.paid()

    def active_journal_ids(self) -> list[uuid.UUID]:
        """Journals of bookings that stand (neither cancelled nor cancellations)."""
        return [
            b.journal_id
            for b in self.bookings
            if b.journal_id is not None
            and not b.cancelled
            and b.kind is not BookingKind.CANCELLATION
        ]

    def standing_initials(self) -> tuple[Booking, ...]:
        return tuple(b for b in self.bookings if b.kind is BookingKind.INITIAL and not b.cancelled)

    def next_number(self) -> int:
        return max((b.number for b in self.bookings), default=0) + 1

    def unpaid(self) -> str:
        """The unpaid account; every double-entry invoice has one."""
        if self.unpaid_account is None:
            raise ValueError(f"invoice {self.id} has no unpaid account (single-entry)")
        return self.unpaid_account

    def booking(self, booking_id: uuid.UUID) -> Booking | None:
        return next((b for b in self.bookings if b.id == booking_id), None)


def with_booking(invoice: CashInvoice, booking: Booking) -> CashInvoice:
    """``invoice`` with ``booking`` appended."""
    return replace(invoice, bookings=(*invoice.bookings, booking))


def with_cancelled(invoice: CashInvoice, booking_id: uuid.UUID) -> CashInvoice:
    """``invoice`` with the booking ``booking_id`` marked cancelled."""
    bookings = tuple(
        replace(b, cancelled=True) if b.id == booking_id else b for b in invoice.bookings
    )
    return replace(invoice, bookings=bookings)


def with_totals(invoice: CashInvoice, *, paid_date: date | None, now: datetime) -> CashInvoice:
    """The remaining totals derived from the active payments (0 once cancelled); the paid
    date is kept only when nothing remains of an invoice that stands."""
    if invoice.is_cancelled:
        remaining = remaining_main = Decimal(0)
    else:
        remaining = invoice.total - invoice.paid()
        remaining_main = invoice.total_main - invoice.paid_main()
    return replace(
        invoice,
        remaining=remaining,
        remaining_main=remaining_main,
        paid_date=paid_date if remaining == 0 and not invoice.is_cancelled else None,
        updated_at=now,
    )


class InfoKind(StrEnum):
    """Seed 003 §2 info messages of the envelope, in the order the events happened."""

    NUMBER_ASSIGNED = "number_assigned"
    BOOKING_CREATED = "booking_created"
    BOOKING_CANCELLED = "booking_cancelled"


@dataclass(frozen=True, slots=True)
class Info:
    """An event the client is told about: the number assigned, or the journal number of a
    booking created or cancelled."""

    kind: InfoKind
    number: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """The invoice after an operation and the info messages it produced (seed envelope)."""

    invoice: CashInvoice
    infos: tuple[Info, ...]
