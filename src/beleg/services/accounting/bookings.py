"""What every cash-invoice operation loads and writes: the tenant's books, the invoice with its
lines and bookings, new bookings with their journals, and the derived invoice totals.

Everything here runs inside the caller's transaction; the invoice row is locked first so two
operations on one invoice queue (SQLite's single writer does the same).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db import ledger, sequences
from beleg.db.tables import (
    cb_bookings,
    cb_invoice_lines,
    cb_invoices,
)
from beleg.domain.accounting.components import Key, Side, invoice_side
from beleg.domain.accounting.lines import (
    Direction,
    Line,
    LineInput,
    check_amount,
    resolve_line,
)
from beleg.domain.accounting.rules import Booked
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.journals import main_currency_amounts
from beleg.money import Currency, is_currency, round_to_currency
from beleg.services.ledger.posting import PostedJournal, post_journals, reversal_of


class InfoKind(StrEnum):
    """Seed 003 §2 info messages, in the order the events happened."""

    NUMBER_ASSIGNED = "number_assigned"
    BOOKING_CREATED = "booking_created"
    BOOKING_CANCELLED = "booking_cancelled"


@dataclass(frozen=True, slots=True)
class Info:
    kind: InfoKind
    number: str


@dataclass(slots=True)
class Invoice:
    """An invoice row with its resolved lines and its bookings, loaded for an operation."""

    row: dict[str, Any]
    side: Side
    bookings: list[dict[str, Any]]
    infos: list[Info] = field(default_factory=list)

    @property
    def id(self) -> uuid.UUID:
        return self.row["id"]

    @property
    def direction(self) -> Direction:
        return Direction(self.row["direction"])

    def active_payments(self) -> list[dict[str, Any]]:
        return [b for b in self.bookings if b["kind"] == "PAYMENT" and not b["cancelled"]]

    def paid(self) -> Decimal:
        return sum((b["payment_amount"] for b in self.active_payments()), Decimal(0))

    def paid_main(self) -> Decimal:
        return sum((b["payment_amount_main"] for b in self.active_payments()), Decimal(0))

    def active_journal_ids(self) -> list[uuid.UUID]:
        """Journals of bookings that stand (neither cancelled nor cancellations)."""
        return [
            b["journal_id"]
            for b in self.bookings
            if b["journal_id"] is not None and not b["cancelled"] and b["kind"] != "CANCELLATION"
        ]

    def next_number(self) -> int:
        return max((b["number"] for b in self.bookings), default=0) + 1


def resolve_lines(
    books: TenantBooks, items: list[LineInput], direction: Direction, currency: Currency
) -> list[Line]:
    if not items:
        raise ValidationFailed(
            "an invoice needs at least one line",
            de="Eine Rechnung braucht mindestens eine Zeile",
            field="lines",
        )
    return [
        resolve_line(
            item,
            index=i,
            direction=direction,
            chart=books.chart,
            accounts=books.accounts,
            currency=currency,
        )
        for i, item in enumerate(items)
    ]


def load_invoice(
    session: Session, books: TenantBooks, invoice_id: uuid.UUID, direction: Direction
) -> Invoice:
    """The invoice, locked for this transaction; 404 if it is not this tenant's."""
    row = session.execute(
        select(cb_invoices)
        .where(
            cb_invoices.c.tenant_id == books.tenant_id,
            cb_invoices.c.id == invoice_id,
            cb_invoices.c.direction == direction.value,
        )
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(
            f"invoice {invoice_id} does not exist", de="Rechnung nicht gefunden.", field="invoice"
        )
    line_rows = session.execute(
        select(cb_invoice_lines)
        .where(
            cb_invoice_lines.c.tenant_id == books.tenant_id,
            cb_invoice_lines.c.invoice_id == invoice_id,
        )
        .order_by(cb_invoice_lines.c.line_no)
    ).all()
    currency = Currency.of(row.currency)
    items = [
        LineInput(
            r.account,
            r.amount,
            r.amount_type,
            r.tax_entry,
            r.description,
            r.private_part,
            r.private_part_type,
            r.private_part_account,
            r.tax_entry_modifier,
        )
        for r in line_rows
    ]
    side = invoice_side(
        resolve_lines(books, items, direction, currency), direction, books.chart, currency
    )
    return Invoice(dict(row._mapping), side, invoice_bookings(session, books.tenant_id, invoice_id))


def invoice_bookings(
    session: Session, tenant_id: uuid.UUID, invoice_id: uuid.UUID
) -> list[dict[str, Any]]:
    return [
        dict(r._mapping)
        for r in session.execute(
            select(cb_bookings)
            .where(cb_bookings.c.tenant_id == tenant_id, cb_bookings.c.invoice_id == invoice_id)
            .order_by(cb_bookings.c.position)
        ).all()
    ]


def invoice_currency(
    books: TenantBooks, code: str | None, rate: Decimal | None
) -> tuple[Currency, Decimal]:
    """An invoice's currency (the main one by default, ISO 4217) and its rate to the main
    currency: more than 0, 8 decimals at most, and exactly 1 for the main currency."""
    code = code or books.main.code
    if not is_currency(code):
        raise ValidationFailed(
            f"currency {code!r} is not an ISO 4217 code",
            de=f"Währung {code} ist kein ISO-4217-Code",
            field="currency",
        )
    value = Decimal(1) if rate is None else check_amount(rate, "currencyRate", 8)
    if value <= 0:
        raise ValidationFailed(
            "currencyRate must be more than 0",
            de="currencyRate muss größer 0 sein",
            field="currencyRate",
        )
    if code == books.main.code and value != 1:
        raise ValidationFailed(
            f"currencyRate must be 1 for the main currency {code}",
            de=f"currencyRate muss für die Hauptwährung {code} 1 sein",
            field="currencyRate",
        )
    return Currency.of(code), value


def booked_so_far(session: Session, invoice: Invoice, tenant_id: uuid.UUID) -> dict[Key, Decimal]:
    """What the journals of the invoice's active bookings booked on its component accounts
    (invoice currency, signed)."""
    return component_sums(
        session, tenant_id, invoice.active_journal_ids(), invoice.side.component_keys()
    )


def component_sums(
    session: Session, tenant_id: uuid.UUID, journal_ids: list[uuid.UUID], keys: set[Key]
) -> dict[Key, Decimal]:
    """Signed sums per (account, tax code) of ``keys`` over the journals ``journal_ids``."""
    sums = ledger.posting_sums(session, tenant_id, journal_ids)
    return {key: amount for key, amount in sums.items() if key in keys}


def unpaid_balance_main(session: Session, invoice: Invoice, tenant_id: uuid.UUID) -> Decimal:
    """Main-currency balance the invoice's active journals left on its unpaid account."""
    return ledger.balance_main(
        session, tenant_id, invoice.active_journal_ids(), invoice.row["unpaid_account"]
    )


def assign_sequence(session: Session, books: TenantBooks, invoice: Invoice, year: int) -> None:
    """ER{yyyy} {n} / AR{yyyy} {n} (seed 003 §3.2), from a locked counter per year."""
    if invoice.row["sequence"]:
        return
    prefix = "ER" if invoice.direction is Direction.INCOMING else "AR"
    value = sequences.allocate(
        session,
        tenant_id=books.tenant_id,
        series=sequences.cash_invoice_series(prefix),
        period=f"{year:04d}",
    )
    sequence = f"{prefix}{year:04d} {value}"
    invoice.row["sequence"] = sequence
    invoice.infos.append(Info(InfoKind.NUMBER_ASSIGNED, sequence))


def add_booking(
    session: Session,
    *,
    books: TenantBooks,
    invoice: Invoice,
    actor: Actor,
    clock: Clock,
    values: dict[str, Any],
    booked: Booked | None,
) -> dict[str, Any]:
    """Post ``booked`` (if any) and append the booking row for it."""
    posted: PostedJournal | None = None
    if booked is not None:
        posted = post_journals(
            session,
            actor=actor,
            tenant_id=books.tenant_id,
            drafts=[booked.draft],
            clock=clock,
            reverses=[booked.reverses] if booked.reverses else None,
        )[0]
    row = {
        "tenant_id": books.tenant_id,
        "id": uuid.uuid4(),
        "invoice_id": invoice.id,
        "position": len(invoice.bookings) + 1,
        "cancelled": False,
        "journal_id": posted.id if posted else None,
        "journal_number": posted.number if posted else None,
        "net_main": Decimal(0),
        "tax_main": Decimal(0),
        "total_main": Decimal(0),
        "created_at": clock.now(),
        **values,
    }
    if booked is not None:
        rate = booked.draft.rate
        row["net_main"] = round_to_currency(booked.net * rate, books.main)
        row["tax_main"] = round_to_currency(booked.tax * rate, books.main)
        mains = main_currency_amounts(booked.draft, books.main)  # as post_journals stores
        row["total_main"] = sum((m for m in mains if m > 0), Decimal(0))
    session.execute(insert(cb_bookings).values(**row))
    invoice.bookings.append(row)
    if posted is not None and values["kind"] != "CANCELLATION":
        invoice.infos.append(Info(InfoKind.BOOKING_CREATED, posted.number))
    return row


MAIN_TOTALS = ("net_main", "tax_main", "total_main")


def set_main_totals(
    session: Session, tenant_id: uuid.UUID, booking: dict[str, Any], values: list[Decimal]
) -> None:
    """Overwrite a booking's journal totals (a cancellation mirrors what it cancels)."""
    changes = dict(zip(MAIN_TOTALS, values, strict=True))
    session.execute(
        update(cb_bookings)
        .where(cb_bookings.c.tenant_id == tenant_id, cb_bookings.c.id == booking["id"])
        .values(**changes)
    )
    booking.update(changes)


def mark_cancelled(session: Session, tenant_id: uuid.UUID, booking: dict[str, Any]) -> None:
    session.execute(
        update(cb_bookings)
        .where(cb_bookings.c.tenant_id == tenant_id, cb_bookings.c.id == booking["id"])
        .values(cancelled=True)
    )
    booking["cancelled"] = True


def save_totals(
    session: Session, invoice: Invoice, *, paid_date: date | None, clock: Clock
) -> None:
    """Derive remaining totals from the active payments (0 once cancelled) and store them
    with the sequence, paid and cancellation fields (seed 003 §3.3 invoice invariants)."""
    row = invoice.row
    if row["cancelled_date"] is not None:
        row["remaining"] = row["remaining_main"] = Decimal(0)
    else:
        row["remaining"] = row["total"] - invoice.paid()
        row["remaining_main"] = row["total_main"] - invoice.paid_main()
    row["paid_date"] = (
        paid_date if row["remaining"] == 0 and row["cancelled_date"] is None else None
    )
    row["updated_at"] = clock.now()
    keys = (
        "sequence",
        "remaining",
        "remaining_main",
        "paid_date",
        "cancelled_date",
        "cancelled_reason",
        "updated_at",
    )
    session.execute(
        update(cb_invoices)
        .where(cb_invoices.c.tenant_id == row["tenant_id"], cb_invoices.c.id == row["id"])
        .values(**{k: row[k] for k in keys})
    )


def cancel_booking_row(
    session: Session,
    *,
    books: TenantBooks,
    invoice: Invoice,
    booking: dict[str, Any],
    cancel_date: date,
    reason: str,
    actor: Actor,
    clock: Clock,
) -> None:
    """Reverse the booking's journal and add its cancellation booking (same number)."""
    booked = None
    journal_id = booking["journal_id"]
    if isinstance(journal_id, uuid.UUID):
        draft = reversal_of(
            session,
            tenant_id=books.tenant_id,
            journal_id=journal_id,
            booking_date=cancel_date,
            reason=reason,
        )
        booked = Booked(draft, Decimal(0), Decimal(0), Decimal(0), reverses=journal_id)
    row = add_booking(
        session,
        books=books,
        invoice=invoice,
        actor=actor,
        clock=clock,
        booked=booked,
        values={
            "kind": "CANCELLATION",
            "number": booking["number"],
            "cancelled_date": cancel_date,
            "cancelled_reason": reason,
            "cancelled_booking": booking["id"],
        },
    )
    set_main_totals(session, books.tenant_id, row, [-booking[k] for k in MAIN_TOTALS])
    mark_cancelled(session, books.tenant_id, booking)
    if booking["journal_number"]:
        invoice.infos.append(Info(InfoKind.BOOKING_CANCELLED, str(booking["journal_number"])))
