"""The invoicing setup lookups of seed 003 §4.14: payment terms, PDF layout setups and
dunning levels (sequence groups live with the numbering tables). A partial unique index
keeps at most one default per tenant; the services keep at least one."""

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from beleg.db.tables.base import metadata
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

payment_terms = Table(
    "payment_terms",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("description", String(500), nullable=False),
    Column("due_days", Integer, nullable=False),
    Column("dunning_days", Integer, nullable=False),
    Column("default_term", Boolean, nullable=False),
    Column("fixed_due_date", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(
        "uq_payment_terms_default",
        "tenant_id",
        unique=True,
        sqlite_where=text("default_term"),
        postgresql_where=text("default_term"),
    ),
)

layout_setups = Table(
    "layout_setups",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("description", String(500), nullable=False),
    Column("default_setup", Boolean, nullable=False),
    Column("language", String(2), nullable=False),  # de / en: the language the PDF prints in
    # {doc type: {language: {"description": intro text, "footer": closing text}}}
    Column("texts", JsonDocument, nullable=False),
    Column("company_name", String(200), nullable=True),
    Column("address_lines", JsonDocument, nullable=False),  # list of lines
    Column("vat_id", String(20), nullable=True),
    Column("iban", String(34), nullable=True),
    Column("bic", String(11), nullable=True),
    Column("bank_name", String(200), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(
        "uq_layout_setups_default",
        "tenant_id",
        unique=True,
        sqlite_where=text("default_setup"),
        postgresql_where=text("default_setup"),
    ),
)

dunning_levels = Table(
    "dunning_levels",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("internal_name", String(100), nullable=False),
    Column("description", String(500), nullable=False),
    Column("document_subject", String(200), nullable=False),
    Column("fixed_fee", ExactDecimal(2), nullable=False),
    Column("fee_percentage", ExactDecimal(4), nullable=False),
    Column("dunning_days", Integer, nullable=False),  # days until the next level is due
    Column("previous_level_id", Uuid, nullable=True),
    Column("line_text", Text, nullable=False),
    Column("end_text", Text, nullable=False),
    Column("account", String(10), nullable=False),
    Column("tax_class_entry", String(3), nullable=False),
    Column("default_flag", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "previous_level_id"], ["dunning_levels.tenant_id", "dunning_levels.id"]
    ),
    ForeignKeyConstraint(
        ["tenant_id", "account"], ["ledger_accounts.tenant_id", "ledger_accounts.code"]
    ),
)
