"""Cash-based incoming and outgoing invoices (seed 003 §3.3), their lines and bookings.

An invoice's amounts are fixed at creation. Bookings are appended (initial, payment,
cancellation); a booking's ``cancelled`` flag is set once, when its cancellation booking is
added, and its journal is reversed in the same transaction.
"""

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
    UniqueConstraint,
    Uuid,
)

from beleg.db.tables.base import metadata
from beleg.db.tables.ledger import AMOUNT_SCALE
from beleg.db.types import ExactDecimal, UtcDateTime

INPUT_SCALE = 5  # seed 003: line inputs carry up to 5 decimals

cb_invoices = Table(
    "cb_invoices",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("direction", String(3), nullable=False),  # IN (incoming) / OUT (outgoing)
    Column("sequence", String(20), nullable=True),  # ER2020 14 / AR2020 1, once booked
    Column("invoice_date", Date, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("paid_date", Date, nullable=True),
    Column("cancelled_date", Date, nullable=True),
    Column("cancelled_reason", String(500), nullable=True),
    Column("invoice_reference", String(200), nullable=True),
    Column("description", String(1000), nullable=True),
    Column("partner_id", Uuid, nullable=True),
    Column("partner_name", String(200), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("currency_rate", ExactDecimal(8, 20), nullable=False),
    Column("net_total", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("tax_total", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("total", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("total_main", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("remaining", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("remaining_main", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("unpaid_account", String(10), nullable=True),  # DE: 3300/2000 or contra account
    Column("delivery_from", Date, nullable=True),
    Column("delivery_to", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "sequence"),
    Index("ix_cb_invoices_date", "tenant_id", "direction", "invoice_date"),
    Index("ix_cb_invoices_partner", "tenant_id", "partner_id"),  # open items by partner
)

cb_invoice_lines = Table(
    "cb_invoice_lines",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("invoice_id", Uuid, primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("description", String(1000), nullable=True),
    Column("amount", ExactDecimal(INPUT_SCALE), nullable=False),
    Column("amount_type", String(1), nullable=False),
    Column("account", String(10), nullable=False),
    Column("tax_entry", String(3), nullable=False),
    Column("tax_rate", ExactDecimal(4, 10), nullable=False),
    Column("net_amount", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("tax_amount", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("total_amount", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("private_part", ExactDecimal(INPUT_SCALE), nullable=True),
    Column("private_part_type", String(1), nullable=True),
    Column("private_part_account", String(10), nullable=True),
    Column("tax_entry_modifier", String(4), nullable=True),
    Column("additional_sequence", String(50), nullable=True),
    ForeignKeyConstraint(["tenant_id", "invoice_id"], ["cb_invoices.tenant_id", "cb_invoices.id"]),
)

cb_bookings = Table(
    "cb_bookings",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("invoice_id", Uuid, nullable=False),
    Column("position", Integer, nullable=False),  # order of creation within the invoice
    Column("kind", String(12), nullable=False),  # INITIAL / PAYMENT / CANCELLATION
    Column("number", Integer, nullable=False),  # per invoice; a cancellation repeats it
    Column("cancelled", Boolean, nullable=False),
    Column("journal_id", Uuid, nullable=True),  # none for EXISTING_CREDIT
    Column("journal_number", String(40), nullable=True),
    Column("contra_account", String(10), nullable=True),  # INITIAL: the unpaid account
    Column("payment_type", String(20), nullable=True),
    Column("payment_date", Date, nullable=True),
    Column("payment_amount", ExactDecimal(AMOUNT_SCALE), nullable=True),
    Column("payment_amount_main", ExactDecimal(AMOUNT_SCALE), nullable=True),
    Column("payment_contra_account", String(10), nullable=True),
    Column("payment_rate", ExactDecimal(8, 20), nullable=True),
    Column("payment_description", String(1000), nullable=True),
    Column("cancelled_date", Date, nullable=True),
    Column("cancelled_reason", String(500), nullable=True),
    Column("cancelled_booking", Uuid, nullable=True),
    # What the journal books, main currency (seed 003 JournalDto netTotal/taxTotal/total).
    Column("net_main", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("tax_main", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("total_main", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "invoice_id"], ["cb_invoices.tenant_id", "cb_invoices.id"]),
    UniqueConstraint("tenant_id", "invoice_id", "position"),
    UniqueConstraint("tenant_id", "cancelled_booking"),
)
