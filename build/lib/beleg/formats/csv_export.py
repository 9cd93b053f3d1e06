"""RFC 4180 CSV from an iterator of read-model rows, produced chunk by chunk.

Fields are separated by ``,``, records end with CRLF, fields containing a separator, quote or
line break are quoted and quotes doubled (RFC 4180 §2). Text is UTF-8. Text cells that a
spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe
(OWASP CSV injection guidance); numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from beleg.domain.audit.chain import canonical_json

ROWS_PER_CHUNK = 500
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """The text of one CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return " ".join(cell(v) for v in value)
    if isinstance(value, Mapping):
        return canonical_json(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


def csv_chunks(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterator[bytes]:
    """A header line, then the rows, as UTF-8 byte chunks of up to 500 records."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    pending = 0
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in columns])
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")
