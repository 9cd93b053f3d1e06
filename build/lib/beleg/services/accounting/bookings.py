"""Booking on a cash-based invoice: the steps every invoice operation composes inside its own
transaction — load the invoice (locked), number it, add an initial or payment booking with
its journal, cancel a booking by reversal, store the derived totals.

An operation works on one ``WorkingInvoice``: the invoice record as it stands and the info
messages the operation produced so far. Each step replaces the record by a new one and writes
the change through the repository (``db.accounting``). The ``Bookkeeper`` says who books:
the tenant's books, the actor and the clock of the operation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session, sequences
from beleg.db import accounting as repo
from beleg.domain.accounting.components import Key, Side, invoice_side
from beleg.domain.accounting.invoices import (
    Booking,
    BookingKind,
    Cancellation,
    CashInvoice,
    Info,
    InfoKind,
    Outcome,
    Payment,
    with_booking,
    with_cancelled,
    with_totals,
)
from beleg.domain.accounting.lines import Direction
from beleg.domain.accounting.rules import Booked
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.journals import PostedJournal, main_currency_amounts
from beleg.money import round_to_currency
from beleg.services.ledger.posting import post_journals, reversal_of


@dataclass(frozen=True, slots=True)
class Bookkeeper:
    """Who books in an operation: the tenant's books, the actor and the clock."""

    books: TenantBooks
    actor: Actor
    clock: Clock

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.books.tenant_id


@dataclass(slots=True)
class WorkingInvoice:
    """The mutable working state of one operation on one invoice, for one transaction: the
    invoice record as it stands (each step replaces it), the income or expense side its lines
    book, and the info messages of the operation in the order of events."""

    invoice: CashInvoice
    side: Side
    infos: list[Info] = field(default_factory=list)

    @classmethod
    def of(cls, books: TenantBooks, invoice: CashInvoice) -> WorkingInvoice:
        """The working state of an operation on ``invoice``."""
        side = invoice_side(invoice.lines, invoice.direction, books.chart, invoice.currency)
        return cls(invoice, side)

    def outcome(self) -> Outcome:
        return Outcome(self.invoice, tuple(self.infos))


def load_invoice(
    session: Session, *, books: TenantBooks, invoice_id: uuid.UUID, direction: Direction
) -> WorkingInvoice:
    """The invoice, locked for the caller's transaction; 404 if it is not this tenant's."""
    return WorkingInvoice.of(books, repo.lock_invoice(session, books, invoice_id, direction))


def booked_so_far(
    session: Session, *, tenant_id: uuid.UUID, work: WorkingInvoice
) -> dict[Key, Decimal]:
    """What the journals of the invoice's active bookings booked on its component accounts
    (invoice currency, signed), in the caller's transaction."""
    return repo.component_sums(
        session, tenant_id, work.invoice.active_journal_ids(), work.side.component_keys()
    )


def assign_sequence(
    session: Session, *, keeper: Bookkeeper, work: WorkingInvoice, year: int
) -> None:
    """Number the invoice ER{yyyy} {n} / AR{yyyy} {n} (seed 003 §3.2) from the one allocator,
    once, in the caller's transaction."""
    if work.invoice.sequence:
        return
    prefix = "ER" if work.invoice.direction is Direction.INCOMING else "AR"
    value = sequences.allocate(
        session,
        tenant_id=keeper.tenant_id,
        series=sequences.cash_invoice_series(prefix),
        period=f"{year:04d}",
    )
    sequence = f"{prefix}{year:04d} {value}"
    work.invoice = replace(work.invoice, sequence=sequence)
    work.infos.append(Info(InfoKind.NUMBER_ASSIGNED, sequence))


def add_initial(
    session: Session, *, keeper: Bookkeeper, work: WorkingInvoice, booked: Booked
) -> Booking:
    """Book the invoice against its unpaid account (double-entry), in the caller's
    transaction."""
    unpaid = work.invoice.unpaid()
    return _add(session, keeper, work, BookingKind.INITIAL, booked, contra_account=unpaid)


def add_payment(
    session: Session,
    *,
    keeper: Bookkeeper,
    work: WorkingInvoice,
    booked: Booked | None,
    payment: Payment,
) -> Booking:
    """Add a payment booking with its journal (if it books one), in the caller's
    transaction."""
    return _add(session, keeper, work, BookingKind.PAYMENT, booked, payment=payment)


def _add(
    session: Session,
    keeper: Bookkeeper,
    work: WorkingInvoice,
    kind: BookingKind,
    booked: Booked | None,
    *,
    contra_account: str | None = None,
    payment: Payment | None = None,
) -> Booking:
    """Post ``booked`` (if any) and append the booking for it, numbered next."""
    posted = _post(session, keeper, booked)
    booking = Booking(
        id=uuid.uuid4(),
        invoice_id=work.invoice.id,
        position=len(work.invoice.bookings) + 1,
        kind=kind,
        number=work.invoice.next_number(),
        created_at=keeper.clock.now(),
        journal_id=posted.id if posted else None,
        journal_number=posted.number if posted else None,
        contra_account=contra_account,
        payment=payment,
    )
    if booked is not None:
        booking = _with_main_totals(keeper.books, booking, booked)
    _append(session, keeper, work, booking)
    if posted is not None:
        work.infos.append(Info(InfoKind.BOOKING_CREATED, posted.number))
    return booking


def _post(session: Session, keeper: Bookkeeper, booked: Booked | None) -> PostedJournal | None:
    if booked is None:
        return None
    return post_journals(
        session,
        actor=keeper.actor,
        tenant_id=keeper.tenant_id,
        drafts=[booked.draft],
        clock=keeper.clock,
        reverses=[booked.reverses] if booked.reverses else None,
    )[0]


def _append(session: Session, keeper: Bookkeeper, work: WorkingInvoice, booking: Booking) -> None:
    repo.insert_booking(session, keeper.tenant_id, booking)
    work.invoice = with_booking(work.invoice, booking)


def _with_main_totals(books: TenantBooks, booking: Booking, booked: Booked) -> Booking:
    """What the journal books in the main currency (its total as ``post_journals`` stores
    it, net and tax converted at the journal's rate)."""
    rate = booked.draft.rate
    mains = main_currency_amounts(booked.draft, books.main)
    return replace(
        booking,
        net_main=round_to_currency(booked.net * rate, books.main),
        tax_main=round_to_currency(booked.tax * rate, books.main),
        total_main=sum((m for m in mains if m > 0), Decimal(0)),
    )


def cancel_booking(
    session: Session,
    *,
    keeper: Bookkeeper,
    work: WorkingInvoice,
    booking: Booking,
    cancel_date: date,
    reason: str,
) -> None:
    """Reverse the booking's journal and add its cancellation booking (same number, the
    main-currency totals of what it cancels negated), in the caller's transaction."""
    booked = None
    if booking.journal_id is not None:
        draft = reversal_of(
            session,
            tenant_id=keeper.tenant_id,
            journal_id=booking.journal_id,
            booking_date=cancel_date,
            reason=reason,
        )
        booked = Booked(draft, Decimal(0), Decimal(0), Decimal(0), reverses=booking.journal_id)
    posted = _post(session, keeper, booked)
    cancellation = Booking(
        id=uuid.uuid4(),
        invoice_id=work.invoice.id,
        position=len(work.invoice.bookings) + 1,
        kind=BookingKind.CANCELLATION,
        number=booking.number,
        created_at=keeper.clock.now(),
        journal_id=posted.id if posted else None,
        journal_number=posted.number if posted else None,
        cancellation=Cancellation(cancel_date, reason, booking.id),
        net_main=-booking.net_main,
        tax_main=-booking.tax_main,
        total_main=-booking.total_main,
    )
    _append(session, keeper, work, cancellation)
    repo.mark_cancelled(session, keeper.tenant_id, booking.id)
    work.invoice = with_cancelled(work.invoice, booking.id)
    if booking.journal_number:
        work.infos.append(Info(InfoKind.BOOKING_CANCELLED, booking.journal_number))


def save_totals(
    session: Session, *, keeper: Bookkeeper, work: WorkingInvoice, paid_date: date | None
) -> None:
    """Derive the remaining totals from the active payments and store them with the sequence,
    paid and cancellation fields (seed 003 §3.3 invoice invariants), in the caller's
    transaction."""
    work.invoice = with_totals(work.invoice, paid_date=paid_date, now=keeper.clock.now())
    repo.update_invoice(session, keeper.tenant_id, work.invoice)
