"""Dunning (ADR 0027): the tenant's dunning settings, runs, notices (numbered from their own
series), the items a notice dunned (one per document and level: a run retried or repeated
cannot dun an item twice at one level), and the blocks per customer or document."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from beleg.db.tables.base import metadata
from beleg.db.tables.ledger import AMOUNT_SCALE
from beleg.db.types import ExactDecimal, UtcDateTime

dunning_settings = Table(
    "dunning_settings",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("automated", Boolean, nullable=False),
    Column("include_deposit_invoices", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

dunning_runs = Table(
    "dunning_runs",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("notice_count", Integer, nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

dunning_notices = Table(
    "dunning_notices",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("run_id", Uuid, nullable=False),
    Column("number", String(40), nullable=False),
    Column("notice_date", Date, nullable=False),
    Column("customer_id", Uuid, nullable=False),
    Column("customer_name", String(300), nullable=True),
    Column("level_id", Uuid, nullable=False),
    Column("level_no", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("dunned", ExactDecimal(AMOUNT_SCALE), nullable=False),  # the items' remaining sum
    Column("fee", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("fee_remaining", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("unpaid_account", String(10), nullable=True),  # where the fee is receivable
    Column("journal_id", Uuid, nullable=True),
    Column("subject", String(200), nullable=False),
    Column("line_text", Text, nullable=False),
    Column("end_text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "run_id"], ["dunning_runs.tenant_id", "dunning_runs.id"]),
    UniqueConstraint("tenant_id", "number"),
    Index("ix_dunning_notices_customer", "tenant_id", "customer_id", "notice_date"),
)

dunning_notice_items = Table(
    "dunning_notice_items",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("notice_id", Uuid, primary_key=True),
    Column("document_id", Uuid, primary_key=True),
    Column("level_no", Integer, nullable=False),
    Column("number", String(80), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("remaining", ExactDecimal(AMOUNT_SCALE), nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "notice_id"], ["dunning_notices.tenant_id", "dunning_notices.id"]
    ),
    ForeignKeyConstraint(
        ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
    ),
    UniqueConstraint("tenant_id", "document_id", "level_no", name="uq_dunning_item_level"),
)

dunning_blocks = Table(
    "dunning_blocks",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("subject", String(10), primary_key=True),  # CUSTOMER / DOCUMENT
    Column("subject_id", Uuid, primary_key=True),
    Column("reason", String(500), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
