"""Receipt mails (accounting API issue, item 3): a mail may point at the cash receipt it
carries, so the worker attaches the receipt's PDF at send time and a receipt reads whether its
mail went out (``customerMailSent``).

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_register_no", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("receipt_number", sa.String(length=20), nullable=True))
        batch_op.create_index(
            "ix_mails_receipt",
            ["tenant_id", "receipt_register_no", "receipt_number"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("mails", schema=None) as batch_op:
        batch_op.drop_index("ix_mails_receipt")
        batch_op.drop_column("receipt_number")
        batch_op.drop_column("receipt_register_no")
