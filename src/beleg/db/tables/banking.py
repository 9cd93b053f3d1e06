"""Bank statements (seed 003 BankStatementLines): headers per bank account and their lines.

A transaction id is unique per bank account (seed 003 §7 item 36), so a line delivered twice
by a PSD2 or PayPal stream is stored once; lines without an id are never duplicates.
"""

from sqlalchemy import (
    Boolean,
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

# SEPA direct-debit mandates (domain/banking/mandates.py). The payment account's IBAN, BIC and
# holder are kept with the mandate: the account may be removed later, the mandate stays.
sepa_mandates = Table(
    "sepa_mandates",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("customer_id", Uuid, nullable=False),
    Column("payment_account_id", Uuid, nullable=False),
    Column("reference", String(35), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("mandate_type", String(4), nullable=False),  # CORE / B2B
    Column("one_off", Boolean, nullable=False),
    Column("final", Boolean, nullable=False),
    Column("status", String(10), nullable=False),  # ACTIVE / REVOKED / COMPLETED
    Column("iban", String(34), nullable=False),
    Column("bic", String(11), nullable=True),
    Column("account_holder", String(200), nullable=False),
    Column("collections", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "customer_id"], ["contacts.tenant_id", "contacts.id"]),
    # The unique mandate reference (AT-01) is unique per creditor, so per tenant.
    UniqueConstraint("tenant_id", "reference"),
    Index("ix_sepa_mandates_customer", "tenant_id", "customer_id"),
)

direct_debit_batches = Table(
    "direct_debit_batches",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("creditor_id", String(35), nullable=False),
    Column("creditor_name", String(200), nullable=False),
    Column("creditor_iban", String(34), nullable=False),
    Column("creditor_bic", String(11), nullable=True),
    Column("item_count", Integer, nullable=False),
    Column("total", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# One collected invoice. An invoice is collected at most once: (tenant, document) is unique.
direct_debit_items = Table(
    "direct_debit_items",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("batch_id", Uuid, primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("part", Integer, nullable=False),  # the file of the batch, from 1
    Column("document_id", Uuid, nullable=False),
    Column("mandate_id", Uuid, nullable=False),
    Column("end_to_end_id", String(35), nullable=False),  # the invoice number
    Column("amount", ExactDecimal(AMOUNT_SCALE), nullable=False),  # EUR
    Column("sequence_type", String(4), nullable=False),
    Column("instrument", String(4), nullable=False),  # CORE / B2B
    Column("collection_date", Date, nullable=False),
    Column("debtor_name", String(200), nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "batch_id"], ["direct_debit_batches.tenant_id", "direct_debit_batches.id"]
    ),
    ForeignKeyConstraint(
        ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
    ),
    ForeignKeyConstraint(
        ["tenant_id", "mandate_id"], ["sepa_mandates.tenant_id", "sepa_mandates.id"]
    ),
    UniqueConstraint("tenant_id", "document_id"),
)

# What reconciliation paid with a statement line (ADR 0026): one row per document paid, so a
# line is never assigned to one document twice; the line's remaining_amount is what is left.
bank_line_assignments = Table(
    "bank_line_assignments",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("statement_id", Uuid, primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("document_id", Uuid, primary_key=True),
    Column("doc_type", String(20), nullable=False),
    Column("number", String(80), nullable=False),
    Column("amount", ExactDecimal(AMOUNT_SCALE), nullable=False),  # paid on the document
    Column("on_account", ExactDecimal(AMOUNT_SCALE), nullable=False),  # excess kept on account
    Column("rule", String(20), nullable=False),  # matching.Rule, or MANUAL
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "statement_id", "line_no"],
        [
            "bank_statement_lines.tenant_id",
            "bank_statement_lines.statement_id",
            "bank_statement_lines.line_no",
        ],
    ),
    ForeignKeyConstraint(
        ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
    ),
    Index("ix_bank_line_assignments_document", "tenant_id", "document_id"),
)
