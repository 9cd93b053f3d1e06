"""Bank statements (seed 003 BankStatementLines): headers per bank account and their lines.

A transaction id is unique per bank account (seed 003 §7 item 36), so a line delivered twice
by a PSD2 or PayPal stream is stored once; lines without an id are never duplicates.
"""

from sqlalchemy import (
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from beleg.db.tables.base import metadata
from beleg.db.tables.ledger import AMOUNT_SCALE
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

bank_statements = Table(
    "bank_statements",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("bank_account_id", Uuid, nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("statement_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # API: created by the seed's API or a stream (PSD2, PayPal); FILE: an imported file.
    # Only API headers count as "the single header" a stream appends to (seed 003 §3.8).
    Column("source", String(10), nullable=False, server_default="API"),
    ForeignKeyConstraint(
        ["tenant_id", "bank_account_id"], ["bank_accounts.tenant_id", "bank_accounts.id"]
    ),
    Index("ix_bank_statements_account", "tenant_id", "bank_account_id"),
)

bank_statement_lines = Table(
    "bank_statement_lines",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("statement_id", Uuid, primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("bank_account_id", Uuid, nullable=False),
    Column("transaction_id", String(200), nullable=True),
    Column("value_date", Date, nullable=False),
    Column("booking_date", Date, nullable=False),
    Column("amount", ExactDecimal(AMOUNT_SCALE), nullable=False),  # + credit, - debit
    Column("remaining_amount", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(30), nullable=False),
    Column("fields", JsonDocument, nullable=False),  # originator, partner, reason texts
    ForeignKeyConstraint(
        ["tenant_id", "statement_id"], ["bank_statements.tenant_id", "bank_statements.id"]
    ),
    UniqueConstraint("tenant_id", "bank_account_id", "transaction_id"),
)
