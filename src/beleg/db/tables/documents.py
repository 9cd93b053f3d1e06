"""Sales documents (seed 003 §3.4): the documents, their lines, payment history, rendered
files, templates, and the transactional outbox their events leave through.

A FINALIZED or EXTERNAL document is immutable apart from its derived payment state
(remaining, paid date), its completion state and its cancellation; a correction is a new
document (a credit memo referring to it).
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from beleg.db.tables.accounting import INPUT_SCALE
from beleg.db.tables.base import metadata
from beleg.db.tables.ledger import AMOUNT_SCALE
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

sales_documents = Table(
    "sales_documents",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("doc_type", String(20), nullable=False),  # INVOICE, CREDIT_MEMO, ...
    Column("state", String(10), nullable=False),  # STAGING / FINALIZED / EXTERNAL / CANCELLED
    Column("number", String(80), nullable=True),  # none while STAGING
    Column("type_code", String(3), nullable=False),  # UNTDID 1001 (380, 381, 261, 386, 389)
    Column("sign", Integer, nullable=False),  # +1; -1 for credit memos and cancellation invoices
    Column("doc_date", Date, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("dunning_date", Date, nullable=True),
    Column("paid_date", Date, nullable=True),
    Column("customer_id", Uuid, nullable=True),
    Column("customer_name", String(300), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("currency_rate", ExactDecimal(8, 20), nullable=False),
    Column("tax_rounding", String(20), nullable=False, server_default="PER_LINE"),
    Column("net", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("tax", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("total", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("remaining", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("payment_term_id", Uuid, nullable=True),
    Column("layout_setup_id", Uuid, nullable=True),
    Column("sequence_group_id", Uuid, nullable=True),
    Column("unpaid_account", String(10), nullable=True),  # DE: receivables or contra account
    Column("journal_id", Uuid, nullable=True),  # DE: the booking of the document
    Column("completion_state", String(20), nullable=True),
    Column("completion_date", Date, nullable=True),
    Column("cancelled_date", Date, nullable=True),
    Column("related_id", Uuid, nullable=True),  # the document this one corrects or cancels
    Column("source_id", Uuid, nullable=True),  # the document this one was converted from
    Column("deposit_settled_by", Uuid, nullable=True),  # deposit invoice: the final invoice
    Column("fields", JsonDocument, nullable=False),  # texts, address override, extensions
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "doc_type", "number"),
    Index("ix_sales_documents_updated", "tenant_id", "doc_type", "updated_at"),
    # a customer's open items and account view (ADR 0024)
    Index("ix_sales_documents_customer", "tenant_id", "customer_id", "doc_date"),
)

sales_document_lines = Table(
    "sales_document_lines",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("document_id", Uuid, primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("line_type", String(20), nullable=False),
    Column("item_id", Uuid, nullable=True),
    Column("quantity", ExactDecimal(INPUT_SCALE), nullable=False),
    Column("item_price", ExactDecimal(INPUT_SCALE), nullable=True),
    Column("item_price_type", String(1), nullable=True),
    Column("discount", ExactDecimal(INPUT_SCALE), nullable=False),
    Column("discount_mode", String(20), nullable=False),
    Column("account", String(10), nullable=True),
    Column("tax_entry", String(3), nullable=True),
    Column("tax_rate", ExactDecimal(4, 10), nullable=False),
    Column("net", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("tax", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("total", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("remaining", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("fields", JsonDocument, nullable=False),  # name, description, itemNumber, ...
    ForeignKeyConstraint(
        ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
    ),
)

sales_document_history = Table(
    "sales_document_history",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("document_id", Uuid, nullable=False),
    Column("position", Integer, nullable=False),
    Column("entry_type", String(40), nullable=False),  # seed PaymentHistoryDto.type
    Column("is_payment", Boolean, nullable=False),  # payments vs. non-payment bookings
    Column("entry_date", Date, nullable=False),
    Column("amount", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("note", String(1000), nullable=True),
    Column("paying_account", String(10), nullable=True),
    Column("cancelled", Boolean, nullable=False),
    Column("cancels", Uuid, nullable=True),  # a CANCELLED entry: the entry it cancels
    Column("cancellation_of_payment", Boolean, nullable=True),
    Column("journal_id", Uuid, nullable=True),
    Column("counterpart_id", Uuid, nullable=True),  # the credit memo / cancellation invoice
    Column("line_no", Integer, nullable=True),  # a correction: the corrected line
    Column("cash_register_no", Integer, nullable=True),  # a cash payment: its register,
    Column("receipt_no", String(20), nullable=True),  # receipt number
    Column("receipt_qr", Text, nullable=True),  # and the receipt's RKSV code
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
    ),
    UniqueConstraint("tenant_id", "document_id", "position"),
    UniqueConstraint("tenant_id", "cancels"),
)

sales_document_files = Table(
    "sales_document_files",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("document_id", Uuid, primary_key=True),
    Column("kind", String(20), primary_key=True),  # pdf
    Column("content", LargeBinary, nullable=False),
    Column("layout", JsonDocument, nullable=False),  # the view model that was printed
    Column("rendered_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
    ),
)

# The e-invoice of an issued document in its customer's format (e-invoicing issue, item 6):
# CREATED when the worker took it, VALIDATED with its XML once every layer passed, ERROR with
# the missing terms or broken rules, IGNORED when a user set an error aside.
document_einvoices = Table(
    "document_einvoices",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("document_id", Uuid, primary_key=True),
    Column("format", String(20), nullable=False),
    Column("state", String(10), nullable=False),
    Column("problems", JsonDocument, nullable=False),  # [{field, rule, text}]
    Column("content", LargeBinary, nullable=True),  # the validated XML
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
    ),
)

document_templates = Table(
    "document_templates",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("doc_type", String(20), nullable=False),  # INVOICE / OFFER
    Column("name", String(200), nullable=False),
    Column("interval", Integer, nullable=True),
    Column("interval_type", String(5), nullable=True),  # DAY / MONTH / YEAR
    Column("next_invoice_date", Date, nullable=True),
    # The schedule: the n-th invoice is dated anchor + n intervals (month ends stay month ends).
    Column("anchor_date", Date, nullable=True),
    Column("issued_count", Integer, nullable=False),
    Column("body", JsonDocument, nullable=False),  # the document as the client sent it
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_document_templates_next", "tenant_id", "next_invoice_date"),
)

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), nullable=False),
    Column("topic", String(60), nullable=False),  # document.finalized, render.pdf, ...
    Column("payload", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_until", UtcDateTime, nullable=True),  # a worker's lease on the event
    # handed to the PostgreSQL task queue as one job (jobs/queue.py), in the same transaction
    Column("relayed_at", UtcDateTime, nullable=True),
    Column("done_at", UtcDateTime, nullable=True),
    Column("last_error", String(2000), nullable=True),
    Index("ix_outbox_pending", "done_at", "created_at"),
)
