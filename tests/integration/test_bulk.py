"""``db/bulk.py insert_rows``: COPY on PostgreSQL, executemany on SQLite, with every value
going through its column type as with an INSERT (exact decimals, NULLs, JSON, UUIDs,
timezone-aware instants, text that COPY must escape)."""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Uuid, select
from sqlalchemy.exc import IntegrityError, StatementError

from beleg.db.bulk import insert_rows
from beleg.db.database import Database
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

scratch = MetaData()
things = Table(
    "test_bulk_things",
    scratch,
    Column("id", Uuid, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("amount", ExactDecimal(4), nullable=True),
    Column("day", Date, nullable=True),
    Column("at", UtcDateTime, nullable=True),
    Column("doc", JsonDocument, nullable=True),
    Column("label", String(50), nullable=True),
    Column("kind", String(5), nullable=False, default="plain"),
    Column("note", String(20), nullable=False, server_default="none"),
)
VIENNA = timezone(timedelta(hours=1))


@pytest.fixture
def table(db: Database) -> Iterator[Table]:
    scratch.drop_all(db.engine)
    scratch.create_all(db.engine)
    yield things
    scratch.drop_all(db.engine)


def _row(n: int, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": uuid.UUID(int=n + 1),
        "n": n,
        "amount": None,
        "day": None,
        "at": None,
        "doc": None,
        "label": None,
    }
    return base | values


def _stored(db: Database) -> list:  # type: ignore[type-arg]
    with db.reader() as session:
        return list(session.execute(select(things).order_by(things.c.n)).all())


def test_values_round_trip_exactly(db: Database, table: Table) -> None:
    rows = [
        _row(
            0,
            amount=Decimal("12345678901234.5678"),
            day=date(2026, 2, 28),
            at=datetime(2026, 3, 29, 2, 30, tzinfo=VIENNA),
            doc={"a": [1, "zwei", None], "b": {"c": "3.10"}},
            label="tab\there, new\nline, back\\slash, ümlaut",
        ),
        _row(1, amount=Decimal("-0.0001")),
        _row(2),
    ]
    with db.transaction() as session:
        insert_rows(session, table, rows)
    first, second, third = _stored(db)
    assert first.id == uuid.UUID(int=1)
    assert first.amount == Decimal("12345678901234.5678")
    assert first.day == date(2026, 2, 28)
    assert first.at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert first.doc == {"a": [1, "zwei", None], "b": {"c": "3.10"}}
    assert first.label == "tab\there, new\nline, back\\slash, ümlaut"
    assert second.amount == Decimal("-0.0001")
    assert (third.amount, third.day, third.at, third.doc, third.label) == (None,) * 5
    assert {r.kind for r in (first, second, third)} == {"plain"}  # client default
    assert {r.note for r in (first, second, third)} == {"none"}  # server default


def test_many_rows_in_one_call(db: Database, table: Table) -> None:
    rows = [_row(n, amount=Decimal(n).scaleb(-2), label=f"row {n}") for n in range(5000)]
    with db.transaction() as session:
        insert_rows(session, table, rows)
    stored = _stored(db)
    assert len(stored) == 5000
    assert sum((r.amount for r in stored), Decimal(0)) == Decimal("124975.00")


def test_type_checks_apply_as_with_insert(db: Database, table: Table) -> None:
    with pytest.raises(StatementError, match="decimal places"), db.transaction() as session:
        insert_rows(session, table, [_row(0, amount=Decimal("0.00001"))])
    with pytest.raises(StatementError, match="timezone-aware"), db.transaction() as session:
        insert_rows(session, table, [_row(0, at=datetime(2026, 1, 1))])
    assert _stored(db) == []


def test_rows_must_share_known_columns(db: Database, table: Table) -> None:
    with pytest.raises(ValueError, match="no columns"), db.transaction() as session:
        insert_rows(session, table, [{"id": uuid.uuid4(), "n": 1, "colour": "red"}])
    with pytest.raises(ValueError, match="same columns"), db.transaction() as session:
        insert_rows(session, table, [_row(0), {"id": uuid.uuid4(), "n": 1}])


def test_a_violation_fails_the_transaction_like_an_insert(db: Database, table: Table) -> None:
    with pytest.raises(IntegrityError), db.transaction() as session:
        insert_rows(session, table, [_row(0, label="kept?")])
        insert_rows(session, table, [_row(0, label="same id")])
    assert _stored(db) == []


def test_nothing_to_insert(db: Database, table: Table) -> None:
    with db.transaction() as session:
        insert_rows(session, table, [])
    assert _stored(db) == []
