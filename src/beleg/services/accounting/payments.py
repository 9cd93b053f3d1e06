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

from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.domain.accounting import rules_de, rules_ea
from beleg.domain.accounting.lines import Direction
from beleg.domain.amounts import check_amount
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import round_to_currency
from beleg.services.accounting.bookings import (
    Invoice,
    add_booking,
    assign_sequence,
    booked_so_far,
    cancel_booking_row,
    load_invoice,
    save_totals,
    unpaid_balance_main,
)

ENTITY = "CashInvoiceBooking"
CLIENT_PAYMENT_TYPES = ("PAYMENT", "EXISTING_CREDIT")


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
    books: TenantBooks,
    invoice: Invoice,
    payment: PaymentInput,
    actor: Actor,
    clock: Clock,
) -> None:
    """Register one payment in the caller's transaction."""
    row = invoice.row
    if row["cancelled_date"] is not None:
        raise Conflict("the invoice is cancelled", de="Die Rechnung ist storniert", field="invoice")
    kind = payment.payment_type or "PAYMENT"
    if kind not in CLIENT_PAYMENT_TYPES:
        raise ValidationFailed(
            f"paymentType must be PAYMENT or EXISTING_CREDIT, not {kind!r}",
            de="paymentType muss PAYMENT oder EXISTING_CREDIT sein",
            field="paymentType",
        )
    account = books.payment_account(payment.contra_account, _account_field(payment))
    remaining = row["total"] - invoice.paid()
    amount = (
        remaining if payment.amount is None else check_amount(payment.amount, "paymentAmount", 2)
    )
    if amount <= 0 or amount > remaining:
        raise ValidationFailed(
            f"paymentAmount must be more than 0 and at most the remaining "
            f"{remaining} {row['currency']}",
            de=f"Zahlungsbetrag muss größer 0 und höchstens {remaining} sein",
            field="paymentAmount",
        )
    rate = payment_rate(payment.rate, row["currency_rate"])
    main = _main_amount(books, amount, rate, payment.amount_main)
    journal = None
    if books.mode is AccountingMode.EA:
        assign_sequence(session, books, invoice, payment.payment_date.year)
        if kind == "PAYMENT":
            journal = rules_ea.payment(
                invoice.side,
                paid_before=invoice.paid(),
                amount=amount,
                booked=booked_so_far(session, invoice, books.tenant_id),
                payment_account=account,
                booking_date=payment.payment_date,
                rate=rate,
                main_total=main,
                description=payment.description or "",
            )
    elif kind == "PAYMENT":
        journal = rules_de.payment(
            invoice.side,
            amount=amount,
            unpaid_account=row["unpaid_account"],
            payment_account=account,
            booking_date=payment.payment_date,
            rate=rate,
            main_total=main,
            description=payment.description or "",
        )
    add_booking(
        session,
        books=books,
        invoice=invoice,
        actor=actor,
        clock=clock,
        booked=journal,
        values={
            "kind": "PAYMENT",
            "number": invoice.next_number(),
            "payment_type": kind,
            "payment_date": payment.payment_date,
            "payment_amount": amount,
            "payment_amount_main": main,
            "payment_contra_account": account,
            "payment_rate": rate,
            "payment_description": payment.description,
        },
    )
    _clear_currency_difference(
        session, books, invoice, day=payment.payment_date, actor=actor, clock=clock
    )


def payment_rate(given: Decimal | None, invoice_rate: Decimal) -> Decimal:
    """The payment's currency rate; without one, the invoice's rate (a default of 1, as the
    seed's model says, would be wrong for every foreign-currency invoice)."""
    if given is None:
        return invoice_rate
    rate = check_amount(given, "currencyRate", 8)
    if rate <= 0:
        raise ValidationFailed(
            "currencyRate must be more than 0",
            de="currencyRate muss größer 0 sein",
            field="currencyRate",
        )
    return rate


def _main_amount(
    books: TenantBooks, amount: Decimal, rate: Decimal, given: Decimal | None
) -> Decimal:
    """Seed 003 §7 item 12: a given paymentAmountInMainCurrency overrides amount x rate."""
    if given is None:
        return round_to_currency(amount * rate, books.main)
    value = check_amount(given, "paymentAmountInMainCurrency", books.main.minor_units)
    if value <= 0:
        raise ValidationFailed(
            "paymentAmountInMainCurrency must be more than 0",
            de="paymentAmountInMainCurrency muss größer 0 sein",
            field="paymentAmountInMainCurrency",
        )
    return value


def _clear_currency_difference(
    session: Session, books: TenantBooks, invoice: Invoice, *, day: date, actor: Actor, clock: Clock
) -> None:
    row = invoice.row
    if row["total"] != invoice.paid():
        return
    if books.mode is AccountingMode.DE:
        balance = unpaid_balance_main(session, invoice, books.tenant_id)
        residue = -balance if invoice.direction is Direction.INCOMING else balance
    else:
        residue = row["total_main"] - invoice.paid_main()
    if not residue:
        return
    journal = None
    contra = None
    if books.mode is AccountingMode.DE:
        chart = books.chart
        journal = rules_de.currency_difference(
            direction=invoice.direction,
            residue=residue,
            unpaid_account=row["unpaid_account"],
            gain_account=chart.exchange_gain,
            loss_account=chart.exchange_loss,
            booking_date=day,
            main=books.main,
        )
        contra = journal.draft.postings[1].account
    add_booking(
        session,
        books=books,
        invoice=invoice,
        actor=actor,
        clock=clock,
        booked=journal,
        values={
            "kind": "PAYMENT",
            "number": invoice.next_number(),
            "payment_type": "CURRENCY_DIFFERENCE",
            "payment_date": day,
            "payment_amount": Decimal(0),
            "payment_amount_main": row["total_main"] - invoice.paid_main(),
            "payment_contra_account": contra,
            "payment_rate": Decimal(1),
            "payment_description": None,
        },
    )


def pay(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    direction: Direction,
    invoice_id: uuid.UUID,
    payment: PaymentInput,
    clock: Clock,
) -> Invoice:
    """Register a payment (full when ``amount`` is omitted)."""
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        invoice = load_invoice(session, books, invoice_id, direction)
        book_payment(
            session, books=books, invoice=invoice, payment=payment, actor=actor, clock=clock
        )
        save_totals(session, invoice, paid_date=payment.payment_date, clock=clock)
        _audit(session, actor, tenant_id, invoice, clock)
        return invoice


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
) -> Invoice:
    """Settle the remainder as DISCOUNT or IRRECOVERABLE; double-entry only (seed §3.3 B.5)."""
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        invoice = load_invoice(session, books, invoice_id, direction)
        if books.mode is AccountingMode.EA:
            rules_ea.rest_payment(direction)
        row = invoice.row
        if row["cancelled_date"] is not None:
            raise Conflict(
                "the invoice is cancelled", de="Die Rechnung ist storniert", field="invoice"
            )
        remaining = row["total"] - invoice.paid()
        used_rate = payment_rate(rate, row["currency_rate"])
        journal = rules_de.rest_payment(
            invoice.side,
            rest_type=rest_type,
            remaining=remaining,
            unpaid_account=row["unpaid_account"],
            booking_date=payment_date,
            rate=used_rate,
            description=description or "",
        )
        add_booking(
            session,
            books=books,
            invoice=invoice,
            actor=actor,
            clock=clock,
            booked=journal,
            values={
                "kind": "PAYMENT",
                "number": invoice.next_number(),
                "payment_type": rest_type,
                "payment_date": payment_date,
                "payment_amount": remaining,
                "payment_amount_main": round_to_currency(remaining * used_rate, books.main),
                "payment_contra_account": row["unpaid_account"],
                "payment_rate": used_rate,
                "payment_description": description,
            },
        )
        _clear_currency_difference(
            session, books, invoice, day=payment_date, actor=actor, clock=clock
        )
        save_totals(session, invoice, paid_date=payment_date, clock=clock)
        _audit(session, actor, tenant_id, invoice, clock)
        return invoice


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
) -> Invoice:
    """Cancel a payment or rest-payment booking (seed §3.3 A.4): its journal is reversed and
    a cancellation booking with the same number added; an automatic currency difference of
    the then no longer paid invoice is cancelled with it."""
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        invoice = load_invoice(session, books, invoice_id, direction)
        booking = next((b for b in invoice.bookings if b["id"] == booking_id), None)
        if booking is None:
            raise NotFound(
                f"booking {booking_id} does not exist on this invoice",
                de="Buchung nicht gefunden.",
                field="booking",
            )
        if booking["kind"] != "PAYMENT" or booking["payment_type"] == "CURRENCY_DIFFERENCE":
            raise ValidationFailed(
                "only payment and rest-payment bookings can be cancelled",
                de="Nur Zahlungs- und Restzahlungsbuchungen können storniert werden",
                field="booking",
            )
        if booking["cancelled"]:
            raise Conflict(
                "the booking is already cancelled",
                de="Die Buchung ist bereits storniert",
                field="booking",
            )
        automatic = [
            b for b in invoice.active_payments() if b["payment_type"] == "CURRENCY_DIFFERENCE"
        ]
        for target in [booking, *automatic]:
            cancel_booking_row(
                session,
                books=books,
                invoice=invoice,
                booking=target,
                cancel_date=cancel_date,
                reason=reason,
                actor=actor,
                clock=clock,
            )
        _book_as_open(session, books, invoice, day=cancel_date, actor=actor, clock=clock)
        save_totals(session, invoice, paid_date=None, clock=clock)
        _audit(session, actor, tenant_id, invoice, clock)
        return invoice


def _book_as_open(
    session: Session, books: TenantBooks, invoice: Invoice, *, day: date, actor: Actor, clock: Clock
) -> None:
    """DE: an incoming invoice paid on its invoice date was booked once, against the payment
    account. Once that payment is cancelled the invoice is open, so it is now booked against
    the unpaid account (dated like the cancellation, leaving the expense in its period)."""
    if books.mode is not AccountingMode.DE or any(
        b["kind"] == "INITIAL" and not b["cancelled"] for b in invoice.bookings
    ):
        return
    row = invoice.row
    booked = rules_de.initial(
        invoice.side,
        counter_account=row["unpaid_account"],
        booking_date=day,
        rate=row["currency_rate"],
        description=row["description"] or "",
    )
    add_booking(
        session,
        books=books,
        invoice=invoice,
        actor=actor,
        clock=clock,
        booked=booked,
        values={
            "kind": "INITIAL",
            "number": invoice.next_number(),
            "contra_account": row["unpaid_account"],
        },
    )


def _audit(
    session: Session, actor: Actor, tenant_id: uuid.UUID, invoice: Invoice, clock: Clock
) -> None:
    last = invoice.bookings[-1]
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=last["id"],
        before=None,
        after={
            "invoice": invoice.id,
            "kind": last["kind"],
            "paymentType": last.get("payment_type"),
            "amount": last.get("payment_amount"),
            "journal": last["journal_number"],
            "remaining": invoice.row["remaining"],
        },
        clock=clock,
    )
