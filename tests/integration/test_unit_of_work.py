"""The request's unit of work (db/database.py): while it is current, every transaction() of
its database joins it as a savepoint and every reader() reads in it; only its owner commits."""

from __future__ import annotations

import contextvars
import uuid

import pytest
from sqlalchemy import Select, func, select

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import api_keys
from beleg.domain.errors import ValidationFailed
from beleg.services.identity.api_keys import create_api_key
from tests.conftest import TenantFixture, system_actor


def _create(db: Database, tenant: TenantFixture, name: str) -> None:
    create_api_key(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        name=name,
        scopes=["items:read"],
        validity_days=7,
        clock=SystemClock(),
    )


def _statement(tenant_id: uuid.UUID, name: str) -> Select[tuple[int]]:
    return (
        select(func.count())
        .select_from(api_keys)
        .where(api_keys.c.tenant_id == tenant_id, api_keys.c.name == name)
    )


def _read(db: Database, tenant: TenantFixture, name: str) -> int:
    with db.reader() as session:
        return int(session.execute(_statement(tenant.id, name)).scalar_one())


def _committed(db: Database, tenant: TenantFixture, name: str) -> int:
    with db.read_engine.connect() as connection:  # another connection: committed rows only
        return int(connection.execute(_statement(tenant.id, name)).scalar_one())


def test_transactions_join_the_unit_and_commit_only_with_it(
    db: Database, tenant: TenantFixture
) -> None:
    unit = db.unit_of_work()
    try:
        with unit.current() as session:
            _create(db, tenant, "joined")
            with db.transaction() as inner, db.reader() as reading:
                assert inner is session and reading is session
            assert _read(db, tenant, "joined") == 1  # the unit sees its own write
            assert _committed(db, tenant, "joined") == 0  # nobody else does yet
            unit.commit()
    finally:
        unit.close()
    assert _committed(db, tenant, "joined") == 1


def test_a_unit_that_is_not_committed_keeps_nothing(db: Database, tenant: TenantFixture) -> None:
    unit = db.unit_of_work()
    with unit.current():
        _create(db, tenant, "dropped")
    unit.close()
    assert _committed(db, tenant, "dropped") == 0


def test_a_failed_transaction_rolls_back_to_its_savepoint_only(
    db: Database, tenant: TenantFixture
) -> None:
    unit = db.unit_of_work()
    with unit.current():
        _create(db, tenant, "kept")
        with pytest.raises(ValidationFailed), db.transaction():
            _create(db, tenant, "undone")
            raise ValidationFailed("querying.filename", field="filename")
        assert (_read(db, tenant, "kept"), _read(db, tenant, "undone")) == (1, 0)
    unit.commit()
    assert (_committed(db, tenant, "kept"), _committed(db, tenant, "undone")) == (1, 0)


def test_the_unit_is_current_only_in_its_context_and_only_while_open(
    db: Database, tenant: TenantFixture, database_url: str
) -> None:
    other = Database(database_url)
    unit = db.unit_of_work()
    try:
        with unit.current():
            _create(db, tenant, "scoped")
            assert _read(other, tenant, "scoped") == 0  # another database does not join
            outside = contextvars.Context()  # e.g. a thread started by the request
            assert outside.run(_read, db, tenant, "scoped") == 0
            with pytest.raises(RuntimeError), db.unit_of_work().current():
                pass
            unit.commit()
            _create(db, tenant, "after")  # an ended unit is joined by nothing
            assert _committed(db, tenant, "after") == 1
    finally:
        unit.close()
        other.dispose()
