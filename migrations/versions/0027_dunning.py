"""Dunning runs (receivables issue, item 6; ADR 0027): settings, runs, numbered notices, the
items they dun (unique per document and level) and blocks per customer or document.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 19:40:31.721025
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dunning_blocks",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_dunning_blocks_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "subject", "subject_id", name=op.f("pk_dunning_blocks")
        ),
    )
    op.create_table(
        "dunning_runs",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("notice_count", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_dunning_runs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dunning_runs")),
    )
    op.create_table(
        "dunning_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("include_deposit_invoices", sa.Boolean(), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_dunning_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_dunning_settings")),
    )
    op.create_table(
        "dunning_notices",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("notice_date", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("customer_name", sa.String(length=300), nullable=True),
        sa.Column("level_id", sa.Uuid(), nullable=False),
        sa.Column("level_no", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("dunned", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("fee", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column(
            "fee_remaining", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False
        ),
        sa.Column("unpaid_account", sa.String(length=10), nullable=True),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("line_text", sa.Text(), nullable=False),
        sa.Column("end_text", sa.Text(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "run_id"],
            ["dunning_runs.tenant_id", "dunning_runs.id"],
            name=op.f("fk_dunning_notices_tenant_id_dunning_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_dunning_notices_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dunning_notices")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_dunning_notices_tenant_id_number")
        ),
    )
    with op.batch_alter_table("dunning_notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dunning_notices_customer", ["tenant_id", "customer_id", "notice_date"], unique=False
        )

    op.create_table(
        "dunning_notice_items",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("notice_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("level_no", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("remaining", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["sales_documents.tenant_id", "sales_documents.id"],
            name=op.f("fk_dunning_notice_items_tenant_id_sales_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "notice_id"],
            ["dunning_notices.tenant_id", "dunning_notices.id"],
            name=op.f("fk_dunning_notice_items_tenant_id_dunning_notices"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "notice_id", "document_id", name=op.f("pk_dunning_notice_items")
        ),
        sa.UniqueConstraint("tenant_id", "document_id", "level_no", name="uq_dunning_item_level"),
    )


def downgrade() -> None:
    op.drop_table("dunning_notice_items")
    with op.batch_alter_table("dunning_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_dunning_notices_customer")

    op.drop_table("dunning_notices")
    op.drop_table("dunning_settings")
    op.drop_table("dunning_runs")
    op.drop_table("dunning_blocks")
