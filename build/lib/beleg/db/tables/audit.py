"""The audit trail: append-only entries, hash-chained per tenant, and each chain's head."""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Table, Uuid

from beleg.db.tables.base import metadata
from beleg.db.types import JsonDocument, UtcDateTime

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor_type", String(20), nullable=False),
    Column("actor_id", String(64), nullable=True),
    Column("actor_name", String(200), nullable=False),
    Column("ip_address", String(64), nullable=True),
    Column("request_id", String(64), nullable=True),
    Column("action", String(20), nullable=False),
    Column("entity_type", String(50), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("before", JsonDocument, nullable=True),
    Column("after", JsonDocument, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_entries_entity", "tenant_id", "entity_type", "entity_id"),
)

# One row per tenant: the last sequence number and hash. Appending locks this row, which orders
# concurrent writers and lets verification notice entries deleted from the end of the chain.
audit_heads = Table(
    "audit_heads",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
