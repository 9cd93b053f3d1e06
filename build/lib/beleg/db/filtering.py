"""Translate an RSQL AST into a SQLAlchemy condition over an allow-list of fields.

Only selectors in the allow-list are accepted; every value is converted to the field's type and
bound as a parameter. Nothing of the user's text ever becomes SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, false, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from beleg.domain import dates
from beleg.domain.errors import ValidationFailed
from beleg.domain.querying.rsql import And, Comparison, Node

LIKE_ESCAPE = "\\"


class Kind(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    UUID = "uuid"
    ENUM = "enum"


@dataclass(frozen=True, slots=True)
class FilterField:
    """A filterable field: its column, value type and (for enums) the allowed values."""

    column: ColumnElement[Any]
    kind: Kind = Kind.STRING
    choices: tuple[str, ...] = ()


def _parse_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("a timestamp needs an offset, e.g. 2026-01-01T00:00:00Z")
    return value


def _parse_bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError("expected true or false")
    return text.lower() == "true"


def _parse_int(text: str) -> int:
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError("out of the 64-bit range")
    return value


_CONVERTERS: dict[Kind, Callable[[str], Any]] = {
    Kind.STRING: str,
    Kind.INTEGER: _parse_int,
    Kind.DECIMAL: Decimal,
    Kind.BOOLEAN: _parse_bool,
    Kind.DATE: date.fromisoformat,
    Kind.DATETIME: _parse_datetime,
    Kind.UUID: uuid.UUID,
}


def _convert(name: str, spec: FilterField, text: str) -> Any:
    if spec.kind is Kind.ENUM:
        if text not in spec.choices:
            raise ValidationFailed(
                "querying.search_choice",
                field="search",
                name=name,
                choices=", ".join(spec.choices),
                value=text,
            )
        return text
    try:
        value = _CONVERTERS[spec.kind](text)
    except (ValueError, InvalidOperation):
        raise ValidationFailed(
            "querying.search_value", field="search", value=text, kind=spec.kind.value, name=name
        ) from None
    if spec.kind in (Kind.DATE, Kind.DATETIME):  # issue 12, finding 6: the business range
        dates.check_date(value, "search", name=name)
    return value


def _like_pattern(text: str) -> str:
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return escaped.replace("*", "%")


def _comparison(node: Comparison, fields: Mapping[str, FilterField]) -> ColumnElement[bool]:
    spec = fields.get(node.selector)
    if spec is None:
        raise ValidationFailed(
            "querying.search_field_unknown",
            field="search",
            name=node.selector,
            filterable=", ".join(sorted(fields)),
        )
    column, op = spec.column, node.operator
    if op == "isnull":
        return column.is_(None) if _parse_bool_or_fail(node) else column.is_not(None)
    if op in ("like",) or (op == "==" and spec.kind is Kind.STRING and "*" in node.values[0]):
        if spec.kind is not Kind.STRING:
            raise ValidationFailed("querying.like_on_text", field="search", name=node.selector)
        return column.like(_like_pattern(node.values[0]), escape=LIKE_ESCAPE)
    values = [_convert(node.selector, spec, v) for v in node.values]
    return _OPERATORS[op](column, values)


def _parse_bool_or_fail(node: Comparison) -> bool:
    try:
        return _parse_bool(node.values[0])
    except ValueError:
        raise ValidationFailed(
            "querying.isnull_boolean", field="search", name=node.selector
        ) from None


_OPERATORS: dict[str, Callable[[ColumnElement[Any], list[Any]], ColumnElement[bool]]] = {
    "==": lambda c, v: c == v[0],
    "!=": lambda c, v: c != v[0],
    "<": lambda c, v: c < v[0],
    "<=": lambda c, v: c <= v[0],
    ">": lambda c, v: c > v[0],
    ">=": lambda c, v: c >= v[0],
    "in": lambda c, v: c.in_(v) if v else false(),
    "out": lambda c, v: not_(c.in_(v)) if v else not_(false()),
}


def to_condition(node: Node, fields: Mapping[str, FilterField]) -> ColumnElement[bool]:
    """The SQL condition for ``node``; unknown fields or bad values raise ValidationFailed."""
    if isinstance(node, Comparison):
        return _comparison(node, fields)
    children = [to_condition(child, fields) for child in node.children]
    return and_(*children) if isinstance(node, And) else or_(*children)
