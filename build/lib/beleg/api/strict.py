"""Strict scalars in request bodies (issue 12, finding 8): a JSON value of the wrong kind is a
400 naming the field, never converted.

Pydantic's lax mode turns ``false`` into the integer 0, ``4.96e-154`` into the text
``"4.96e-154"`` and ``1`` into ``true``; the OpenAPI document says integer, string and
boolean. ``strict_scalars`` rewrites a model's core schema so that its booleans, integers and
texts accept only their own JSON kind, and its dates and date-times only a JSON string (not a
number of seconds). Decimals stay lax: amounts arrive as JSON numbers or numeric strings
(seed 003, accounting-api.md §7 item 40), and the document says so.

FastAPI validates the parsed JSON in Python mode, where a strict date would refuse the string
it was sent as; dates are therefore checked for their JSON kind by a validator in front of the
lax parser.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, GetCoreSchemaHandler, WithJsonSchema
from pydantic_core import PydanticKnownError, core_schema

_STRICT = frozenset({"bool", "int", "str"})
_DATES = {"date": "date_type", "datetime": "datetime_type"}
_SKIPPED = frozenset({"metadata", "serialization", "ref", "json_schema_extra"})


def _json_kind_of(error_type: str) -> core_schema.NoInfoValidatorFunction:
    def only_text(value: Any) -> Any:
        if isinstance(value, (str, date, datetime)):
            return value
        raise PydanticKnownError(error_type)  # type: ignore[arg-type]

    return only_text


def strict_scalars(schema: Any) -> Any:
    """``schema`` (a pydantic core schema) with strict booleans, integers, texts and dates,
    at any depth; other nodes unchanged."""
    if isinstance(schema, list):
        return [strict_scalars(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if not isinstance(kind, str):  # a mapping of field names (one may be named "type")
        kind = None
    changed = {
        key: value if key in _SKIPPED else strict_scalars(value) for key, value in schema.items()
    }
    if kind in _STRICT:
        changed["strict"] = True
    elif kind in _DATES:
        return core_schema.no_info_before_validator_function(_json_kind_of(_DATES[kind]), changed)
    return changed


class StrictScalars(BaseModel):
    """A request model whose booleans, integers, texts and dates are strict (``strict_scalars``);
    every ``ApiInput`` is one."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return strict_scalars(handler(source))


def _number_as_text(value: Any) -> Any:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return value


# A text field that also takes a JSON number (seed 003's contacts send ``streetNumber: 1``).
TextOrNumber = Annotated[
    str,
    BeforeValidator(_number_as_text),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}]}, mode="validation"),
]
