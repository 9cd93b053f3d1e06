"""Posting rules of double-entry accounting (doppelte Buchhaltung), seed 003 §3.3 B.

- Creating an invoice books it whole against the unpaid account: payables (incoming) or
  receivables (outgoing), or the contact's own contra account; outgo journal A for incoming,
  income journal E for outgoing invoices.
- An incoming invoice paid on its invoice date books once, against the payment account.
- A payment is a rebook (U) from the unpaid account to the payment account.
- A rest payment (DISCOUNT, or IRRECOVERABLE for outgoing invoices) reverses the pro-rata
  share of income or expense and VAT against the unpaid account, in an A or E journal.
- When the last payment closes a foreign-currency invoice, the main-currency residue on the
  unpaid account is booked to the exchange gain or loss account (seed §3.3, §7 item 11).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from beleg import messages
from beleg.domain.accounting.components import Side, cumulative_targets, share_towards
from beleg.domain.accounting.lines import Direction
from beleg.domain.accounting.rules import BOOKS_LANGUAGE, Booked, journal_type_of, with_counter
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.money import Currency

REST_TYPES = {Direction.INCOMING: ("DISCOUNT",), Direction.OUTGOING: ("DISCOUNT", "IRRECOVERABLE")}


def initial(
    side: Side, *, counter_account: str, booking_date: date, rate: Decimal, description: str
) -> Booked:
    """The whole invoice against the unpaid account (or, paid on the invoice date, against
    the payment account)."""
    share = share_towards(side, paid_after=side.total)
    return with_counter(
        share,
        side,
        counter_account=counter_account,
        amount=side.total,
        journal_type=journal_type_of(side.direction),
        booking_date=booking_date,
        rate=rate,
        main_total=None,
        description=description,
    )


def payment(
    side: Side,
    *,
    amount: Decimal,
    unpaid_account: str,
    payment_account: str,
    booking_date: date,
    rate: Decimal,
    main_total: Decimal | None,
    description: str,
) -> Booked:
    """A rebook of ``amount`` between the unpaid account and the payment account."""
    sign = side.sign
    postings = (Posting(unpaid_account, sign * amount), Posting(payment_account, -sign * amount))
    draft = JournalDraft(
        JournalType.REBOOK,
        booking_date,
        side.currency,
        postings,
        rate,
        description,
        main_total=main_total,
    )
    return Booked(draft, amount, Decimal(0), amount)


def rest_payment(
    side: Side,
    *,
    rest_type: str,
    remaining: Decimal,
    unpaid_account: str,
    booking_date: date,
    rate: Decimal,
    description: str,
) -> Booked:
    """Write off ``remaining``: its pro-rata share of the invoice is reversed."""
    if rest_type not in REST_TYPES[side.direction]:
        raise ValidationFailed(
            "accounting.rest_type",
            field="type",
            allowed=" or ".join(REST_TYPES[side.direction]),
            value=rest_type,
        )
    if remaining <= 0:
        raise ValidationFailed("accounting.nothing_remains", field="type")
    kept = cumulative_targets(side, side.total - remaining)
    share = share_towards(side, paid_after=side.total, booked=kept)
    postings = tuple(
        Posting(p.account, -p.amount, p.tax_code, p.text, -p.tax) for p in share.postings
    )
    postings += (Posting(unpaid_account, side.sign * remaining),)
    draft = JournalDraft(
        journal_type_of(side.direction), booking_date, side.currency, postings, rate, description
    )
    return Booked(draft, share.net, share.tax, remaining)


def currency_difference(
    *,
    direction: Direction,
    residue: Decimal,
    unpaid_account: str,
    gain_account: str,
    loss_account: str,
    booking_date: date,
    main: Currency,
) -> Booked:
    """Clear ``residue`` (main currency, what the unpaid account still holds for the invoice,
    signed in the invoice's natural direction: payables credit, receivables debit)."""
    sign = Decimal(1) if direction is Direction.INCOMING else Decimal(-1)
    gain = residue > 0 if direction is Direction.INCOMING else residue < 0
    other = gain_account if gain else loss_account
    postings = (Posting(unpaid_account, sign * residue), Posting(other, -sign * residue))
    text = messages.text("accounting.currency_difference_text", BOOKS_LANGUAGE)
    draft = JournalDraft(JournalType.REBOOK, booking_date, main, postings, Decimal(1), text)
    return Booked(draft, abs(residue), Decimal(0), abs(residue))
