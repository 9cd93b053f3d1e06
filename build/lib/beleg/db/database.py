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

**The request's connections.** Every API request runs in a ``ConnectionScope``
(``Database.connection_scope()``, made current by ``api/routing.py`` like the unit of work): the
first ``reader()`` or ``transaction()`` of the request checks a connection out of the pool and
the later ones of the same request use it again, so authenticating a request and answering it
take one checkout (on SQLite, one per engine the request uses: the reader's, and the writer's
when it writes). Consecutive ``reader()`` blocks share one read transaction (on PostgreSQL,
READ COMMITTED: every statement still sees what is committed; on SQLite, one snapshot); a
``transaction()`` first ends that read transaction, so what a request reads after its own write
sees the write. A block that is already using the scope's connection when another one starts
(a ``reader()`` inside a ``transaction()``, say) leaves the inner one to a connection of its
own, exactly as without the scope; an exception in a ``reader()`` ends its read transaction.
The scope returns its connections when the request's endpoint has answered. Only a pool
connection idle for ``PING_AFTER_IDLE_S`` or longer is pinged at checkout (a database restart
in between is noticed before a request uses it); a connection that fails on use is discarded
with the whole pool by SQLAlchemy's disconnect handling, and the next checkout connects anew.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_POOL_SIZE, PG_POOL_OVERFLOW = 10, 20
SQLITE_POOL_SIZE, SQLITE_POOL_OVERFLOW = 10, 30  # a SQLite connection is a file handle
POOL_CAPACITY = {  # connections per engine (size + overflow)
    "sqlite": SQLITE_POOL_SIZE + SQLITE_POOL_OVERFLOW,
    "postgresql": PG_POOL_SIZE + PG_POOL_OVERFLOW,
}
PING_AFTER_IDLE_S = 5.0  # a pooled connection unused this long is pinged before it is lent
POOL_RECYCLE_S = 1800  # and one older than this is replaced (server-side idle timeouts)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    file_pool = make_url(url).database not in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **(
            {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW}
            if file_pool
            else {}
        ),
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
    engine = create_engine(
        url, pool_size=PG_POOL_SIZE, max_overflow=PG_POOL_OVERFLOW, pool_recycle=POOL_RECYCLE_S
    )
    _ping_after_idle(engine)
    return engine, engine


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it has been idle for
    ``PING_AFTER_IDLE_S`` (a busy pool is never pinged; a restart during a quiet spell is)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["beleg_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("beleg_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as error:
            # SQLAlchemy's documented answer: the pool discards it and connects anew.
            raise exc.DisconnectionError() from error


class Database:
    """The database of one process: a writer and a reader engine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine, self.read_engine = create_engines(url)
        # How many requests may hold a connection scope at once: a third of a pool, so that a
        # scope holding its connection between two blocks (and a unit of work beside it) never
        # waits for one another holder keeps (the rest serves nested blocks, other work).
        self.request_slots = max(1, POOL_CAPACITY.get(self.dialect, 10) // 3)

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
        scope = self._current_scope()
        connection = scope.lend(self.engine, reading=False) if scope is not None else None
        if scope is None or connection is None:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
            return
        try:
            with Session(connection, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            scope.give_back(connection)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session; nothing it does is committed. Inside the current unit of work,
        the unit's session (in a savepoint), which sees the unit's uncommitted writes."""
        unit = self._current_unit()
        if unit is not None:
            with unit.session.begin_nested():
                yield unit.session
            return
        scope = self._current_scope()
        connection = scope.lend(self.read_engine, reading=True) if scope is not None else None
        if scope is None or connection is None:
            with Session(self.read_engine) as session:
                try:
                    yield session
                finally:
                    session.rollback()
            return
        try:
            with Session(connection) as session:  # joins the scope's read transaction
                try:
                    yield session
                except BaseException:
                    session.rollback()  # ends the read transaction: the next read begins anew
                    raise
        finally:
            scope.give_back(connection)

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work on this database (nothing is connected or begun yet)."""
        return UnitOfWork(self)

    def connection_scope(self) -> ConnectionScope:
        """A new connection scope on this database (nothing is checked out yet)."""
        return ConnectionScope(self)

    def _current_scope(self) -> ConnectionScope | None:
        scope = _CURRENT_SCOPE.get()
        return scope if scope is not None and scope.db is self and scope.open else None

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


class ConnectionScope:
    """The connections of one request, one per engine, lent to its ``reader()`` and
    ``transaction()`` blocks in turn (see the module's docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.open = True
        self._connections: dict[int, Connection] = {}
        self._claim = threading.Lock()
        self._busy = False  # a block of the request uses a connection of the scope
        self._lent_for_reading = False

    @contextmanager
    def current(self) -> Iterator[ConnectionScope]:
        """Make this the current connection scope of the running context within the block
        (its owner closes it afterwards)."""
        token = _CURRENT_SCOPE.set(self)
        try:
            yield self
        finally:
            _CURRENT_SCOPE.reset(token)

    @property
    def checked_out(self) -> int:
        """How many connections the scope holds."""
        return len(self._connections)

    def lend(self, engine: Engine, *, reading: bool) -> Connection | None:
        """The scope's connection of ``engine`` for one block, or None while another block
        of the request runs (the inner block then takes a connection of its own, as without
        the scope; so do blocks that threads of one request run at the same time). A write
        ends every read transaction the scope keeps open, before and after it, so that later
        reads see it."""
        with self._claim:
            if self._busy or not self.open:
                return None
            self._busy, self._lent_for_reading = True, reading
        try:
            if not reading:
                self._end_reads()
            connection = self._connections.get(id(engine))
            if connection is None:
                connection = self._connections[id(engine)] = engine.connect()
            if reading and not connection.in_transaction():
                connection.begin()
        except BaseException:
            self._busy = False
            raise
        return connection

    def give_back(self, _connection: Connection) -> None:
        """End the block that borrowed the scope's connection."""
        if not self._lent_for_reading:
            self._end_reads()
        self._busy = False

    def _end_reads(self) -> None:
        for connection in self._connections.values():
            if connection.in_transaction():
                connection.rollback()

    def close(self) -> None:
        """Roll back what is still open and return the connections to their pools."""
        self.open = False
        connections, self._connections = list(self._connections.values()), {}
        for connection in connections:
            connection.close()


_CURRENT_SCOPE: ContextVar[ConnectionScope | None] = ContextVar(
    "beleg_connection_scope", default=None
)
