"""Receipt mails and notifications (accounting API issue, item 3): a mail may point at the
cash receipt it carries, so the worker attaches the receipt's PDF at send time and a receipt
reads whether its mail went out (``customerMailSent``); ``notifications`` are the per-user
system notices that ``POST /api/1.1/notifications`` hands out once.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("message", sa.String(length=100), nullable=False),
        sa.Column("params", beleg.db.types.JsonDocument, nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.Column("read_at", beleg.db.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_notifications_tenant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_unread", ["tenant_id", "user_id", "read_at"], unique=False
        )
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
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_unread")
    op.drop_table("notifications")
