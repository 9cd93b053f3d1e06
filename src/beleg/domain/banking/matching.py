"""Matching bank lines to open items (receivables issue, item 4; ADR 0026).

A line is matched against the open items of its currency whose direction is the line's: a
credit (+) pays invoices, a debit (-) pays out credit memos. The rules, first that decides:

1. **End-to-end id** of a direct-debit collection: the item that was collected with it.
2. **Document numbers** in the remittance text, any number of them: one named item takes the
   transfer (a smaller transfer is a partial payment, a larger one pays the item and keeps the
   excess on the customer's account); several are a full match only when their open amounts
   add up to the transfer exactly.
3. **Reference** (an order or customer reference shared by several items): among the items of
   the reference, those whose open amount is the transfer; the newest of them (by document
   date) when it is the only one of its date, else no assignment (seed 001).
4. **Amount and IBAN**: the one open item of the counterparty's customer with that amount.

Everything else gets ranked suggestions and no assignment. A debit line is only ever assigned
in full (credit memos are paid out whole). Amounts are ``Decimal`` as stored; nothing is
rounded here. OPOS cases for partial and over-payments are a later step: the outcome only says
which it was.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

MAX_SUGGESTIONS = 5
PHRASE_WORDS = 4
_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-/._]*[0-9A-Za-z]|[0-9A-Za-z]")


class Rule(StrEnum):
    END_TO_END_ID = "END_TO_END_ID"
    DOCUMENT_NUMBERS = "DOCUMENT_NUMBERS"
    REFERENCE = "REFERENCE"
    AMOUNT_AND_IBAN = "AMOUNT_AND_IBAN"
    AMOUNT = "AMOUNT"  # suggestions only


class Outcome(StrEnum):
    FULL = "FULL"
    PARTIAL = "PARTIAL"
    OVERPAID = "OVERPAID"
    SUGGESTED = "SUGGESTED"  # not assigned


@dataclass(frozen=True, slots=True)
class BankLine:
    """What matching reads of a statement line; ``amount`` is signed (+ credit) and is what
    is still unreconciled of it."""

    amount: Decimal
    currency: str
    remittance: str = ""
    end_to_end_id: str | None = None
    counterparty_iban: str | None = None

    @property
    def direction(self) -> int:
        return 1 if self.amount > 0 else -1


@dataclass(frozen=True, slots=True)
class OpenItem:
    """A candidate: ``remaining`` is unsigned (what is open in the direction ``sign``)."""

    document_id: uuid.UUID
    doc_type: str
    number: str
    customer_id: uuid.UUID | None
    remaining: Decimal
    currency: str
    sign: int
    doc_date: date
    ibans: frozenset[str] = frozenset()
    end_to_end_ids: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Assignment:
    """``amount`` is paid on the item; ``on_account`` is the excess kept on the customer's
    account with it (an overpayment)."""

    item: OpenItem
    amount: Decimal
    on_account: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Suggestion:
    item: OpenItem
    rule: Rule


@dataclass(frozen=True, slots=True)
class Match:
    outcome: Outcome
    rule: Rule | None = None
    assignments: tuple[Assignment, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def assigned(self) -> Decimal:
        return sum((a.amount + a.on_account for a in self.assignments), Decimal(0))


def normalized(value: str) -> str:
    """How numbers, references and IBANs are compared: upper case, without spaces."""
    return value.replace(" ", "").upper()


def tokens(text: str) -> list[str]:
    """What of a remittance text could be a number or a reference, in order: each word, and
    each run of up to ``PHRASE_WORDS`` words joined without their spaces (numbers like
    ``R 2026 17`` are written with spaces)."""
    words = [normalized(t) for t in _TOKEN.findall(text or "")]
    return [
        "".join(words[start : start + size])
        for start in range(len(words))
        for size in range(1, min(PHRASE_WORDS, len(words) - start) + 1)
    ]


@dataclass(slots=True)
class Candidates:
    """The open items of a tenant indexed for matching; ``paid`` takes what an assignment
    paid off, so later lines of the same run see the rest."""

    items: dict[uuid.UUID, OpenItem] = field(default_factory=dict)
    by_number: dict[str, uuid.UUID] = field(default_factory=dict)
    by_end_to_end: dict[str, uuid.UUID] = field(default_factory=dict)
    by_reference: dict[str, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    by_iban: dict[str, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    by_amount: dict[Decimal, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, items: Iterable[OpenItem]) -> Candidates:
        found = cls()
        for item in items:
            found.add(item)
        return found

    def add(self, item: OpenItem) -> None:
        self.items[item.document_id] = item
        self.by_number[normalized(item.number)] = item.document_id
        for e2e in item.end_to_end_ids:
            self.by_end_to_end[normalized(e2e)] = item.document_id
        for ref in item.references:
            self.by_reference[normalized(ref)].append(item.document_id)
        for iban in item.ibans:
            self.by_iban[normalized(iban)].append(item.document_id)
        self.by_amount[item.remaining].append(item.document_id)

    def paid(self, assignment: Assignment) -> None:
        item = self.items[assignment.item.document_id]
        rest = max(item.remaining - assignment.amount, Decimal(0))
        self.items[item.document_id] = replace(item, remaining=rest)

    def open_for(self, line: BankLine, ids: Iterable[uuid.UUID]) -> list[OpenItem]:
        """The items ``ids`` that a line of its direction and currency can pay, in order."""
        seen: set[uuid.UUID] = set()
        found: list[OpenItem] = []
        for document_id in ids:
            item = self.items.get(document_id)
            if item is None or document_id in seen or not _fits(line, item):
                continue
            seen.add(document_id)
            found.append(item)
        return found


def _fits(line: BankLine, item: OpenItem) -> bool:
    return item.remaining > 0 and item.currency == line.currency and item.sign == line.direction


def match_line(line: BankLine, candidates: Candidates) -> Match:
    """The assignment of ``line`` by the first rule that decides, else suggestions."""
    if line.amount == 0:
        return Match(Outcome.SUGGESTED)
    words = tokens(line.remittance)
    named = candidates.open_for(line, _named(candidates, words))
    decided = _by_end_to_end(line, candidates) or _by_numbers(line, named)
    if decided is None and not named:  # numbers that do not decide: a person does
        decided = _by_reference(line, candidates, words) or _by_iban(line, candidates)
    return decided or Match(Outcome.SUGGESTED, suggestions=suggestions(line, candidates, words))


def _named(candidates: Candidates, words: Sequence[str]) -> list[uuid.UUID]:
    return [candidates.by_number[w] for w in words if w in candidates.by_number]


def _by_end_to_end(line: BankLine, candidates: Candidates) -> Match | None:
    if not line.end_to_end_id:
        return None
    document_id = candidates.by_end_to_end.get(normalized(line.end_to_end_id))
    found = candidates.open_for(line, [document_id] if document_id else [])
    return _one(line, found[0], Rule.END_TO_END_ID) if found else None


def _by_numbers(line: BankLine, named: Sequence[OpenItem]) -> Match | None:
    if len(named) == 1:
        return _one(line, named[0], Rule.DOCUMENT_NUMBERS)
    if len(named) > 1 and sum((i.remaining for i in named), Decimal(0)) == abs(line.amount):
        paid = tuple(Assignment(i, i.remaining) for i in named)
        return Match(Outcome.FULL, Rule.DOCUMENT_NUMBERS, paid)
    return None


def _one(line: BankLine, item: OpenItem, rule: Rule) -> Match | None:
    """One item named by the line: full, partial or over-payment (a debit: full only)."""
    amount = abs(line.amount)
    if amount == item.remaining:
        return Match(Outcome.FULL, rule, (Assignment(item, amount),))
    if line.direction < 0:
        return None
    if amount < item.remaining:
        return Match(Outcome.PARTIAL, rule, (Assignment(item, amount),))
    excess = amount - item.remaining
    return Match(Outcome.OVERPAID, rule, (Assignment(item, item.remaining, excess),))


def _by_reference(line: BankLine, candidates: Candidates, words: Sequence[str]) -> Match | None:
    ids = [d for w in words for d in candidates.by_reference.get(w, ())]
    equal = [i for i in candidates.open_for(line, ids) if i.remaining == abs(line.amount)]
    return _newest(equal, Rule.REFERENCE)


def _by_iban(line: BankLine, candidates: Candidates) -> Match | None:
    if not line.counterparty_iban:
        return None
    ids = candidates.by_iban.get(normalized(line.counterparty_iban), [])
    equal = [i for i in candidates.open_for(line, ids) if i.remaining == abs(line.amount)]
    if len(equal) != 1:
        return None
    return Match(Outcome.FULL, Rule.AMOUNT_AND_IBAN, (Assignment(equal[0], equal[0].remaining),))


def _newest(equal: Sequence[OpenItem], rule: Rule) -> Match | None:
    """The newest of items with the same open amount, if no other shares its date."""
    if not equal:
        return None
    newest = max(i.doc_date for i in equal)
    latest = [i for i in equal if i.doc_date == newest]
    if len(latest) != 1:
        return None
    return Match(Outcome.FULL, rule, (Assignment(latest[0], latest[0].remaining),))


def suggestions(
    line: BankLine, candidates: Candidates, words: Sequence[str] | None = None
) -> tuple[Suggestion, ...]:
    """Ranked candidates for a line nothing decided: named by number, by reference, of the
    counterparty's customer, then of the same amount; each item once, at its best reason."""
    words = tokens(line.remittance) if words is None else words
    iban = normalized(line.counterparty_iban) if line.counterparty_iban else ""
    ranked: list[tuple[Rule, list[uuid.UUID]]] = [
        (Rule.END_TO_END_ID, _e2e_ids(line, candidates)),
        (Rule.DOCUMENT_NUMBERS, _named(candidates, words)),
        (Rule.REFERENCE, [d for w in words for d in candidates.by_reference.get(w, ())]),
        (Rule.AMOUNT_AND_IBAN, list(candidates.by_iban.get(iban, ()))),
        (Rule.AMOUNT, list(candidates.by_amount.get(abs(line.amount), ()))),
    ]
    found: list[Suggestion] = []
    seen: set[uuid.UUID] = set()
    for rule, ids in ranked:
        amount = abs(line.amount)
        for item in sorted(candidates.open_for(line, ids), key=lambda i: _closeness(i, amount)):
            if item.document_id not in seen and len(found) < MAX_SUGGESTIONS:
                seen.add(item.document_id)
                found.append(Suggestion(item, rule))
    return tuple(found)


def _e2e_ids(line: BankLine, candidates: Candidates) -> list[uuid.UUID]:
    found = candidates.by_end_to_end.get(normalized(line.end_to_end_id or ""))
    return [found] if found else []


def _closeness(item: OpenItem, amount: Decimal) -> tuple[Decimal, int, str]:
    """Nearest open amount first, then the newest."""
    return (abs(item.remaining - amount), -item.doc_date.toordinal(), item.number)
