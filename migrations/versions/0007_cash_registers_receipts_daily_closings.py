"""Cash registers (RKSV): registers, signing keys, receipts, daily closings; the cash
register and receipt of a document payment (issue 5).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 00:28:07.179845
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import beleg.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cash_registers",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("register_group", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("allow_past_income", sa.Boolean(), nullable=False),
        sa.Column("enable_drawback", sa.Boolean(), nullable=False),
        sa.Column("default_register", sa.Boolean(), nullable=False),
        sa.Column("bank_account_id", sa.Uuid(), nullable=True),
        sa.Column("cash_account", sa.String(length=10), nullable=True),
        sa.Column("balance", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("turnover_cents", sa.BigInteger(), nullable=False),
        sa.Column("last_jws", sa.Text(), nullable=True),
        sa.Column("last_receipt_at", sa.DateTime(), nullable=True),
        sa.Column("key_id", sa.String(length=40), nullable=True),
        sa.Column(
            "layout",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "bank_account_id"],
            ["bank_accounts.tenant_id", "bank_accounts.id"],
            name=op.f("fk_cash_registers_tenant_id_bank_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_cash_registers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "number", name=op.f("pk_cash_registers")),
    )
    op.create_table(
        "cash_daily_closings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("register_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column(
            "opening_balance", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False
        ),
        sa.Column(
            "closing_balance", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False
        ),
        sa.Column("income_count", sa.Integer(), nullable=False),
        sa.Column("rebook_count", sa.Integer(), nullable=False),
        sa.Column("other_count", sa.Integer(), nullable=False),
        sa.Column("monthly", sa.Boolean(), nullable=False),
        sa.Column("yearly", sa.Boolean(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "register_no"],
            ["cash_registers.tenant_id", "cash_registers.number"],
            name=op.f("fk_cash_daily_closings_tenant_id_cash_registers"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "register_no", "day", name=op.f("pk_cash_daily_closings")
        ),
    )
    op.create_table(
        "cash_receipts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("register_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("receipt_type", sa.String(length=10), nullable=False),
        sa.Column("series", sa.String(length=1), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("date_time", sa.DateTime(), nullable=False),
        sa.Column("closing_day", sa.Date(), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("total", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column(
            "lines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "party",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("from_account", sa.String(length=10), nullable=True),
        sa.Column("to_account", sa.String(length=10), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("cancels", sa.String(length=20), nullable=True),
        sa.Column("cancelled_by", sa.String(length=20), nullable=True),
        sa.Column("jws", sa.Text(), nullable=True),
        sa.Column("qr_code", sa.Text(), nullable=True),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "register_no"],
            ["cash_registers.tenant_id", "cash_registers.number"],
            name=op.f("fk_cash_receipts_tenant_id_cash_registers"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "register_no", "number", name=op.f("pk_cash_receipts")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "register_no",
            "position",
            name=op.f("uq_cash_receipts_tenant_id_register_no_position"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "register_no",
            "series",
            "year",
            "sequence",
            name=op.f("uq_cash_receipts_tenant_id_register_no_series_year_sequence"),
        ),
    )
    with op.batch_alter_table("cash_receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cash_receipts_day", ["tenant_id", "register_no", "closing_day"], unique=False
        )

    op.create_table(
        "cash_register_keys",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("register_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_pem", sa.Text(), nullable=False),
        sa.Column("aes_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "register_no"],
            ["cash_registers.tenant_id", "cash_registers.number"],
            name=op.f("fk_cash_register_keys_tenant_id_cash_registers"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "register_no", name=op.f("pk_cash_register_keys")),
    )
    with op.batch_alter_table("sales_document_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cash_register_no", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("receipt_no", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("receipt_qr", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sales_document_history", schema=None) as batch_op:
        batch_op.drop_column("receipt_qr")
        batch_op.drop_column("receipt_no")
        batch_op.drop_column("cash_register_no")

    op.drop_table("cash_register_keys")
    with op.batch_alter_table("cash_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_cash_receipts_day")

    op.drop_table("cash_receipts")
    op.drop_table("cash_daily_closings")
    op.drop_table("cash_registers")
