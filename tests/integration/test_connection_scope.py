"""The request's connections (db/database.py ``ConnectionScope``): a request takes one
connection checkout for its authentication and its reads; within a scope a read after a
write sees the write, a failed read leaves the next one working, a block inside a block gets
a connection of its own, and the scope hands everything back. A pooled connection that died
while idle is noticed at checkout."""

from __future__ import annotations

import contextvars
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import DBAPIError
from starlette.testclient import TestClient

from beleg.db import database as database_module
from beleg.db.database import Database
from beleg.db.tables import api_keys
from tests.api.test_documents import invoice_body
from tests.conftest import TenantFixture


def _engines(db: Database) -> list[Engine]:
    return list({id(e): e for e in (db.engine, db.read_engine)}.values())


@contextmanager
def _checkouts(db: Database) -> Iterator[list[int]]:
    """Counts the pool checkouts of ``db``'s engines within the block."""
    counted = [0]

    def count(*_: Any) -> None:
        counted[0] += 1

    for engine in _engines(db):
        event.listen(engine, "checkout", count)
    try:
        yield counted
    finally:
        for engine in _engines(db):
            event.remove(engine, "checkout", count)


def _keys(session: Any, name: str) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(api_keys).where(api_keys.c.name == name)
        ).scalar_one()
    )


def test_reading_a_document_takes_one_connection_checkout(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    created = client.post("/api/1.1/invoices", json=invoice_body(), headers=tenant.headers)
    assert created.status_code == 200, created.text
    path = f"/api/1.1/invoices/{quote(created.json()['id'])}"
    assert client.get(path, headers=tenant.headers).status_code == 200
    with _checkouts(db) as counted:
        answer = client.get(path, headers=tenant.headers)  # authentication + the document
    assert answer.status_code == 200 and counted == [1]


def test_reads_share_the_scope_connection_and_see_a_write_made_between_them(
    db: Database,
) -> None:
    name = f"scope-{uuid.uuid4().hex[:8]}"
    scope = db.connection_scope()
    with _checkouts(db) as counted, scope.current():
        with db.reader() as session:
            assert _keys(session, name) == 0
        with db.reader() as session:
            first = session.connection()
            assert _keys(session, name) == 0
        with db.transaction() as session:
            session.execute(text("UPDATE api_keys SET name = name WHERE 1 = 0"))
            with db.reader() as inner:  # a block inside a block: a connection of its own
                assert inner.connection() is not session.connection()
        with db.reader() as session:
            assert session.connection() is first
    scope.close()
    assert counted[0] == len(_engines(db)) + 1  # one per engine, and the inner reader's
    assert scope.checked_out == 0


def test_a_write_in_the_scope_commits_and_later_reads_see_it(
    db: Database, tenant: TenantFixture
) -> None:
    name = f"scope-{uuid.uuid4().hex[:8]}"
    scope = db.connection_scope()
    with scope.current():
        with db.reader() as session:
            assert _keys(session, name) == 0  # a read transaction from before the write
        with db.transaction() as session:
            session.execute(
                text("UPDATE api_keys SET name = :name WHERE tenant_id = :tenant"),
                {"name": name, "tenant": tenant.id.hex if db.dialect == "sqlite" else tenant.id},
            )
        with db.reader() as session:
            assert _keys(session, name) == 1
    scope.close()
    with db.read_engine.connect() as connection:  # committed, seen from outside the scope
        assert _keys(connection, name) == 1


def test_a_failed_read_ends_its_transaction_and_the_next_read_works(db: Database) -> None:
    scope = db.connection_scope()
    with scope.current():
        with pytest.raises(DBAPIError), db.reader() as session:
            session.execute(text("SELECT * FROM no_such_table"))
        with db.reader() as session:
            assert session.execute(text("SELECT 1")).scalar_one() == 1
    scope.close()
    with db.reader() as session:  # outside any scope: as before
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_a_connection_that_died_while_idle_is_replaced_at_checkout(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("a server that can drop its connections: PostgreSQL")
    with db.engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = Database(db.url)
    try:
        with killer.engine.connect() as other:  # what a restart of the server does
            other.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        monkeypatch.setattr(database_module, "PING_AFTER_IDLE_S", 0.0)
        for _ in range(3):  # every pooled connection is dead: each is pinged and replaced
            with db.reader() as session:
                assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        killer.dispose()
        db.engine.dispose()  # no dead connection stays pooled for the tests after this one


def test_threads_of_one_request_reading_at_once_do_not_share_a_connection(
    db: Database,
) -> None:
    scope = db.connection_scope()
    inside = threading.Barrier(2, timeout=30)
    used: list[Any] = []

    def read() -> None:
        with db.reader() as session:
            used.append(session.connection().connection.dbapi_connection)
            inside.wait()  # both blocks are open at the same time
            assert session.execute(text("SELECT 1")).scalar_one() == 1

    with scope.current():
        threads = [threading.Thread(target=contextvars.copy_context().run, args=(read,))]
        threads.append(threading.Thread(target=contextvars.copy_context().run, args=(read,)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    scope.close()
    assert len(used) == 2 and used[0] is not used[1]
