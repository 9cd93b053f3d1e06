"""Bank reconciliation (receivables issue, item 4; ADR 0026): what each statement line paid,
one row per document, so a line is never assigned to one document twice.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_line_assignments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("on_account", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "statement_id", "line_no"],
            [
                "bank_statement_lines.tenant_id",
                "bank_statement_lines.statement_id",
                "bank_statement_lines.line_no",
            ],
            name=op.f("fk_bank_line_assignments_tenant_id_bank_statement_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["sales_documents.tenant_id", "sales_documents.id"],
            name=op.f("fk_bank_line_assignments_tenant_id_sales_documents"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "statement_id",
            "line_no",
            "document_id",
            name=op.f("pk_bank_line_assignments"),
        ),
    )
    with op.batch_alter_table("bank_line_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bank_line_assignments_document", ["tenant_id", "document_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bank_line_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_line_assignments_document")
    op.drop_table("bank_line_assignments")
