"""JSON for the accounting API: BigDecimal amounts as JSON numbers, exactly as stored.

Seed 003 returns amounts as numbers (``12.00``, ``14.4``), never strings; the standard library
would turn a Decimal into a float or a string. This encoder writes its digits unchanged.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from json.encoder import encode_basestring  # what json.dumps(text, ensure_ascii=False) runs
from typing import Annotated, Any
from uuid import UUID

from fastapi.responses import JSONResponse
from pydantic import WithJsonSchema

# An amount of the accounting API: it arrives as a JSON number or a numeric string and is
# answered as a JSON number (``encode``), so the answers' schema says number, not string.
Number = Annotated[Decimal, WithJsonSchema({"type": "number"}, mode="serialization")]
_CONSTANTS = {None: "null", True: "true", False: "false"}


def encode(value: Any) -> str:
    """JSON text of ``value``; Decimals keep their digits and scale (``Decimal('12.00')`` ->
    ``12.00``), dates and date-times are ISO 8601, UUIDs strings."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or isinstance(value, bool):
        return _CONSTANTS[value]
    if isinstance(value, int):
        return int.__repr__(value)  # as json.dumps writes an int (or an int enum)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        return format(value, "f")
    if isinstance(value, datetime):
        return encode_basestring(value.isoformat().replace("+00:00", "Z"))
    if isinstance(value, (date, UUID)):
        return encode_basestring(str(value))
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{encode_basestring(str(k))}:{encode(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(encode(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


class AccountingJSON(JSONResponse):
    media_type = "application/json;charset=UTF-8"

    def render(self, content: Any) -> bytes:
        return encode(content).encode("utf-8")
