"""Engines and transactions.

``Database.transaction()`` is the unit of work of a service operation: one transaction that
commits when the block ends normally and rolls back on any exception, so a failed operation
leaves nothing half-written. On SQLite a write transaction starts with ``BEGIN IMMEDIATE`` (the
single writer is taken up front, so two writers never deadlock on a lock upgrade); reads use a
second engine with plain deferred transactions and never block writers (WAL mode).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
        """One write transaction: commit on success, roll back on any exception."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session; nothing it does is committed."""
        with Session(self.read_engine) as session:
            try:
                yield session
            finally:
                session.rollback()

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.read_engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
