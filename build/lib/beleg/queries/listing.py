"""Generic list machinery: RSQL filter, sort, page/size with total, and row streaming.

A ``ListSpec`` describes one list (a tenant-scoped SELECT, filterable and sortable fields, the
row -> read model mapping and the exportable columns). ``fetch_page`` returns one page and the
total; ``stream_rows`` yields every matching row in batches through a server-side cursor, so
exports of any size run in bounded memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import ColumnElement

from beleg.db.database import Database
from beleg.db.filtering import FilterField, to_condition
from beleg.domain.errors import ValidationFailed
from beleg.domain.querying.rsql import RsqlError, parse_rsql

STREAM_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class ListSpec:
    statement: Select[Any]
    filters: Mapping[str, FilterField]
    sortable: Mapping[str, ColumnElement[Any]]
    default_sort: Sequence[ColumnElement[Any]]
    to_item: Callable[[Row[Any]], dict[str, Any]]
    columns: Sequence[str]


@dataclass(frozen=True, slots=True)
class ListRequest:
    search: str | None = None
    sort: str | None = None
    page: int = 1
    size: int = 50


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    size: int
    total: int


def _filtered(spec: ListSpec, search: str | None) -> Select[Any]:
    statement = spec.statement
    if search:
        try:
            node = parse_rsql(search)
        except RsqlError as exc:
            if exc.position:
                raise ValidationFailed(
                    "querying.search_invalid_at",
                    field="search",
                    problem=exc.problem,
                    position=exc.position,
                ) from None
            raise ValidationFailed(
                "querying.search_invalid", field="search", problem=exc.problem
            ) from None
        statement = statement.where(to_condition(node, spec.filters))
    return statement


def _ordering(spec: ListSpec, sort: str | None) -> list[ColumnElement[Any]]:
    if not sort:
        return list(spec.default_sort)
    order: list[ColumnElement[Any]] = []
    for part in (p.strip() for p in sort.split(",")):
        name, descending = (part[1:], True) if part.startswith("-") else (part, False)
        column = spec.sortable.get(name)
        if column is None:
            raise ValidationFailed(
                "querying.sort_unknown",
                field="sort",
                name=name,
                sortable=", ".join(sorted(spec.sortable)),
            )
        order.append(column.desc() if descending else column.asc())
    return order + list(spec.default_sort)


def fetch_page(*, db: Database, spec: ListSpec, request: ListRequest) -> Page:
    """One page (1-based) of the filtered, sorted list and the total number of matches."""
    statement = _filtered(spec, request.search)
    order = _ordering(spec, request.sort)
    with db.reader() as session:
        total = session.execute(
            select(func.count()).select_from(statement.order_by(None).subquery())
        ).scalar_one()
        rows = session.execute(
            statement.order_by(*order).limit(request.size).offset((request.page - 1) * request.size)
        ).all()
    return Page([spec.to_item(r) for r in rows], request.page, request.size, total)


def prepare_stream(*, spec: ListSpec, request: ListRequest) -> Select[Any]:
    """Validate filter and sort up front (so errors are 400 before streaming starts)."""
    return _filtered(spec, request.search).order_by(*_ordering(spec, request.sort))


def stream_rows(
    *, db: Database, spec: ListSpec, statement: Select[Any]
) -> Iterator[dict[str, Any]]:
    """Every row of a prepared statement, fetched in batches of 1,000 (server-side cursor)."""
    with db.reader() as session:
        result = session.execute(statement.execution_options(yield_per=STREAM_BATCH))
        for row in result:
            yield spec.to_item(row)
