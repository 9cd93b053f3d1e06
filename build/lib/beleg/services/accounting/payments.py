"""Payments on cash-based invoices: pay, pay_rest and cancelling a payment booking
(seed 003 §3.3 A.3-4, B.4-5, B.7).

A payment books its share of the invoice (EA) or a rebook from the unpaid account (DE).
When the last payment closes an invoice, a main-currency residue from differing rates is
cleared by a CURRENCY_DIFFERENCE booking (seed §3.3: "paid out automatically with the last
payment"; in DE against the exchange gain/loss account, in EA without a journal, since cash
accounting already booked what was paid).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session, ledger
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.domain.accounting import rules_de, rules_ea
from beleg.domain.accounting.currency import payment_rate
from beleg.domain.accounting.invoices import (
    CLIENT_PAYMENT_TYPES,
    Booking,
    BookingKind,
    Outcome,
    Payment,
    PaymentType,
)
from beleg.domain.accounting.lines import Direction
from beleg.domain.accounting.rules import Booked
from beleg.domain.amounts import check_amount
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import round_to_currency
from beleg.services.accounting.bookings import (
    Bookkeeper,
    WorkingInvoice,
    add_initial,
    add_payment,
    assign_sequence,
    booked_so_far,
    cancel_booking,
    load_invoice,
    save_totals,
)
from beleg.services.accounting.currency_differences import clear_currency_difference

ENTITY = "CashInvoiceBooking"


@dataclass(frozen=True, slots=True)
class PaymentInput:
    """Seed 003 CbiPaymentDto; ``field_prefix`` names fields in errors (``paid`` when the
    payment comes with the invoice's creation: paidDate, paidContraAccount)."""

    payment_date: date
    contra_account: str | None
    amount: Decimal | None = None
    amount_main: Decimal | None = None
    rate: Decimal | None = None
    payment_type: str | None = None
    description: str | None = None
    field_prefix: str = "payment"


def _account_field(payment: PaymentInput) -> str:
    return "paidContraAccount" if payment.field_prefix == "paid" else "contraAccount"


def book_payment(
    session: Session,
    *,
    keeper: Bookkeeper,
    work: WorkingInvoice,
    payment: PaymentInput,
) -> None:
    """Register one payment, in the caller's transaction."""
    invoice, books = work.invoice, keeper.books
    if invoice.is_cancelled:
        raise Conflict("accounting.invoice_cancelled", field="invoice")
    kind = payment.payment_type or PaymentType.PAYMENT.value
    if kind not in CLIENT_PAYMENT_TYPES:
        raise ValidationFailed("accounting.payment_type", field="paymentType", value=kind)
    account = books.payment_account(payment.contra_account, _account_field(payment))
    remaining = invoice.open_amount()
    amount = (
        remaining if payment.amount is None else check_amount(payment.amount, "paymentAmount", 2)
    )
    if amount <= 0 or amount > remaining:
        raise ValidationFailed(
            "accounting.payment_amount_range",
            field="paymentAmount",
            remaining=remaining,
            currency=invoice.currency.code,
        )
    rate = payment_rate(payment.rate, invoice.currency_rate)
    settled = Payment(
        PaymentType(kind),
        payment.payment_date,
        amount,
        _main_amount(books, amount, rate, payment.amount_main),
        account,
        rate,
        payment.description,
    )
    journal = _payment_journal(session, keeper, work, settled, account)
    add_payment(session, keeper=keeper, work=work, booked=journal, payment=settled)
    clear_currency_difference(session, keeper=keeper, work=work, day=payment.payment_date)


def _payment_journal(
    session: Session, keeper: Bookkeeper, work: WorkingInvoice, payment: Payment, account: str
) -> Booked | None:
    """The journal of a payment: EA numbers the invoice and books its share, DE rebooks from
    the unpaid account; an existing credit books nothing."""
    if keeper.books.mode is AccountingMode.EA:
        assign_sequence(session, keeper=keeper, work=work, year=payment.day.year)
    if payment.payment_type is not PaymentType.PAYMENT:
        return None
    if keeper.books.mode is AccountingMode.EA:
        return rules_ea.payment(
            work.side,
            paid_before=work.invoice.paid(),
            amount=payment.amount,
            booked=booked_so_far(session, tenant_id=keeper.tenant_id, work=work),
            payment_account=account,
            booking_date=payment.day,
            rate=payment.rate,
            main_total=payment.amount_main,
            description=payment.description or "",
        )
    return rules_de.payment(
        work.side,
        amount=payment.amount,
        unpaid_account=work.invoice.unpaid(),
        payment_account=account,
        booking_date=payment.day,
        rate=payment.rate,
        main_total=payment.amount_main,
        description=payment.description or "",
    )


def _main_amount(
    books: TenantBooks, amount: Decimal, rate: Decimal, given: Decimal | None
) -> Decimal:
    """Seed 003 §7 item 12: a given paymentAmountInMainCurrency overrides amount x rate."""
    if given is None:
        return round_to_currency(amount * rate, books.main)
    value = check_amount(given, "paymentAmountInMainCurrency", books.main.minor_units)
    if value <= 0:
        raise ValidationFailed(
            "accounting.main_amount_not_positive", field="paymentAmountInMainCurrency"
        )
    return value


def pay(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    direction: Direction,
    invoice_id: uuid.UUID,
    payment: PaymentInput,
    clock: Clock,
) -> Outcome:
    """Register a payment (full when ``amount`` is omitted)."""
    with db.transaction() as session:
        books = ledger.load_books(session, tenant_id)
        keeper = Bookkeeper(books, actor, clock)
        work = load_invoice(session, books=books, invoice_id=invoice_id, direction=direction)
        book_payment(session, keeper=keeper, work=work, payment=payment)
        save_totals(session, keeper=keeper, work=work, paid_date=payment.payment_date)
        _audit(session, keeper, work)
        return work.outcome()


def pay_rest(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    direction: Direction,
    invoice_id: uuid.UUID,
    rest_type: str,
    payment_date: date,
    rate: Decimal | None,
    description: str | None,
    clock: Clock,
) -> Outcome:
    """Settle the remainder as DISCOUNT or IRRECOVERABLE; double-entry only (seed §3.3 B.5)."""
    with db.transaction() as session:
        books = ledger.load_books(session, tenant_id)
        keeper = Bookkeeper(books, actor, clock)
        work = load_invoice(session, books=books, invoice_id=invoice_id, direction=direction)
        if books.mode is AccountingMode.EA:
            rules_ea.rest_payment(direction)
        if work.invoice.is_cancelled:
            raise Conflict("accounting.invoice_cancelled", field="invoice")
        remaining, unpaid = work.invoice.open_amount(), work.invoice.unpaid()
        used_rate = payment_rate(rate, work.invoice.currency_rate)
        journal = rules_de.rest_payment(
            work.side,
            rest_type=rest_type,
            remaining=remaining,
            unpaid_account=unpaid,
            booking_date=payment_date,
            rate=used_rate,
            description=description or "",
        )
        main = round_to_currency(remaining * used_rate, books.main)
        kind = PaymentType(rest_type)  # checked by the rule
        rest = Payment(kind, payment_date, remaining, main, unpaid, used_rate, description)
        add_payment(session, keeper=keeper, work=work, booked=journal, payment=rest)
        clear_currency_difference(session, keeper=keeper, work=work, day=payment_date)
        save_totals(session, keeper=keeper, work=work, paid_date=payment_date)
        _audit(session, keeper, work)
        return work.outcome()


def cancel_payment(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    direction: Direction,
    invoice_id: uuid.UUID,
    booking_id: uuid.UUID,
    cancel_date: date,
    reason: str,
    clock: Clock,
) -> Outcome:
    """Cancel a payment or rest-payment booking (seed §3.3 A.4): its journal is reversed and
    a cancellation booking with the same number added; an automatic currency difference of
    the then no longer paid invoice is cancelled with it."""
    with db.transaction() as session:
        books = ledger.load_books(session, tenant_id)
        keeper = Bookkeeper(books, actor, clock)
        work = load_invoice(session, books=books, invoice_id=invoice_id, direction=direction)
        booking = _cancellable(work, booking_id)
        automatic = [
            b
            for b in work.invoice.active_payments()
            if b.payment_type is PaymentType.CURRENCY_DIFFERENCE
        ]
        for target in [booking, *automatic]:
            cancel_booking(
                session,
                keeper=keeper,
                work=work,
                booking=target,
                cancel_date=cancel_date,
                reason=reason,
            )
        _book_as_open(session, keeper, work, day=cancel_date)
        save_totals(session, keeper=keeper, work=work, paid_date=None)
        _audit(session, keeper, work)
        return work.outcome()


def _cancellable(work: WorkingInvoice, booking_id: uuid.UUID) -> Booking:
    """The payment or rest-payment booking ``booking_id`` of the invoice, not yet cancelled."""
    booking = work.invoice.booking(booking_id)
    if booking is None:
        raise NotFound("accounting.booking_not_found", field="booking", booking=booking_id)
    if (
        booking.kind is not BookingKind.PAYMENT
        or booking.payment_type is PaymentType.CURRENCY_DIFFERENCE
    ):
        raise ValidationFailed("accounting.booking_not_cancellable", field="booking")
    if booking.cancelled:
        raise Conflict("accounting.booking_already_cancelled", field="booking")
    return booking


def _book_as_open(session: Session, keeper: Bookkeeper, work: WorkingInvoice, *, day: date) -> None:
    """DE: an incoming invoice paid on its invoice date was booked once, against the payment
    account. Once that payment is cancelled the invoice is open, so it is now booked against
    the unpaid account (dated like the cancellation, leaving the expense in its period)."""
    if keeper.books.mode is not AccountingMode.DE or work.invoice.standing_initials():
        return
    booked = rules_de.initial(
        work.side,
        counter_account=work.invoice.unpaid(),
        booking_date=day,
        rate=work.invoice.currency_rate,
        description=work.invoice.description or "",
    )
    add_initial(session, keeper=keeper, work=work, booked=booked)


def _audit(session: Session, keeper: Bookkeeper, work: WorkingInvoice) -> None:
    last = work.invoice.bookings[-1]
    record_change(
        session,
        actor=keeper.actor,
        tenant_id=keeper.tenant_id,
        action=AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=last.id,
        before=None,
        after={
            "invoice": work.invoice.id,
            "kind": last.kind.value,
            "paymentType": last.payment_type.value if last.payment_type else None,
            "amount": last.payment.amount if last.payment else None,
            "journal": last.journal_number,
            "remaining": work.invoice.remaining,
        },
        clock=keeper.clock,
    )
