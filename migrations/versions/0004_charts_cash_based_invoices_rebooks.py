"""charts, cash-based invoices, rebooks, contacts, bank accounts and statements

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 20:16:44.958789
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import beleg.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("display_name", sa.String(length=300), nullable=False),
        sa.Column("contra_account", sa.String(length=10), nullable=True),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_contacts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_number", ["tenant_id", "kind", "number"], unique=False)

    op.create_table(
        "contact_addresses",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("address_type", sa.String(length=40), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contact_id"],
            ["contacts.tenant_id", "contacts.id"],
            name=op.f("fk_contact_addresses_tenant_id_contacts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_contact_addresses")),
    )
    op.create_table(
        "cb_invoices",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("sequence", sa.String(length=20), nullable=True),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("paid_date", sa.Date(), nullable=True),
        sa.Column("cancelled_date", sa.Date(), nullable=True),
        sa.Column("cancelled_reason", sa.String(length=500), nullable=True),
        sa.Column("invoice_reference", sa.String(length=200), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("partner_name", sa.String(length=200), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "currency_rate", beleg.db.types.ExactDecimal(scale=8, precision=20), nullable=False
        ),
        sa.Column("net_total", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("tax_total", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("total", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("total_main", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("remaining", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column(
            "remaining_main", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False
        ),
        sa.Column("unpaid_account", sa.String(length=10), nullable=True),
        sa.Column("delivery_from", sa.Date(), nullable=True),
        sa.Column("delivery_to", sa.Date(), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_cb_invoices_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_cb_invoices")),
        sa.UniqueConstraint(
            "tenant_id", "sequence", name=op.f("uq_cb_invoices_tenant_id_sequence")
        ),
    )
    with op.batch_alter_table("cb_invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cb_invoices_date", ["tenant_id", "direction", "invoice_date"], unique=False
        )

    op.create_table(
        "ledger_tax_entries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name_de", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("rate", beleg.db.types.ExactDecimal(scale=4, precision=10), nullable=False),
        sa.Column("modifiers", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_ledger_tax_entries_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "code", name=op.f("pk_ledger_tax_entries")),
    )
    op.create_table(
        "cb_bookings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("journal_number", sa.String(length=40), nullable=True),
        sa.Column("contra_account", sa.String(length=10), nullable=True),
        sa.Column("payment_type", sa.String(length=20), nullable=True),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column(
            "payment_amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=True
        ),
        sa.Column(
            "payment_amount_main", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=True
        ),
        sa.Column("payment_contra_account", sa.String(length=10), nullable=True),
        sa.Column(
            "payment_rate", beleg.db.types.ExactDecimal(scale=8, precision=20), nullable=True
        ),
        sa.Column("payment_description", sa.String(length=1000), nullable=True),
        sa.Column("cancelled_date", sa.Date(), nullable=True),
        sa.Column("cancelled_reason", sa.String(length=500), nullable=True),
        sa.Column("cancelled_booking", sa.Uuid(), nullable=True),
        sa.Column("net_main", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("tax_main", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("total_main", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["cb_invoices.tenant_id", "cb_invoices.id"],
            name=op.f("fk_cb_bookings_tenant_id_cb_invoices"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_cb_bookings")),
        sa.UniqueConstraint(
            "tenant_id",
            "cancelled_booking",
            name=op.f("uq_cb_bookings_tenant_id_cancelled_booking"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "invoice_id",
            "position",
            name=op.f("uq_cb_bookings_tenant_id_invoice_id_position"),
        ),
    )
    op.create_table(
        "cb_invoice_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("amount", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=False),
        sa.Column("amount_type", sa.String(length=1), nullable=False),
        sa.Column("account", sa.String(length=10), nullable=False),
        sa.Column("tax_entry", sa.String(length=3), nullable=False),
        sa.Column("tax_rate", beleg.db.types.ExactDecimal(scale=4, precision=10), nullable=False),
        sa.Column("net_amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("tax_amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column(
            "total_amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False
        ),
        sa.Column(
            "private_part", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=True
        ),
        sa.Column("private_part_type", sa.String(length=1), nullable=True),
        sa.Column("private_part_account", sa.String(length=10), nullable=True),
        sa.Column("tax_entry_modifier", sa.String(length=4), nullable=True),
        sa.Column("additional_sequence", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["cb_invoices.tenant_id", "cb_invoices.id"],
            name=op.f("fk_cb_invoice_lines_tenant_id_cb_invoices"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "invoice_id", "line_no", name=op.f("pk_cb_invoice_lines")
        ),
    )
    op.create_table(
        "ledger_rebooks",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("journal_id", sa.Uuid(), nullable=False),
        sa.Column("rebook_type", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=10), nullable=False),
        sa.Column("contra_account", sa.String(length=10), nullable=False),
        sa.Column("amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "journal_id"],
            ["ledger_journals.tenant_id", "ledger_journals.id"],
            name=op.f("fk_ledger_rebooks_tenant_id_ledger_journals"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "journal_id", name=op.f("pk_ledger_rebooks")),
    )
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tax_codes", sa.String(length=60), server_default="000", nullable=False)
        )
        batch_op.add_column(
            sa.Column("forced_tax", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    with op.batch_alter_table("ledger_counters", schema=None) as batch_op:
        batch_op.alter_column(
            "prefix",
            existing_type=sa.VARCHAR(length=1),
            type_=sa.String(length=4),
            existing_nullable=False,
        )

    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "tax_main",
                beleg.db.types.ExactDecimal(scale=4, precision=18),
                server_default="0",
                nullable=False,
            )
        )

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chart_of_accounts", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("books_closed_until", sa.Date(), nullable=True))
    # Existing tenants get their country's default chart (AT: EKR, DE: SKR03).
    op.execute(
        "UPDATE tenants SET chart_of_accounts = CASE WHEN country = 'DE' "
        "THEN 'SKR03' ELSE 'AT-EKR' END"
    )
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.alter_column(
            "chart_of_accounts", existing_type=sa.String(length=20), nullable=False
        )
    op.create_table(
        "bank_accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bank_name", sa.String(length=200), nullable=True),
        sa.Column("owner_name", sa.String(length=200), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("account_code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_code"],
            ["ledger_accounts.tenant_id", "ledger_accounts.code"],
            name=op.f("fk_bank_accounts_tenant_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_bank_accounts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_bank_accounts")),
    )
    op.create_table(
        "bank_statements",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bank_account_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("statement_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "bank_account_id"],
            ["bank_accounts.tenant_id", "bank_accounts.id"],
            name=op.f("fk_bank_statements_tenant_id_bank_accounts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_bank_statements")),
    )
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bank_statements_account", ["tenant_id", "bank_account_id"], unique=False
        )

    op.create_table(
        "bank_statement_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bank_account_id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.String(length=200), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column(
            "remaining_amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "statement_id"],
            ["bank_statements.tenant_id", "bank_statements.id"],
            name=op.f("fk_bank_statement_lines_tenant_id_bank_statements"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "statement_id", "line_no", name=op.f("pk_bank_statement_lines")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "bank_account_id",
            "transaction_id",
            name=op.f("uq_bank_statement_lines_tenant_id_bank_account_id_transaction_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("bank_statement_lines")
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_statements_account")

    op.drop_table("bank_statements")
    op.drop_table("bank_accounts")
    op.drop_table("contact_addresses")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_number")
    op.drop_table("contacts")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("books_closed_until")
        batch_op.drop_column("chart_of_accounts")

    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_column("tax_main")

    with op.batch_alter_table("ledger_counters", schema=None) as batch_op:
        batch_op.alter_column(
            "prefix",
            existing_type=sa.String(length=4),
            type_=sa.VARCHAR(length=1),
            existing_nullable=False,
        )

    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_column("forced_tax")
        batch_op.drop_column("tax_codes")

    op.drop_table("ledger_rebooks")
    op.drop_table("cb_invoice_lines")
    op.drop_table("cb_bookings")
    op.drop_table("ledger_tax_entries")
    with op.batch_alter_table("cb_invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_cb_invoices_date")

    op.drop_table("cb_invoices")
