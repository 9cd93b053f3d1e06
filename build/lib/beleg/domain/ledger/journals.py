"""Journals and postings: the one shape every booking takes, in both accounting modes.

A journal is a set of postings with signed amounts (debit > 0, credit < 0) in one transaction
currency. It must balance exactly: the amounts sum to zero, no tolerance (DESIGN invariant 1).
Main-currency amounts are derived with the journal's rate (main = amount x rate, seed 003 §3.3)
and rounded residue-free: the debit side's total is rounded once and split over the debit
postings by allocation, the same for the credit side, so the main-currency journal balances too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from beleg.domain.errors import ValidationFailed
from beleg.money import Currency, allocate_amount, round_to_currency


class JournalType(StrEnum):
    """Seed 003 §3.2: E = income (Einnahmen), A = outgo (Ausgaben), U = rebook (Umbuchung)."""

    INCOME = "E"
    OUTGO = "A"
    REBOOK = "U"


@dataclass(frozen=True, slots=True)
class Posting:
    """One side of a booking: an account and a signed amount in the journal's currency."""

    account: str
    amount: Decimal
    tax_code: str | None = None
    text: str = ""
    tax: Decimal = Decimal(0)  # VAT booked elsewhere in the journal for this amount (signed)


@dataclass(frozen=True, slots=True)
class JournalDraft:
    """A journal before it is numbered and stored."""

    journal_type: JournalType
    booking_date: date
    currency: Currency
    postings: tuple[Posting, ...]
    rate: Decimal = Decimal(1)
    description: str = ""
    reverses: str | None = field(default=None)  # number of the journal this one cancels
    # The main-currency value of the debit side when it was agreed rather than derived
    # (seed 003 §7 item 12: a payment's paymentAmountInMainCurrency overrides amount x rate).
    main_total: Decimal | None = None

    def __post_init__(self) -> None:
        check_balanced(self.postings, self.currency)
        if not self.rate.is_finite() or self.rate <= 0:
            raise ValidationFailed("ledger.rate_not_positive", field="currencyRate", rate=self.rate)


@dataclass(frozen=True, slots=True)
class PostedJournal:
    """A numbered, stored journal: its id, its number (``E2026 1``) and its postings;
    ``reverses_id`` is the journal it cancels, if it is a cancellation."""

    id: uuid.UUID
    number: str
    draft: JournalDraft
    reverses_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A journal ready to be stored: the posted journal and, per posting, its signed
    main-currency amount and the main-currency VAT booked for it."""

    journal: PostedJournal
    amounts_main: tuple[Decimal, ...]
    taxes_main: tuple[Decimal, ...]


def journal_entry(journal: PostedJournal, main: Currency) -> JournalEntry:
    """The stored amounts of ``journal`` in the tenant's ``main`` currency (residue-free,
    ``main_currency_amounts``; each posting's VAT converted and rounded half-up)."""
    draft = journal.draft
    return JournalEntry(
        journal,
        tuple(main_currency_amounts(draft, main)),
        tuple(round_to_currency(p.tax * draft.rate, main) for p in draft.postings),
    )


def check_balanced(postings: tuple[Posting, ...], currency: Currency) -> None:
    """At least two non-zero postings, each in whole minor units, summing to exactly zero."""
    if len(postings) < 2:
        raise ValidationFailed("ledger.too_few_postings", field="postings")
    for index, posting in enumerate(postings):
        if posting.amount == 0:
            raise ValidationFailed(
                "ledger.posting_without_amount",
                field="postings",
                line=index + 1,
                account=posting.account,
            )
        if round_to_currency(posting.amount, currency) != posting.amount:
            raise ValidationFailed(
                "ledger.posting_too_many_decimals",
                field="postings",
                line=index + 1,
                amount=posting.amount,
                currency=currency.code,
            )
    total = sum((p.amount for p in postings), Decimal(0))
    if total != 0:
        raise ValidationFailed(
            "ledger.unbalanced", field="postings", total=total, currency=currency.code
        )


def main_currency_amounts(draft: JournalDraft, main: Currency) -> list[Decimal]:
    """Signed main-currency amounts of the postings, balanced and residue-free."""
    if draft.currency == main and draft.rate == 1 and draft.main_total is None:
        return [p.amount for p in draft.postings]
    debit_total = sum((p.amount for p in draft.postings if p.amount > 0), Decimal(0))
    agreed = draft.main_total
    main_total = round_to_currency(debit_total * draft.rate if agreed is None else agreed, main)
    debits = iter(
        allocate_amount(main_total, main, [p.amount for p in draft.postings if p.amount > 0])
    )
    credits = iter(
        allocate_amount(main_total, main, [-p.amount for p in draft.postings if p.amount < 0])
    )
    return [next(debits) if p.amount > 0 else -next(credits) for p in draft.postings]


def reversal(draft: JournalDraft, *, booking_date: date, number: str) -> JournalDraft:
    """The cancellation journal (Storno) of ``draft``: same accounts, amounts negated."""
    postings = tuple(
        Posting(p.account, -p.amount, p.tax_code, p.text, -p.tax) for p in draft.postings
    )
    return JournalDraft(
        journal_type=draft.journal_type,
        booking_date=booking_date,
        currency=draft.currency,
        postings=postings,
        rate=draft.rate,
        description=draft.description,
        reverses=number,
        main_total=draft.main_total,
    )
