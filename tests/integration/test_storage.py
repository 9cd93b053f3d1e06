"""Exact storage on both databases, and the schema equals the migrations."""

from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from beleg.db.database import Database
from beleg.db.tables import metadata
from beleg.db.types import ExactDecimal


@pytest.fixture
def amounts(db: Database):  # type: ignore[no-untyped-def]
    scratch = MetaData()
    table = Table(
        "scratch_amounts",
        scratch,
        Column("id", Integer, primary_key=True),
        Column("amount", ExactDecimal(2)),
        Column("price", ExactDecimal(5, 20)),
    )
    scratch.create_all(db.engine)
    yield table
    scratch.drop_all(db.engine)


def test_point_one_plus_point_two_is_exact(db: Database, amounts: Table) -> None:
    with db.transaction() as session:
        session.execute(insert(amounts).values(id=1, amount=Decimal("0.10") + Decimal("0.20")))
    with db.reader() as session:
        stored = session.execute(select(amounts.c.amount)).scalar_one()
    assert stored == Decimal("0.30")
    assert str(stored) == "0.30"
    assert isinstance(stored, Decimal)


def test_sums_and_comparisons_stay_exact_in_sql(db: Database, amounts: Table) -> None:
    with db.transaction() as session:
        session.execute(
            insert(amounts),
            [
                {"id": i, "amount": Decimal("0.10"), "price": Decimal("0.33333")}
                for i in range(1, 1001)
            ],
        )
    with db.reader() as session:
        total = session.execute(select(func.sum(amounts.c.amount))).scalar_one()
        price_total = session.execute(select(func.sum(amounts.c.price))).scalar_one()
        cheap = session.execute(
            select(func.count()).where(amounts.c.price < Decimal("0.33334"))
        ).scalar_one()
    assert Decimal(total) == Decimal("100.00")
    assert Decimal(price_total) == Decimal("333.33000")
    assert cheap == 1000


def test_more_decimals_than_the_column_are_refused_not_rounded(
    db: Database, amounts: Table
) -> None:
    with pytest.raises(Exception, match="more than 2 decimal places"), db.transaction() as s:
        s.execute(insert(amounts).values(id=1, amount=Decimal("0.105")))
    with pytest.raises(Exception, match="Decimal or int"), db.transaction() as s:
        s.execute(insert(amounts).values(id=2, amount=0.1))


def test_database_schema_matches_the_migrations(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _ours}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def _ours(name: str | None, type_: str, _parent: object) -> bool:
    """Not the task queue's tables (procrastinate_*): its own schema, as in migrations/env.py."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))
