"""SEPA direct debit (receivables issue, item 2): mandates per customer payment account and
direct-debit batches whose items collect each invoice at most once.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 02:36:20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "direct_debit_batches",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("creditor_id", sa.String(length=35), nullable=False),
        sa.Column("creditor_name", sa.String(length=200), nullable=False),
        sa.Column("creditor_iban", sa.String(length=34), nullable=False),
        sa.Column("creditor_bic", sa.String(length=11), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("total", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_direct_debit_batches")),
    )
    op.create_table(
        "sepa_mandates",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("payment_account_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("mandate_type", sa.String(length=4), nullable=False),
        sa.Column("one_off", sa.Boolean(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("account_holder", sa.String(length=200), nullable=False),
        sa.Column("collections", sa.Integer(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["contacts.tenant_id", "contacts.id"],
            name=op.f("fk_sepa_mandates_tenant_id_contacts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sepa_mandates")),
        sa.UniqueConstraint(
            "tenant_id", "reference", name=op.f("uq_sepa_mandates_tenant_id_reference")
        ),
    )
    with op.batch_alter_table("sepa_mandates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sepa_mandates_customer", ["tenant_id", "customer_id"], unique=False
        )

    op.create_table(
        "direct_debit_items",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("mandate_id", sa.Uuid(), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("sequence_type", sa.String(length=4), nullable=False),
        sa.Column("instrument", sa.String(length=4), nullable=False),
        sa.Column("collection_date", sa.Date(), nullable=False),
        sa.Column("debtor_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "batch_id"],
            ["direct_debit_batches.tenant_id", "direct_debit_batches.id"],
            name=op.f("fk_direct_debit_items_tenant_id_direct_debit_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["sales_documents.tenant_id", "sales_documents.id"],
            name=op.f("fk_direct_debit_items_tenant_id_sales_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "mandate_id"],
            ["sepa_mandates.tenant_id", "sepa_mandates.id"],
            name=op.f("fk_direct_debit_items_tenant_id_sepa_mandates"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "batch_id", "line_no", name=op.f("pk_direct_debit_items")
        ),
        sa.UniqueConstraint(
            "tenant_id", "document_id", name=op.f("uq_direct_debit_items_tenant_id_document_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("direct_debit_items")
    with op.batch_alter_table("sepa_mandates", schema=None) as batch_op:
        batch_op.drop_index("ix_sepa_mandates_customer")

    op.drop_table("sepa_mandates")
    op.drop_table("direct_debit_batches")
