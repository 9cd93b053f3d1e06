"""Stored responses for Idempotency-Key replay (invariant 7)."""

from sqlalchemy import Column, Integer, LargeBinary, String, Table, Uuid

from beleg.db.tables.base import metadata
from beleg.db.types import JsonDocument, UtcDateTime

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    # "key:<uuid>" or "user:<uuid>": keys are scoped to the credential's principal.
    Column("principal", String(80), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    # DONE: the response, committed with the change; PENDING only in rows of older versions
    Column("state", String(10), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("headers", JsonDocument, nullable=True),
    Column("body", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)
