"""The e-invoices of issued documents (``document_einvoices``): one per document, in its
customer's format, with its workflow state (CREATED, VALIDATED, ERROR, IGNORED), the problems
that put it in ERROR and the validated XML (ADR 0020).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_einvoices",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("problems", beleg.db.types.JsonDocument, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
        ),
        sa.PrimaryKeyConstraint("tenant_id", "document_id"),
    )


def downgrade() -> None:
    op.drop_table("document_einvoices")
