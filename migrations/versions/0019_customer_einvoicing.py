"""Customers' e-invoicing parameters: ``contacts.e_invoicing`` (JSON: format, buyer
reference, electronic address and its scheme; NULL: none given), which e-invoices of the
customer's documents read (BT-10, BT-49).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("e_invoicing", beleg.db.types.JsonDocument, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("e_invoicing")
