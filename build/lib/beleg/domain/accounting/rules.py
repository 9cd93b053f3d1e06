"""What the EA and DE rule modules share: a booked journal with its totals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from beleg.domain.accounting.components import Share, Side
from beleg.domain.accounting.lines import Direction
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting

# Texts written into the books (journal descriptions) are German, like the seed's books.
BOOKS_LANGUAGE = "de"


@dataclass(frozen=True, slots=True)
class Booked:
    """A journal a booking creates, with the net, tax and total it books (journal currency;
    seed 003 JournalDto reports them in the main currency)."""

    draft: JournalDraft
    net: Decimal
    tax: Decimal
    total: Decimal
    reverses: uuid.UUID | None = None  # the journal a cancellation reverses


def journal_type_of(direction: Direction) -> JournalType:
    """Seed 003 §3.2: outgo journals (A) for incoming, income journals (E) for outgoing."""
    return JournalType.OUTGO if direction is Direction.INCOMING else JournalType.INCOME


def with_counter(
    share: Share,
    side: Side,
    *,
    counter_account: str,
    amount: Decimal,
    journal_type: JournalType,
    booking_date: date,
    rate: Decimal,
    main_total: Decimal | None,
    description: str,
) -> Booked:
    """``share`` booked against ``amount`` on the counter (payment or unpaid) account."""
    postings = (*share.postings, Posting(counter_account, -side.sign * amount))
    draft = JournalDraft(
        journal_type,
        booking_date,
        side.currency,
        postings,
        rate,
        description,
        main_total=main_total,
    )
    return Booked(draft, share.net, share.tax, amount)
