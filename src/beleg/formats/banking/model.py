"""What a bank statement file says, independent of its format (camt.053 or MT940).

Amounts are ``Decimal`` and signed from the account holder's view: + credit (money in),
- debit (money out). A batch booking (camt ``Btch`` / several ``TxDtls``) whose details carry
amounts adding up to the booking is split into one transaction per detail, each marked
``from_batch``; the transactions of a statement therefore always add up to its bookings.
A refused file raises ``StatementRefused`` naming the line (MT940) or element path (camt)
and the rule; nothing of it is returned.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from beleg.domain.errors import ValidationFailed

CAMT053 = "camt.053"
MT940 = "MT940"
MAX_REFERENCE = 120  # longer bank references are hashed so a key fits the 200-character id


class StatementRefused(ValidationFailed):
    """The file is not a readable statement: ``field`` is the line (``line 12``) or the
    element path (``/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt``), ``rule`` what broke."""

    def __init__(self, *, where: str, rule: str) -> None:
        super().__init__("banking.statement_file_invalid", field=where, where=where, rule=rule)
        self.where = where
        self.rule = rule


@dataclass(frozen=True, slots=True)
class BankCode:
    """How the bank classifies a booking: ISO domain/family/subfamily (camt ``BkTxCd/Domn``),
    a proprietary code (camt ``Prtry``, e.g. DK ``NTRF+020``) and/or the MT940 transaction
    type and German GVC (``:61:`` id ``NTRF``, ``:86:`` code ``166``)."""

    domain: str | None = None
    family: str | None = None
    subfamily: str | None = None
    proprietary: str | None = None
    gvc: str | None = None  # German Geschaeftsvorfallcode (MT940 :86: first 3 digits)
    text: str | None = None  # the bank's booking text (MT940 ?00 "GUTSCHRIFT")


@dataclass(frozen=True, slots=True)
class Party:
    """The other side of a transaction (debtor of a credit, creditor of a debit)."""

    name: str | None = None
    iban: str | None = None
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    """One booked transaction; ``reference`` is the bank's own id of it (camt ``AcctSvcrRef``,
    MT940 ``//`` bank reference), ``None`` when the bank gives none."""

    booking_date: date
    value_date: date
    amount: Decimal  # + credit, - debit
    currency: str
    counterparty: Party
    remittance: str | None = None  # unstructured (Ustrd, SVWZ+, :86: text)
    structured_reference: str | None = None  # creditor reference (RF..., QRR, ESR)
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    creditor_id: str | None = None
    code: BankCode = BankCode()
    return_reason: str | None = None  # R-transactions: ISO reason (AC04, MD06, AM04, ...)
    reference: str | None = None
    entry_reference: str | None = None  # camt NtryRef, MT940 customer reference
    from_batch: bool = False
    part: int = 0  # 1..n for the transactions split from one batch booking, 0 otherwise
    reversal: bool = False  # camt RvslInd, MT940 RC/RD


def booking_key(account: str, t: Transaction) -> str:
    """The duplicate key of ``t`` on ``account``: the bank's reference (``/part`` for a
    transaction split from a batch, whose parts may share the booking's reference), or, when
    the bank gives none, ``sha256:`` of the booking's own values. The same file read twice
    gives the same keys; equal keys within one file are told apart by the importer."""
    if t.reference:
        base = t.reference if len(t.reference) <= MAX_REFERENCE else _digest(t.reference)
        return f"{base}/{t.part}" if t.part else base
    values = (
        account,
        t.booking_date.isoformat(),
        t.value_date.isoformat(),
        str(t.amount),
        t.currency,
        t.counterparty.iban or "",
        t.counterparty.name or "",
        t.remittance or "",
        t.end_to_end_id or "",
        t.entry_reference or "",
        str(t.part),
    )
    return "sha256:" + _digest("\x1f".join(values))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of one account (a ``Stmt`` or a ``:20:`` ... ``:62:`` block)."""

    account: str  # IBAN, or the bank's own account identification when it gives no IBAN
    currency: str
    statement_id: str | None
    statement_date: date
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    transactions: tuple[Transaction, ...]


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A whole file: its format and its statements in file order."""

    format: str
    statements: tuple[Statement, ...]

    @property
    def transaction_count(self) -> int:
        return sum(len(s.transactions) for s in self.statements)

    @property
    def total(self) -> Decimal:
        """The signed sum of every transaction (currencies mixed only if the file mixes)."""
        return sum((t.amount for s in self.statements for t in s.transactions), Decimal(0))
