"""Usage events and the property an option's UNIQUE_COUNT counts (usage issue, ADR 0016).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 18:31:28.334448
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import beleg.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "usage_events",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("option_code", sa.String(length=50), nullable=False),
        sa.Column("quantity", beleg.db.types.ExactDecimal(scale=6, precision=18), nullable=False),
        sa.Column("occurred_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", beleg.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "properties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("received_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", beleg.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_usage_events")),
        sa.UniqueConstraint("tenant_id", "event_id", name="uq_usage_events_event_id"),
    )
    with op.batch_alter_table("usage_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_usage_events_aggregation",
            ["tenant_id", "contract_id", "option_code", "occurred_at"],
            unique=False,
        )

    with op.batch_alter_table("catalog_options", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aggregation_property", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalog_options", schema=None) as batch_op:
        batch_op.drop_column("aggregation_property")

    with op.batch_alter_table("usage_events", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_events_aggregation")

    op.drop_table("usage_events")
