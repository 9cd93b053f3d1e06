"""Usage events (spec/billing-api.md "Usage"; ADR 0016): raw metered usage of contracts.

Raw usage is never changed: a correction is a new event; ``cancel`` keeps the row with status
CANCELLED (its client id stays taken, it counts no more), ``DELETE`` removes it. The client's
``event_id`` is unique per tenant (the batch's deduplication); the aggregation of a billing
run reads the index on (tenant, contract, option, occurred_at).

No foreign keys: a batch writes 10,000 rows in one COPY, and a key check per row would cost
more than the write; the batch checks its contracts in one query before writing, and a
contract with usage is never deleted (only DRAFT and CANCELLED contracts are, and neither
takes usage).
"""

from sqlalchemy import Column, Index, String, Table, UniqueConstraint, Uuid

from beleg.db.tables.base import metadata
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

QUANTITY_SCALE = 6  # domain/usage/events.QUANTITY_SCALE

usage_events = Table(
    "usage_events",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("event_id", String(100), nullable=False),  # the client's id
    Column("contract_id", Uuid, nullable=False),
    Column("option_code", String(50), nullable=False),
    Column("quantity", ExactDecimal(QUANTITY_SCALE), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),  # the instant, or the start
    Column("ended_at", UtcDateTime, nullable=True),  # time-based usage: the end
    Column("properties", JsonDocument, nullable=True),
    Column("status", String(10), nullable=False),  # ACTIVE / CANCELLED
    Column("received_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime, nullable=True),
    UniqueConstraint("tenant_id", "event_id", name="uq_usage_events_event_id"),
    Index("ix_usage_events_aggregation", "tenant_id", "contract_id", "option_code", "occurred_at"),
)
