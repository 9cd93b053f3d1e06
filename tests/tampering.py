"""Bypassing the append-only guard of the audit trail, as a database administrator could:
the tests that prove tampering is *detected* first have to get past the guard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from beleg.db.database import Database

_SQLITE_TRIGGERS = {
    "update": "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
    "delete": "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
}


@contextmanager
def tampering(db: Database) -> Iterator[Session]:
    """A transaction in which audit entries can be edited and deleted."""
    with db.transaction() as session:
        if db.dialect == "postgresql":
            session.execute(text("SET LOCAL session_replication_role = replica"))
            yield session
            return
        for name in _SQLITE_TRIGGERS:
            session.execute(text(f"DROP TRIGGER audit_entries_no_{name}"))
        yield session
        for statement in _SQLITE_TRIGGERS.values():
            session.execute(text(statement))
