"""Open items (receivables issue, item 1; ADR 0024): read from the documents and cash-based
invoices, with indexes for a customer's items and account view.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 19:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sales_documents_customer", ["tenant_id", "customer_id", "doc_date"], unique=False
        )
    with op.batch_alter_table("cb_invoices", schema=None) as batch_op:
        batch_op.create_index("ix_cb_invoices_partner", ["tenant_id", "partner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cb_invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_cb_invoices_partner")
    with op.batch_alter_table("sales_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_documents_customer")
