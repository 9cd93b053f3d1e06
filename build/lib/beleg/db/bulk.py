"""Writing many rows at once, in the caller's transaction (standard: bulk paths never write one
row at a time).

``insert_rows(session, table, rows)`` stores ``rows`` (mappings of column name to value, every
row with the same keys) into ``table``:

* on PostgreSQL with one ``COPY table (columns) FROM STDIN`` through psycopg 3, several times
  faster than a multi-row INSERT for thousands of rows;
* elsewhere (SQLite) with one Core ``executemany`` of the INSERT.

Each value first goes through its column type's bind processing, exactly as an INSERT would
send it, so ``ExactDecimal`` refuses a value with too many decimals, ``UtcDateTime`` refuses a
naive datetime and JSON columns are serialised; NULLs, UUIDs and dates pass as they are.
A column missing from the rows gets its server default, or its client-side default when that
is a constant or a callable that does not read the execution context; ``onupdate``, RETURNING
and conflict handling are not supported: this is for appending new rows.

A COPY is not seen by SQLAlchemy's ``before_cursor_execute`` event (it runs on the driver
connection); it is one round trip per call like the executemany, and it fails the transaction
like any failing statement: a unique or foreign-key violation raises SQLAlchemy's
``IntegrityError``, a value the column type refuses its ``StatementError``, on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import Column, Dialect, Table, insert
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append ``rows`` to ``table`` in one COPY (PostgreSQL) or one executemany (otherwise)."""
    if not rows:
        return
    keys = list(rows[0])
    unknown = [k for k in keys if k not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no columns {', '.join(unknown)}")
    if any(len(row) != len(keys) for row in rows):
        raise ValueError("every row must have the same columns")
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    _copy(connection.connection.driver_connection, connection.dialect, table, keys, rows)


def _copy(
    driver: Any, dialect: Dialect, table: Table, keys: list[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    defaults = _client_defaults(table, keys)
    names = keys + [name for name, _ in defaults]
    processors = [_processor(table.c[n], dialect) for n in names]
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({quoted}) FROM STDIN"
    plain = all(p is None for p in processors)
    row: Mapping[str, Any] = {}
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                values = [row[k] for k in keys] + [make() for _, make in defaults]
                write(
                    values
                    if plain
                    else [v if p is None else p(v) for v, p in zip(values, processors, strict=True)]
                )
    except psycopg.Error as error:  # reported like any failed statement
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error
    except (TypeError, ValueError) as error:  # a value its column type refuses, as on INSERT
        raise StatementError(str(error), statement, dict(row), error) from error


def _processor(column: Column[Any], dialect: Dialect) -> Processor:
    processor: Processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _client_defaults(table: Table, keys: list[str]) -> list[tuple[str, Callable[[], Any]]]:
    """(column, value factory) for the columns missing from the rows that have a client-side
    default and no server default (the server fills those itself)."""
    found = []
    for column in table.columns:
        default = column.default
        if column.name in keys or default is None or column.server_default is not None:
            continue
        if default.is_scalar:
            found.append((column.name, _constant(default.arg)))  # type: ignore[attr-defined]
        elif default.is_callable:
            found.append((column.name, _called(default.arg)))  # type: ignore[attr-defined]
        else:
            raise ValueError(f"{table.name}.{column.name}: give a value (SQL default)")
    return found


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _called(function: Callable[[Any], Any]) -> Callable[[], Any]:
    """A client default SQLAlchemy wrapped to take the execution context (here: none)."""
    return lambda: function(None)
