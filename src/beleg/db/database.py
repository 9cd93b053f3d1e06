"""Engines and transactions.

``Database.transaction()`` is the unit of work of a service operation: one transaction that
commits when the block ends normally and rolls back on any exception, so a failed operation
leaves nothing half-written. On SQLite a write transaction starts with ``BEGIN IMMEDIATE`` (the
single writer is taken up front, so two writers never deadlock on a lock upgrade); reads use a
second engine with plain deferred transactions and never block writers (WAL mode).

**The request's unit of work.** While a POST with an Idempotency-Key runs, the route
(``api/routing.py``) opens one ``UnitOfWork`` and makes it current for the request
(``UnitOfWork.current()``: a context variable, so it follows the request into the threads that
run its dependencies and endpoint, and into nothing that runs later, such as background tasks
or a streamed body). While it is current, every ``transaction()`` of this database joins the
unit's session as a savepoint (released when the block ends, rolled back to on an exception, so
a service's own error handling keeps working) and every ``reader()`` reads in that session, also
in a savepoint, so an endpoint that writes and then renders through a query sees its own writes.
Nothing commits but the owner of the unit, once (``UnitOfWork.commit()``), together with the
key's stored response; ``close()`` rolls back whatever was not committed. On SQLite the unit's
first statement takes the single writer (``BEGIN IMMEDIATE``) and holds it until the unit ends.
Requests without a unit behave exactly as described above.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def create_engines(url: str) -> tuple[Engine, Engine]:
    """(writer, reader) engines for ``url``; on PostgreSQL both are the same pooled engine."""
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, immediate=True), _sqlite_engine(url, immediate=False)
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine, engine


class Database:
    """The database of one process: a writer and a reader engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine, self.read_engine = create_engines(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commit on success, roll back on any exception. Inside the
        current unit of work, a savepoint of the unit's transaction instead."""
        unit = self._current_unit()
        if unit is not None:
            with unit.session.begin_nested():
                yield unit.session
            return
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session; nothing it does is committed. Inside the current unit of work,
        the unit's session (in a savepoint), which sees the unit's uncommitted writes."""
        unit = self._current_unit()
        if unit is not None:
            with unit.session.begin_nested():
                yield unit.session
            return
        with Session(self.read_engine) as session:
            try:
                yield session
            finally:
                session.rollback()

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work on this database (nothing is connected or begun yet)."""
        return UnitOfWork(self)

    def _current_unit(self) -> UnitOfWork | None:
        unit = _CURRENT_UNIT.get()
        return unit if unit is not None and unit.db is self and unit.open else None

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.read_engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


class UnitOfWork:
    """One transaction that the ``transaction()`` and ``reader()`` blocks of its database join
    while it is current (see the module's docstring). Only its owner commits or closes it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.session = Session(db.engine, expire_on_commit=False)
        self.session.begin()  # lazily: the connection is taken by the first statement
        self.open = True  # an ended unit is joined by nothing, even where it is still current

    @contextmanager
    def current(self) -> Iterator[Session]:
        """Make this the current unit of work of the running context within the block."""
        running = _CURRENT_UNIT.get()
        if running is not None and running.open:
            raise RuntimeError("a unit of work is already current")
        token = _CURRENT_UNIT.set(self)
        try:
            yield self.session
        finally:
            _CURRENT_UNIT.reset(token)

    def commit(self) -> None:
        """Commit everything the unit holds, once, and end it."""
        self.open = False
        try:
            self.session.commit()
        finally:
            self.session.close()

    def close(self) -> None:
        """End the unit, rolling back whatever it did not commit (nothing after ``commit()``)."""
        self.open = False
        self.session.close()


_CURRENT_UNIT: ContextVar[UnitOfWork | None] = ContextVar("beleg_unit_of_work", default=None)
