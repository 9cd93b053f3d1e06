"""Cash registers under Austrian law (seed 003 §3.6): registers, their signing keys, receipts
and daily closings.

Receipts are immutable once written (a cancellation is a new receipt); the register row holds
the RKSV chain state (last JWS, turnover counter) and is locked by every receipt, so a
register's receipts form one sequence.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
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
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

cash_registers = Table(
    "cash_registers",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),  # 0 = test register
    Column("name", String(100), nullable=False),
    Column("register_group", String(100), nullable=True),
    Column("state", String(10), nullable=False),  # NEW / ACTIVE / LOCKED / TEST
    Column("allow_past_income", Boolean, nullable=False),
    Column("enable_drawback", Boolean, nullable=False),
    Column("default_register", Boolean, nullable=False),
    Column("bank_account_id", Uuid, nullable=True),
    Column("cash_account", String(10), nullable=True),  # the bank account's U account
    Column("balance", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("turnover_cents", BigInteger, nullable=False),  # RKSV Umsatzzähler
    Column("last_jws", Text, nullable=True),  # the chain's last signed receipt
    Column("last_receipt_at", DateTime, nullable=True),  # local time
    Column("key_id", String(40), nullable=True),  # RKSV Zertifikat-Seriennummer / key id
    Column("layout", JsonDocument, nullable=False),  # CashRegisterLayoutDto
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "bank_account_id"], ["bank_accounts.tenant_id", "bank_accounts.id"]
    ),
)

cash_register_keys = Table(
    "cash_register_keys",
    metadata,
    # Read only by the signing code; never part of an API response or the audit trail.
    Column("tenant_id", Uuid, primary_key=True),
    Column("register_no", Integer, primary_key=True, autoincrement=False),
    Column("private_pem", Text, nullable=False),
    Column("public_pem", Text, nullable=False),
    Column("aes_key", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "register_no"], ["cash_registers.tenant_id", "cash_registers.number"]
    ),
)

cash_receipts = Table(
    "cash_receipts",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("register_no", Integer, primary_key=True, autoincrement=False),
    Column("number", String(20), primary_key=True),  # 2022.0075 / U2017.0001
    Column("position", Integer, nullable=False),  # order of creation within the register
    Column("receipt_type", String(10), nullable=False),
    Column("series", String(1), nullable=False),
    Column("year", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("date_time", DateTime, nullable=False),  # local time, as signed
    Column("closing_day", Date, nullable=True),  # none for the Startbeleg
    Column("created_at", UtcDateTime, nullable=False),
    Column("total", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("lines", JsonDocument, nullable=False),
    Column("party", JsonDocument, nullable=False),  # customer, name, mail, address, references
    Column("from_account", String(10), nullable=True),
    Column("to_account", String(10), nullable=True),
    Column("description", String(500), nullable=True),
    Column("cancels", String(20), nullable=True),
    Column("cancelled_by", String(20), nullable=True),
    Column("jws", Text, nullable=True),
    Column("qr_code", Text, nullable=True),
    Column("journal_id", Uuid, nullable=True),
    Column("document_id", Uuid, nullable=True),  # the invoice or credit memo a payment settles
    ForeignKeyConstraint(
        ["tenant_id", "register_no"], ["cash_registers.tenant_id", "cash_registers.number"]
    ),
    UniqueConstraint("tenant_id", "register_no", "series", "year", "sequence"),
    UniqueConstraint("tenant_id", "register_no", "position"),
    Index("ix_cash_receipts_day", "tenant_id", "register_no", "closing_day"),
)

cash_daily_closings = Table(
    "cash_daily_closings",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("register_no", Integer, primary_key=True, autoincrement=False),
    Column("day", Date, primary_key=True),
    Column("state", String(10), nullable=False),
    Column("opening_balance", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("closing_balance", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("income_count", Integer, nullable=False),
    Column("rebook_count", Integer, nullable=False),
    Column("other_count", Integer, nullable=False),
    Column("monthly", Boolean, nullable=False),
    Column("yearly", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "register_no"], ["cash_registers.tenant_id", "cash_registers.number"]
    ),
)
