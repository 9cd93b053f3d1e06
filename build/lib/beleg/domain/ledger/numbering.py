"""Journal numbers (seed 003 §3.2): ``{prefix}{yyyy} {n}``, e.g. ``A2020 15``, ``U2020 2``.

Counters run per accounting client, per prefix and per year; A, E and U numbers interleave
across invoices. Numbers are allocated once, when the journal is stored, from a locked counter.
"""

from __future__ import annotations

import re

from beleg.domain.ledger.journals import JournalType

_NUMBER = re.compile(r"^(?P<prefix>[AEU])(?P<year>\d{4}) (?P<n>[1-9]\d*)$")


def journal_number(journal_type: JournalType, year: int, sequence: int) -> str:
    """``A2020 15`` for the 15th outgo journal of 2020."""
    if sequence < 1:
        raise ValueError("journal sequence numbers start at 1")
    return f"{journal_type.value}{year:04d} {sequence}"


def parse_journal_number(text: str) -> tuple[JournalType, int, int] | None:
    """(type, year, sequence) of a journal number, or None if it is not one."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    return JournalType(match["prefix"]), int(match["year"]), int(match["n"])
