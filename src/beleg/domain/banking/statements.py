"""Bank statements (seed 003 §3.8, BankStatementHeaderDto, BankStatementLineDto): a header
per statement file or stream of a bank account, and its lines numbered 1..n in the order
received.

A file name is stripped of special characters, whitespace becomes ``_`` (seed 003 §3.10). A
line's amount is signed (+ credit, - debit) with at most 4 decimals; its currency defaults to
the tenant's main currency. A line whose ``transactionId`` was already stored for the bank
account, or repeats within the request, is a duplicate (seed §7 item 36: duplicates are per
bank account); lines without an id never are.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from beleg.domain.amounts import check_amount
from beleg.domain.errors import ValidationFailed
from beleg.money import Currency, is_currency

TEXT_FIELDS = (
    "partnerAccountNumber",
    "originatorBankReference",
    "originatorBankCode",
    "originator",
    "partnerName",
    "originatorAccountNumber",
    "partnerBankCode",
    "reasonForTransfer",
    "reasonForTransfer1",
    "reasonForTransfer2",
    "reasonForTransfer3",
    "reasonForTransfer4",
    "reasonForTransfer5",
    "customerData",
    "additionalText",
    "description",
    "note",
)
STREAM_FILE_NAME = "API"  # the header of a bank account's stream (PSD2, PayPal)
MAX_FILE_NAME = 200
AMOUNT_PLACES = 4
NEW = "NEW"
API_SOURCE, FILE_SOURCE = "API", "FILE"  # who created a header: the API/a stream, or a file


@dataclass(frozen=True, slots=True)
class StatementHeader:
    """A bank statement of a bank account (one file, or the account's stream)."""

    id: uuid.UUID
    bank_account_id: uuid.UUID
    file_name: str
    statement_date: date
    created_at: datetime
    status: str = NEW
    source: str = API_SOURCE


@dataclass(frozen=True, slots=True)
class LineInput:
    """A statement line as the client sent it; ``texts`` are the seed's optional text fields."""

    value_date: date
    booking_date: date
    amount: Decimal
    currency: str | None = None
    transaction_id: str | None = None
    texts: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, str] = field(default_factory=dict)  # of an imported file


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A stored line of a statement; ``line_no`` counts 1..n per header."""

    statement_id: uuid.UUID
    line_no: int
    bank_account_id: uuid.UUID
    value_date: date
    booking_date: date
    amount: Decimal
    remaining_amount: Decimal
    currency: Currency
    texts: Mapping[str, str]
    transaction_id: str | None = None
    status: str = NEW
    # What an imported file says beyond the seed's texts (end-to-end id, mandate, codes,
    # return reason, ...), camelCase keys; stored under ``details`` in the line's fields.
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sorted:
    """The lines of a request split into those to add and the duplicates."""

    added: tuple[tuple[int, LineInput], ...]  # with each line's index in the request
    duplicate_ids: tuple[str, ...]  # distinct, in order of first appearance
    duplicates: int


def sanitize_file_name(name: str) -> str:
    """Seed 003 §3.10: special characters stripped, whitespace replaced by ``_``."""
    cleaned = re.sub(r"[^\w.\- ]", "", name, flags=re.UNICODE).strip()
    cleaned = re.sub(r"\s+", "_", cleaned)[:MAX_FILE_NAME]
    if not cleaned:
        raise ValidationFailed("banking.file_name_empty", field="fileName")
    return cleaned


def without_duplicates(lines: Sequence[LineInput], seen: Collection[str]) -> Sorted:
    """The lines to add: those whose transaction id is neither in ``seen`` (stored for the
    bank account) nor repeated earlier in ``lines``; with the duplicates counted."""
    known = set(seen)
    added: list[tuple[int, LineInput]] = []
    duplicate_ids: list[str] = []
    duplicates = 0
    for index, line in enumerate(lines):
        if line.transaction_id and line.transaction_id in known:
            duplicates += 1
            if line.transaction_id not in duplicate_ids:
                duplicate_ids.append(line.transaction_id)
            continue
        if line.transaction_id:
            known.add(line.transaction_id)
        added.append((index, line))
    return Sorted(tuple(added), tuple(duplicate_ids), duplicates)


def statement_line(
    header: StatementHeader, line: LineInput, *, main: Currency, index: int
) -> StatementLine:
    """``line`` as a line of ``header``, not yet numbered (``line_no`` 0: numbers are
    allocated once the lines to add are known); ``index`` is its 0-based position in the
    request (for field names)."""
    prefix = f"bankStatementLines[{index}]"
    amount = check_amount(line.amount, f"{prefix}.amount", AMOUNT_PLACES)
    code = line.currency or main.code
    if not is_currency(code):
        raise ValidationFailed(
            "banking.currency_unknown", field=f"{prefix}.currencyCode", code=code
        )
    return StatementLine(
        statement_id=header.id,
        line_no=0,
        bank_account_id=header.bank_account_id,
        value_date=line.value_date,
        booking_date=line.booking_date,
        amount=amount,
        remaining_amount=amount,
        currency=Currency.of(code),
        texts={k: v for k, v in line.texts.items() if k in TEXT_FIELDS and v is not None},
        transaction_id=line.transaction_id,
        details=dict(line.details),
    )


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What appending lines to a statement did: the lines added and the duplicates skipped."""

    added: tuple[StatementLine, ...]
    duplicate_ids: tuple[str, ...]  # distinct, in order of first appearance
    duplicates: int


@dataclass(frozen=True, slots=True)
class BalanceMismatch:
    """A statement of a file whose opening balance plus its transactions is not its closing
    balance (amounts in the statement's currency, signed: + credit): the file leaves
    transactions out, or its balances are wrong. Reported, not refused: banks' test files
    and some real exports do not add up, and the transactions are what is booked."""

    statement: str  # the file's statement id (MT940 :20:, camt Stmt/Id), else "#n" (1-based)
    opening_balance: Decimal
    transactions: Decimal
    closing_balance: Decimal

    @property
    def difference(self) -> Decimal:
        """What the transactions lack to reach the closing balance."""
        return self.closing_balance - self.opening_balance - self.transactions


def balance_mismatch(
    statement: str,
    opening: Decimal | None,
    transactions: Sequence[Decimal],
    closing: Decimal | None,
) -> BalanceMismatch | None:
    """The mismatch of one statement, or None when it adds up exactly or gives no balance."""
    if opening is None or closing is None:
        return None
    total = sum(transactions, Decimal(0))
    if opening + total == closing:
        return None
    return BalanceMismatch(statement, opening, total, closing)


@dataclass(frozen=True, slots=True)
class ImportedStatement:
    """What importing a file did for one bank account: its new statement header (``None``
    when every transaction was a duplicate), the lines added and skipped, the signed sum
    of the added lines, and the file's statements of the account that do not add up."""

    bank_account_id: uuid.UUID
    iban: str
    statement_id: uuid.UUID | None
    imported: int
    duplicates: int
    total: Decimal
    currency: str
    balance_mismatches: tuple[BalanceMismatch, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A whole imported file (``format`` camt.053 or MT940), per bank account."""

    format: str
    statements: tuple[ImportedStatement, ...]

    @property
    def imported(self) -> int:
        return sum(s.imported for s in self.statements)

    @property
    def duplicates(self) -> int:
        return sum(s.duplicates for s in self.statements)


def numbered_keys(keys: Sequence[str]) -> list[str]:
    """``keys`` with the second and later equal ones made distinct (``key#2``, ``key#3``):
    two equal bookings in one file (same day, amount, text, no bank reference) are two
    transactions, while the same file read again gives the same keys and is skipped."""
    seen: dict[str, int] = {}
    numbered = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        numbered.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return numbered
