"""JSON for the accounting API: BigDecimal amounts as JSON numbers, exactly as stored.

Seed 003 returns amounts as numbers (``12.00``, ``14.4``), never strings; the standard library
would turn a Decimal into a float or a string. This encoder writes its digits unchanged.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.responses import JSONResponse


def encode(value: Any) -> str:
    """JSON text of ``value``; Decimals keep their digits and scale (``Decimal('12.00')`` ->
    ``12.00``), dates and date-times are ISO 8601, UUIDs strings."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        return format(value, "f")
    if isinstance(value, datetime):
        return json.dumps(value.isoformat().replace("+00:00", "Z"))
    if isinstance(value, (date, UUID)):
        return json.dumps(str(value))
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(
                f"{json.dumps(str(k), ensure_ascii=False)}:{encode(v)}" for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(encode(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


class AccountingJSON(JSONResponse):
    media_type = "application/json;charset=UTF-8"

    def render(self, content: Any) -> bytes:
        return encode(content).encode("utf-8")
