"""Sales documents, items, invoicing setup, document numbering and the outbox (issue 5).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 23:36:01.332262
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import beleg.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.Column("suffix", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("reset", sa.String(length=10), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("affix_source", sa.String(length=10), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_document_counters_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "document_templates",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=True),
        sa.Column("interval_type", sa.String(length=5), nullable=True),
        sa.Column("next_invoice_date", sa.Date(), nullable=True),
        sa.Column("anchor_date", sa.Date(), nullable=True),
        sa.Column("issued_count", sa.Integer(), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_document_templates_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_document_templates")),
    )
    with op.batch_alter_table("document_templates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_document_templates_next", ["tenant_id", "next_invoice_date"], unique=False
        )

    op.create_table(
        "item_categories",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("unit_of_measure", sa.String(length=20), nullable=True),
        sa.Column("account", sa.String(length=10), nullable=True),
        sa.Column("tax_class_entry", sa.String(length=3), nullable=True),
        sa.Column("color", sa.String(length=6), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_item_categories_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_item_categories")),
    )
    op.create_table(
        "layout_setups",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("default_setup", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column(
            "texts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column(
            "address_lines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("vat_id", sa.String(length=20), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("bank_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_layout_setups_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_layout_setups")),
    )
    with op.batch_alter_table("layout_setups", schema=None) as batch_op:
        batch_op.create_index(
            "uq_layout_setups_default",
            ["tenant_id"],
            unique=True,
            sqlite_where=sa.text("default_setup"),
            postgresql_where=sa.text("default_setup"),
        )

    op.create_table(
        "number_strategies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.Column("suffix", sa.String(length=40), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_number_strategies_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "doc_type", name=op.f("pk_number_strategies")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", beleg.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_at", beleg.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_outbox_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["done_at", "created_at"], unique=False)

    op.create_table(
        "payment_terms",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("dunning_days", sa.Integer(), nullable=False),
        sa.Column("default_term", sa.Boolean(), nullable=False),
        sa.Column("fixed_due_date", sa.Boolean(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_payment_terms_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payment_terms")),
    )
    with op.batch_alter_table("payment_terms", schema=None) as batch_op:
        batch_op.create_index(
            "uq_payment_terms_default",
            ["tenant_id"],
            unique=True,
            sqlite_where=sa.text("default_term"),
            postgresql_where=sa.text("default_term"),
        )

    op.create_table(
        "sales_documents",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=True),
        sa.Column("type_code", sa.String(length=3), nullable=False),
        sa.Column("sign", sa.Integer(), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("dunning_date", sa.Date(), nullable=True),
        sa.Column("paid_date", sa.Date(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("customer_name", sa.String(length=300), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "currency_rate", beleg.db.types.ExactDecimal(scale=8, precision=20), nullable=False
        ),
        sa.Column("net", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("tax", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("total", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("remaining", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("payment_term_id", sa.Uuid(), nullable=True),
        sa.Column("layout_setup_id", sa.Uuid(), nullable=True),
        sa.Column("sequence_group_id", sa.Uuid(), nullable=True),
        sa.Column("unpaid_account", sa.String(length=10), nullable=True),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("completion_state", sa.String(length=20), nullable=True),
        sa.Column("completion_date", sa.Date(), nullable=True),
        sa.Column("cancelled_date", sa.Date(), nullable=True),
        sa.Column("related_id", sa.Uuid(), nullable=True),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("deposit_settled_by", sa.Uuid(), nullable=True),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sales_documents_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sales_documents")),
        sa.UniqueConstraint(
            "tenant_id",
            "doc_type",
            "number",
            name=op.f("uq_sales_documents_tenant_id_doc_type_number"),
        ),
    )
    with op.batch_alter_table("sales_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sales_documents_updated", ["tenant_id", "doc_type", "updated_at"], unique=False
        )

    op.create_table(
        "sequence_groups",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("base", sa.String(length=10), nullable=False),
        sa.Column("default_group", sa.Boolean(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sequence_groups_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sequence_groups")),
    )
    with op.batch_alter_table("sequence_groups", schema=None) as batch_op:
        batch_op.create_index(
            "uq_sequence_groups_default",
            ["tenant_id"],
            unique=True,
            sqlite_where=sa.text("default_group"),
            postgresql_where=sa.text("default_group"),
        )

    op.create_table(
        "document_counter_values",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("counter_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "counter_id"],
            ["document_counters.tenant_id", "document_counters.id"],
            name=op.f("fk_document_counter_values_tenant_id_document_counters"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "counter_id", "period", name=op.f("pk_document_counter_values")
        ),
    )
    op.create_table(
        "dunning_levels",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("internal_name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("document_subject", sa.String(length=200), nullable=False),
        sa.Column("fixed_fee", beleg.db.types.ExactDecimal(scale=2, precision=18), nullable=False),
        sa.Column(
            "fee_percentage", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False
        ),
        sa.Column("dunning_days", sa.Integer(), nullable=False),
        sa.Column("previous_level_id", sa.Uuid(), nullable=True),
        sa.Column("line_text", sa.Text(), nullable=False),
        sa.Column("end_text", sa.Text(), nullable=False),
        sa.Column("account", sa.String(length=10), nullable=False),
        sa.Column("tax_class_entry", sa.String(length=3), nullable=False),
        sa.Column("default_flag", sa.Boolean(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account"],
            ["ledger_accounts.tenant_id", "ledger_accounts.code"],
            name=op.f("fk_dunning_levels_tenant_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "previous_level_id"],
            ["dunning_levels.tenant_id", "dunning_levels.id"],
            name=op.f("fk_dunning_levels_tenant_id_dunning_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_dunning_levels_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dunning_levels")),
    )
    op.create_table(
        "items",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("unit_of_measure", sa.String(length=20), nullable=True),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_formatted", sa.Text(), nullable=True),
        sa.Column(
            "selling_price", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=False
        ),
        sa.Column("amount_type", sa.String(length=1), nullable=False),
        sa.Column("weight", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=True),
        sa.Column("size", sa.String(length=100), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "purchase_price", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=True
        ),
        sa.Column("margin", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=True),
        sa.Column("margin_mode", sa.String(length=16), nullable=False),
        sa.Column(
            "additional_charge", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=True
        ),
        sa.Column("additional_charge_mode", sa.String(length=16), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=True),
        sa.Column(
            "calculated_net_price",
            beleg.db.types.ExactDecimal(scale=5, precision=18),
            nullable=True,
        ),
        sa.Column("item_category_id", sa.Uuid(), nullable=True),
        sa.Column("bar_code", sa.String(length=100), nullable=True),
        sa.Column("supplier_order_number", sa.String(length=100), nullable=True),
        sa.Column("add_info1", sa.String(length=500), nullable=True),
        sa.Column("add_info2", sa.String(length=500), nullable=True),
        sa.Column("add_info3", sa.String(length=500), nullable=True),
        sa.Column("account", sa.String(length=10), nullable=False),
        sa.Column("tax_class_entry", sa.String(length=3), nullable=False),
        sa.Column("color", sa.String(length=6), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "item_category_id"],
            ["item_categories.tenant_id", "item_categories.id"],
            name=op.f("fk_items_tenant_id_item_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_items_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_items")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index("ix_items_category", ["tenant_id", "item_category_id"], unique=False)
        batch_op.create_index("ix_items_name", ["tenant_id", "name_folded"], unique=False)
        batch_op.create_index("ix_items_number", ["tenant_id", "number"], unique=False)

    op.create_table(
        "number_rules",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("customer_type", sa.String(length=10), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("billing_group", sa.String(length=100), nullable=True),
        sa.Column("operating_site", sa.String(length=100), nullable=True),
        sa.Column("counter_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "counter_id"],
            ["document_counters.tenant_id", "document_counters.id"],
            name=op.f("fk_number_rules_tenant_id_document_counters"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_number_rules")),
    )
    with op.batch_alter_table("number_rules", schema=None) as batch_op:
        batch_op.create_index("ix_number_rules_doc_type", ["tenant_id", "doc_type"], unique=False)

    op.create_table(
        "sales_document_files",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column(
            "layout",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("rendered_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["sales_documents.tenant_id", "sales_documents.id"],
            name=op.f("fk_sales_document_files_tenant_id_sales_documents"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "document_id", "kind", name=op.f("pk_sales_document_files")
        ),
    )
    op.create_table(
        "sales_document_history",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entry_type", sa.String(length=40), nullable=False),
        sa.Column("is_payment", sa.Boolean(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("amount", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("paying_account", sa.String(length=10), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("cancels", sa.Uuid(), nullable=True),
        sa.Column("cancellation_of_payment", sa.Boolean(), nullable=True),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("counterpart_id", sa.Uuid(), nullable=True),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["sales_documents.tenant_id", "sales_documents.id"],
            name=op.f("fk_sales_document_history_tenant_id_sales_documents"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sales_document_history")),
        sa.UniqueConstraint(
            "tenant_id", "cancels", name=op.f("uq_sales_document_history_tenant_id_cancels")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "document_id",
            "position",
            name=op.f("uq_sales_document_history_tenant_id_document_id_position"),
        ),
    )
    op.create_table(
        "sales_document_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("line_type", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("quantity", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=False),
        sa.Column("item_price", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=True),
        sa.Column("item_price_type", sa.String(length=1), nullable=True),
        sa.Column("discount", beleg.db.types.ExactDecimal(scale=5, precision=18), nullable=False),
        sa.Column("discount_mode", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=10), nullable=True),
        sa.Column("tax_entry", sa.String(length=3), nullable=True),
        sa.Column("tax_rate", beleg.db.types.ExactDecimal(scale=4, precision=10), nullable=False),
        sa.Column("net", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("tax", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("total", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column("remaining", beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["sales_documents.tenant_id", "sales_documents.id"],
            name=op.f("fk_sales_document_lines_tenant_id_sales_documents"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "document_id", "line_no", name=op.f("pk_sales_document_lines")
        ),
    )
    op.create_table(
        "sequence_group_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("counter_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "counter_id"],
            ["document_counters.tenant_id", "document_counters.id"],
            name=op.f("fk_sequence_group_counters_tenant_id_document_counters"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "group_id"],
            ["sequence_groups.tenant_id", "sequence_groups.id"],
            name=op.f("fk_sequence_group_counters_tenant_id_sequence_groups"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "group_id", "doc_type", name=op.f("pk_sequence_group_counters")
        ),
    )


def downgrade() -> None:
    op.drop_table("sequence_group_counters")
    op.drop_table("sales_document_lines")
    op.drop_table("sales_document_history")
    op.drop_table("sales_document_files")
    with op.batch_alter_table("number_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_number_rules_doc_type")

    op.drop_table("number_rules")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_number")
        batch_op.drop_index("ix_items_name")
        batch_op.drop_index("ix_items_category")

    op.drop_table("items")
    op.drop_table("dunning_levels")
    op.drop_table("document_counter_values")
    with op.batch_alter_table("sequence_groups", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_sequence_groups_default",
            sqlite_where=sa.text("default_group"),
            postgresql_where=sa.text("default_group"),
        )

    op.drop_table("sequence_groups")
    with op.batch_alter_table("sales_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_documents_updated")

    op.drop_table("sales_documents")
    with op.batch_alter_table("payment_terms", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payment_terms_default",
            sqlite_where=sa.text("default_term"),
            postgresql_where=sa.text("default_term"),
        )

    op.drop_table("payment_terms")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")

    op.drop_table("outbox_events")
    op.drop_table("number_strategies")
    with op.batch_alter_table("layout_setups", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_layout_setups_default",
            sqlite_where=sa.text("default_setup"),
            postgresql_where=sa.text("default_setup"),
        )

    op.drop_table("layout_setups")
    op.drop_table("item_categories")
    with op.batch_alter_table("document_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_document_templates_next")

    op.drop_table("document_templates")
    op.drop_table("document_counters")
