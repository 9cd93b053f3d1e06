"""The ledger: accounts, journals and their postings (journal numbers: ``db/sequences.py``).

Posted journals are never updated: a cancellation is a new journal that ``reverses`` the
original (at most once, by a unique constraint), and "cancelled" is derived from that link.
Postings repeat the booking date so balances over a period are index-only scans.
"""

from sqlalchemy import (
    BigInteger,
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
    true,
)

from beleg.db.tables.base import metadata
from beleg.db.types import ExactDecimal, UtcDateTime

AMOUNT_SCALE = 4  # enough for every ISO 4217 currency (CLF, UYW have 4 minor units)

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("code", String(10), primary_key=True),
    Column("name", String(200), nullable=False),
    # Seed 003 account types: E revenue, M revenue gastronomy, A expense, L assets,
    # S miscellaneous, U means of payment (cash, bank, rebook accounts).
    Column("account_type", String(1), nullable=False),
    Column("default_tax_code", String(3), nullable=True),
    # Tax class entries the account allows, comma-separated, the default first; with
    # ``forced_tax`` only the default is allowed (seed 003 AccountDto.forcedTaxClass).
    Column("tax_codes", String(60), nullable=False, server_default="000"),
    Column("forced_tax", Boolean, nullable=False, server_default=true()),
)

ledger_tax_entries = Table(
    "ledger_tax_entries",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("code", String(3), primary_key=True),
    Column("name_de", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("rate", ExactDecimal(4, 10), nullable=False),  # percent
    Column("modifiers", String(20), nullable=False),  # comma-separated, e.g. "IG,RC"
)

ledger_journals = Table(
    "ledger_journals",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("number", String(20), nullable=False),
    Column("journal_type", String(1), nullable=False),
    Column("booking_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rate", ExactDecimal(8, 20), nullable=False),
    Column("description", String(500), nullable=False),
    Column("reverses_id", Uuid, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "number"),
    UniqueConstraint("tenant_id", "reverses_id"),
    ForeignKeyConstraint(
        ["tenant_id", "reverses_id"], ["ledger_journals.tenant_id", "ledger_journals.id"]
    ),
)

ledger_postings = Table(
    "ledger_postings",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("journal_id", Uuid, primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("booking_date", Date, nullable=False),
    Column("account_code", String(10), nullable=False),
    Column("amount", ExactDecimal(AMOUNT_SCALE), nullable=False),  # journal currency, signed
    Column("amount_main", ExactDecimal(AMOUNT_SCALE), nullable=False),  # main currency, signed
    # VAT booked on the VAT account for this amount (main currency), for gross balances.
    Column("tax_main", ExactDecimal(AMOUNT_SCALE), nullable=False, server_default="0"),
    Column("tax_code", String(3), nullable=True),
    Column("text", String(200), nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "journal_id"], ["ledger_journals.tenant_id", "ledger_journals.id"]
    ),
    ForeignKeyConstraint(
        ["tenant_id", "account_code"], ["ledger_accounts.tenant_id", "ledger_accounts.code"]
    ),
    Index("ix_ledger_postings_balance", "tenant_id", "booking_date", "account_code", "amount_main"),
)

ledger_balances = Table(
    "ledger_balances",
    metadata,
    # Maintained sums of the postings per (tenant, account, month, journal currency), written
    # in the transaction of every posting write (db/ledger.py add_to_balances, ADR 0017), so a
    # trial balance reads one row per account and month instead of scanning postings. Debit
    # sums the positive, credit the negated negative amounts of the postings, as the reports
    # split them; ``*_gross`` adds each posting's ``tax_main`` first (method T).
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("account_code", String(10), primary_key=True),
    Column("period", Date, primary_key=True),  # first day of the postings' month
    Column("currency", String(3), primary_key=True),  # the journals' currency
    Column("debit", ExactDecimal(AMOUNT_SCALE), nullable=False),  # journal currency
    Column("credit", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("debit_main", ExactDecimal(AMOUNT_SCALE), nullable=False),  # main currency
    Column("credit_main", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("debit_gross", ExactDecimal(AMOUNT_SCALE), nullable=False),  # main, with VAT
    Column("credit_gross", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("postings", BigInteger, nullable=False),  # how many postings the sums hold
    ForeignKeyConstraint(
        ["tenant_id", "account_code"], ["ledger_accounts.tenant_id", "ledger_accounts.code"]
    ),
)

ledger_rebooks = Table(
    "ledger_rebooks",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("journal_id", Uuid, primary_key=True),
    Column("rebook_type", String(20), nullable=False),
    Column("account", String(10), nullable=False),  # the amount is subtracted from it
    Column("contra_account", String(10), nullable=False),  # the amount is added to it
    Column("amount", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("reference", String(200), nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "journal_id"], ["ledger_journals.tenant_id", "ledger_journals.id"]
    ),
)

bank_accounts = Table(
    "bank_accounts",
    metadata,
    # Means of payment (seed 003 BankAccountDto): bank, cash, card, PayPal accounts, each tied
    # to a U account of the chart.
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("bank_name", String(200), nullable=True),
    Column("owner_name", String(200), nullable=True),
    Column("bic", String(11), nullable=True),
    Column("iban", String(34), nullable=True),
    Column("account_code", String(10), nullable=False),
    Column("description", String(200), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("shown", Boolean, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "account_code"], ["ledger_accounts.tenant_id", "ledger_accounts.code"]
    ),
)
