"""Bank statement import (ADR 0022): a header records whether the API (or a stream) or an
imported file created it, so a stream keeps appending to its own header.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=10), server_default="API", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("bank_statements", schema=None) as batch_op:
        batch_op.drop_column("source")
