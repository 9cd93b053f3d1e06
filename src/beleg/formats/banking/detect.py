"""Which format a statement file is in, by its content (never by its name): XML is camt.053,
text with MT940 tags is MT940; anything else is refused."""

from __future__ import annotations

from beleg.formats.banking import camt053, mt940
from beleg.formats.banking.model import ParsedFile, StatementRefused


def parse_statement_file(data: bytes) -> ParsedFile:
    """The statements of ``data``; StatementRefused naming where and why otherwise."""
    if not data.strip():
        raise StatementRefused(where="line 1", rule="the file is empty")
    if camt053.looks_like_camt(data):
        return camt053.parse(data)
    if mt940.looks_like_mt940(mt940.decode(data)):
        return mt940.parse(data)
    raise StatementRefused(where="line 1", rule="neither camt.053 XML nor MT940")
