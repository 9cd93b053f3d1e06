"""Sales documents record where their VAT is rounded: PER_LINE (seed 003's worked examples,
every document so far) or PER_VAT_GROUP (EN 16931; billing runs and e-invoices) (issue 11).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales_documents") as batch:
        batch.add_column(
            sa.Column(
                "tax_rounding", sa.String(length=20), server_default="PER_LINE", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sales_documents") as batch:
        batch.drop_column("tax_rounding")
