"""The catalogue of the billing API: options (one-time, recurring, usage, time-based usage;
tax rate or class, tax exemption), plans with terms, phases and pricing groups, their items and
every price version of an item (subscriptions issue, item 2).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:16:52.562673
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import beleg.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_options",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("aggregation", sa.String(length=20), nullable=True),
        sa.Column("tax_rate", beleg.db.types.ExactDecimal(scale=2, precision=18), nullable=True),
        sa.Column("tax_class", sa.String(length=20), nullable=True),
        sa.Column("exemption_category", sa.String(length=2), nullable=True),
        sa.Column("exemption_reason", sa.String(length=500), nullable=True),
        sa.Column("vatex_code", sa.String(length=30), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_catalog_options_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_catalog_options")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_catalog_options_code"),
    )
    op.create_table(
        "plans",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("billing_unit", sa.String(length=10), nullable=False),
        sa.Column("billing_count", sa.Integer(), nullable=False),
        sa.Column("billing_timing", sa.String(length=20), nullable=False),
        sa.Column("minimum_unit", sa.String(length=10), nullable=False),
        sa.Column("minimum_count", sa.Integer(), nullable=False),
        sa.Column("renewal_unit", sa.String(length=10), nullable=False),
        sa.Column("renewal_count", sa.Integer(), nullable=False),
        sa.Column("notice_unit", sa.String(length=10), nullable=False),
        sa.Column("notice_count", sa.Integer(), nullable=False),
        sa.Column(
            "phases",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "pricing_groups",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_plans_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plans")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_plans_code"),
    )
    op.create_table(
        "plan_items",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("option_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("quantity", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=True),
        sa.Column("free_quota", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "option_id"],
            ["catalog_options.tenant_id", "catalog_options.id"],
            name=op.f("fk_plan_items_tenant_id_catalog_options"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"],
            ["plans.tenant_id", "plans.id"],
            name=op.f("fk_plan_items_tenant_id_plans"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "plan_id", "option_id", name=op.f("pk_plan_items")),
    )
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.create_index("ix_plan_items_option", ["tenant_id", "option_id"], unique=False)

    op.create_table(
        "plan_price_versions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("option_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column(
            "price",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id", "option_id"],
            ["plan_items.tenant_id", "plan_items.plan_id", "plan_items.option_id"],
            name=op.f("fk_plan_price_versions_tenant_id_plan_items"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "plan_id", "option_id", "valid_from", name=op.f("pk_plan_price_versions")
        ),
    )


def downgrade() -> None:
    op.drop_table("plan_price_versions")
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_items_option")

    op.drop_table("plan_items")
    op.drop_table("plans")
    op.drop_table("catalog_options")
