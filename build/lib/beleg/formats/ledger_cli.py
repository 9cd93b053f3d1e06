"""Journals as a plain-text ledger file, the format of ledger-cli (ledger 3, ledger-cli.org)
and hledger, for checking the books with those tools or handing them over.

Each journal is one transaction: its booking date, its number as the code in parentheses and
its description as the payee, then one line per posting with the account code and the signed
amount in the currency given (debit positive, credit negative, as stored). Amounts are written
exactly as the Decimal they are (no rounding here: ``money/`` rounded them before posting).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TextIO


@dataclass(frozen=True, slots=True)
class LedgerTransaction:
    booking_date: date
    number: str
    description: str
    postings: Sequence[tuple[str, Decimal]]  # (account code, signed amount)


def transaction_text(transaction: LedgerTransaction, commodity: str) -> str:
    """One transaction in ledger format, ending with an empty line."""
    payee = " ".join(transaction.description.split()) or "-"  # one line, no stray spaces
    lines = [f"{transaction.booking_date:%Y/%m/%d} ({transaction.number}) {payee}"]
    lines += [f"    {account}  {commodity} {amount}" for account, amount in transaction.postings]
    return "\n".join(lines) + "\n\n"


def write_ledger(out: TextIO, transactions: Iterable[LedgerTransaction], commodity: str) -> int:
    """Write ``transactions`` to ``out``; return how many postings were written."""
    postings = 0
    for transaction in transactions:
        out.write(transaction_text(transaction, commodity))
        postings += len(transaction.postings)
    return postings
