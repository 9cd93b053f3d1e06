"""Document numbering: sequence groups, counters and their values per period, the strategy
per document type (its legacy prefix and suffix) and the rules that pick a counter.

A counter's values live in the one allocator's ``sequences`` table, one row per (counter,
period) (``db/sequences.py``); the row is locked while a document is numbered, so numbers are
unique and gapless per counter (invariant 4).
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Uuid,
    text,
)

from beleg.db.tables.base import metadata
from beleg.db.types import UtcDateTime

sequence_groups = Table(
    "sequence_groups",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("base", String(10), nullable=False),  # ANNUAL / PERMANENT
    Column("default_group", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(
        "uq_sequence_groups_default",
        "tenant_id",
        unique=True,
        sqlite_where=text("default_group"),
        postgresql_where=text("default_group"),
    ),
)

document_counters = Table(
    "document_counters",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(40), nullable=False),
    Column("suffix", String(40), nullable=False),
    Column("width", Integer, nullable=False),  # zero padding of the number; 0 = none
    Column("reset", String(10), nullable=False),  # NEVER / YEARLY / MONTHLY
    Column("start", BigInteger, nullable=False),  # first value of every period
    Column("affix_source", String(10), nullable=False),  # COUNTER / STRATEGY
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

sequence_group_counters = Table(
    "sequence_group_counters",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("group_id", Uuid, primary_key=True),
    Column("doc_type", String(20), primary_key=True),
    Column("counter_id", Uuid, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "group_id"], ["sequence_groups.tenant_id", "sequence_groups.id"]
    ),
    ForeignKeyConstraint(
        ["tenant_id", "counter_id"], ["document_counters.tenant_id", "document_counters.id"]
    ),
)

number_strategies = Table(
    "number_strategies",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("doc_type", String(20), primary_key=True),
    Column("prefix", String(40), nullable=False),  # used by counters with affix_source
    Column("suffix", String(40), nullable=False),  # STRATEGY (seed 001)
    Column("updated_at", UtcDateTime, nullable=False),
)

number_rules = Table(
    "number_rules",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("doc_type", String(20), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("position", Integer, nullable=False),  # creation order: breaks priority ties
    Column("customer_type", String(10), nullable=True),  # None = any
    Column("country", String(2), nullable=True),
    Column("billing_group", String(100), nullable=True),
    Column("operating_site", String(100), nullable=True),
    Column("counter_id", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "counter_id"], ["document_counters.tenant_id", "document_counters.id"]
    ),
    Index("ix_number_rules_doc_type", "tenant_id", "doc_type"),
)
