"""Delivery (ADR 0021): webhook endpoints, deliveries and their attempts; mails, mail
templates and the tenant's sender.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("sender_address", sa.String(length=320), nullable=True),
        sa.Column("sender_name", sa.String(length=200), nullable=True),
        sa.Column("reply_to", sa.String(length=320), nullable=True),
        sa.Column("invoice_mails", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_mail_settings")),
    )
    op.create_table(
        "mail_templates",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "language", name=op.f("pk_mail_templates")),
    )
    op.create_table(
        "mails",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("reply_to", sa.String(length=320), nullable=True),
        sa.Column("recipients", beleg.db.types.JsonDocument, nullable=False),
        sa.Column("cc", beleg.db.types.JsonDocument, nullable=True),
        sa.Column("bcc", beleg.db.types.JsonDocument, nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", beleg.db.types.UtcDateTime(), nullable=True),
        sa.Column("claimed_until", beleg.db.types.UtcDateTime(), nullable=True),
        sa.Column("first_attempt_at", beleg.db.types.UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("attachments", beleg.db.types.JsonDocument, nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.Column("sent_at", beleg.db.types.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mails")),
    )
    with op.batch_alter_table("mails", schema=None) as batch_op:
        batch_op.create_index("ix_mails_document", ["tenant_id", "document_id"], unique=False)
        batch_op.create_index("ix_mails_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "webhook_attempts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "delivery_id", "number", name=op.f("pk_webhook_attempts")
        ),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", beleg.db.types.UtcDateTime(), nullable=True),
        sa.Column("first_attempt_at", beleg.db.types.UtcDateTime(), nullable=True),
        sa.Column("claimed_until", beleg.db.types.UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.Column("delivered_at", beleg.db.types.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "tenant_id", "endpoint_id", "event_id", name="uq_webhook_deliveries_event"
        ),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_endpoint",
            ["tenant_id", "endpoint_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "webhook_endpoints",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("event_types", beleg.db.types.JsonDocument, nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_webhook_endpoints")),
    )


def downgrade() -> None:
    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_endpoint")
        batch_op.drop_index("ix_webhook_deliveries_due")

    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_attempts")
    with op.batch_alter_table("mails", schema=None) as batch_op:
        batch_op.drop_index("ix_mails_due")
        batch_op.drop_index("ix_mails_document")

    op.drop_table("mails")
    op.drop_table("mail_templates")
    op.drop_table("mail_settings")
