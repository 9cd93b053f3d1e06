"""Persistence: tables, types, transactions, repositories (the data access of every
context), the one number allocator, the audit writer and the outbox. Engine from settings.

``Session`` is re-exported so that use cases can name the transaction they pass to
repositories without importing SQLAlchemy (services/ holds no SQL, ADR 0009)."""

from sqlalchemy.orm import Session

__all__ = ["Session"]
