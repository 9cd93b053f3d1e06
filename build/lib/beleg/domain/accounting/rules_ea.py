"""Posting rules of single-entry accounting (Einnahmen-Ausgaben-Rechnung), seed 003 §3.3 A.

Cash basis: an unpaid invoice books nothing. Each payment books the pro-rata share of the
invoice's income or expense (net, VAT, private parts) against the payment account, in an
income journal (E, outgoing invoices) or an outgo journal (A, incoming invoices); the shares of
all payments sum exactly to the invoice (seed §7 item 3). A cancelled payment is reversed by a
cancellation journal of the same type. Rest payments (discount, bad debt) are double-entry
only (seed §4.3.12, §7 item 10).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from beleg.domain.accounting.components import Key, Side, share_towards
from beleg.domain.accounting.lines import Direction
from beleg.domain.accounting.rules import Booked, journal_type_of, with_counter
from beleg.domain.errors import ValidationFailed


def payment(
    side: Side,
    *,
    paid_before: Decimal,
    amount: Decimal,
    booked: dict[Key, Decimal],
    payment_account: str,
    booking_date: date,
    rate: Decimal,
    main_total: Decimal | None,
    description: str,
) -> Booked:
    """The journal of one payment: its share of the invoice against the payment account.
    ``paid_before`` is what active payments settled, ``booked`` what their journals booked."""
    if amount <= 0 or paid_before + amount > side.total:
        raise ValidationFailed(
            "accounting.payment_share_amount",
            field="paymentAmount",
            amount=amount,
            remaining=side.total - paid_before,
        )
    share = share_towards(side, paid_after=paid_before + amount, booked=booked)
    return with_counter(
        share,
        side,
        counter_account=payment_account,
        amount=amount,
        journal_type=journal_type_of(side.direction),
        booking_date=booking_date,
        rate=rate,
        main_total=main_total,
        description=description,
    )


def rest_payment(direction: Direction) -> None:
    """Always refused: a write-off without money movement needs double-entry accounts."""
    del direction
    raise ValidationFailed("accounting.rest_payment_double_entry_only", field="type")
