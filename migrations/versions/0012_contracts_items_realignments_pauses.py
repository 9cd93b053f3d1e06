"""Contracts, their item versions, service-cycle changes and pauses (subscriptions issue).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:16:35.628686
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import beleg.db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_number", sa.String(length=50), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("plan_code", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("termination_type", sa.String(length=13), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("interval_unit", sa.String(length=5), nullable=False),
        sa.Column("interval_count", sa.Integer(), nullable=False),
        sa.Column("billing_timing", sa.String(length=10), nullable=False),
        sa.Column("minimum_unit", sa.String(length=5), nullable=False),
        sa.Column("minimum_count", sa.Integer(), nullable=False),
        sa.Column("renewal_unit", sa.String(length=5), nullable=False),
        sa.Column("renewal_count", sa.Integer(), nullable=False),
        sa.Column("notice_unit", sa.String(length=5), nullable=False),
        sa.Column("notice_count", sa.Integer(), nullable=False),
        sa.Column("trial_unit", sa.String(length=5), nullable=True),
        sa.Column("trial_count", sa.Integer(), nullable=True),
        sa.Column("pricing_group", sa.String(length=50), nullable=True),
        sa.Column("billing_group", sa.String(length=50), nullable=True),
        sa.Column("invoice_recipient_email", sa.String(length=254), nullable=True),
        sa.Column("internal_identifier", sa.String(length=100), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["contacts.tenant_id", "contacts.id"],
            name=op.f("fk_contracts_tenant_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_contracts_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_code"],
            ["plans.tenant_id", "plans.code"],
            name=op.f("fk_contracts_tenant_id_plans"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("tenant_id", "contract_number", name="uq_contracts_number"),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index("ix_contracts_customer", ["tenant_id", "customer_id"], unique=False)

    op.create_table(
        "contract_items",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sa.Uuid(), nullable=False),
        sa.Column("plan_code", sa.String(length=50), nullable=False),
        sa.Column("option_code", sa.String(length=50), nullable=False),
        sa.Column("quantity", beleg.db.types.ExactDecimal(scale=6, precision=18), nullable=False),
        sa.Column(
            "special_price",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "discount_percent", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False
        ),
        sa.Column(
            "tax_exemption",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("additional_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("served_from", sa.Date(), nullable=False),
        sa.Column("served_to", sa.Date(), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contract_id"],
            ["contracts.tenant_id", "contracts.id"],
            name=op.f("fk_contract_items_tenant_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_code"],
            ["plans.tenant_id", "plans.code"],
            name=op.f("fk_contract_items_tenant_id_plans"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_contract_items")),
    )
    with op.batch_alter_table("contract_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contract_items_contract", ["tenant_id", "contract_id"], unique=False
        )

    op.create_table(
        "contract_pauses",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("paused_from", sa.Date(), nullable=False),
        sa.Column("paused_to", sa.Date(), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contract_id"],
            ["contracts.tenant_id", "contracts.id"],
            name=op.f("fk_contract_pauses_tenant_id_contracts"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "contract_id", "paused_from", name=op.f("pk_contract_pauses")
        ),
    )
    op.create_table(
        "contract_realignments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("next_period_start", sa.Date(), nullable=False),
        sa.Column("invoice_text", sa.Text(), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contract_id"],
            ["contracts.tenant_id", "contracts.id"],
            name=op.f("fk_contract_realignments_tenant_id_contracts"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "contract_id", "next_period_start", name=op.f("pk_contract_realignments")
        ),
    )
    op.create_table(
        "contract_documents",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("send_by_mail", sa.Boolean(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contract_id"],
            ["contracts.tenant_id", "contracts.id"],
            name=op.f("fk_contract_documents_tenant_id_contracts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_contract_documents")),
    )
    with op.batch_alter_table("contract_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contract_documents_contract", ["tenant_id", "contract_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contract_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_contract_documents_contract")

    op.drop_table("contract_documents")
    op.drop_table("contract_realignments")
    op.drop_table("contract_pauses")
    with op.batch_alter_table("contract_items", schema=None) as batch_op:
        batch_op.drop_index("ix_contract_items_contract")

    op.drop_table("contract_items")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index("ix_contracts_customer")

    op.drop_table("contracts")
