"""The catalogue of the billing API: options and plans with their items and price versions
(spec/billing-api.md, "Option", "Plan").

An option's ``code`` (its item number) and a plan's ``code`` are unique per tenant. A plan's
phases and pricing groups are small documents read and written with the plan (JSON, decimals
as strings); its items are rows referring to their option, and every price an item ever had is
a row of ``plan_price_versions``, effective from ``valid_from`` until the next one, its model a
JSON document in the API's shape (``{"model": "FLAT", "amount": "29.00"}``).
"""

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from beleg.db.tables.base import metadata
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

QUANTITY_SCALE = 5  # quantities and free quotas: 10 integer and 5 fractional digits

catalog_options = Table(
    "catalog_options",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("code", String(50), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # OptionKind
    Column("unit", String(20), nullable=True),
    Column("aggregation", String(20), nullable=True),  # usage options only
    Column("aggregation_property", String(50), nullable=True),  # UNIQUE_COUNT only
    Column("tax_rate", ExactDecimal(2), nullable=True),  # percent
    Column("tax_class", String(20), nullable=True),
    Column("exemption_category", String(2), nullable=True),  # UNCL5305
    Column("exemption_reason", String(500), nullable=True),
    Column("vatex_code", String(30), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "code", name="uq_catalog_options_code"),
)

plans = Table(
    "plans",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("code", String(50), nullable=False),
    Column("name", String(200), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("billing_unit", String(10), nullable=False),
    Column("billing_count", Integer, nullable=False),
    Column("billing_timing", String(20), nullable=False),
    Column("minimum_unit", String(10), nullable=False),
    Column("minimum_count", Integer, nullable=False),
    Column("renewal_unit", String(10), nullable=False),
    Column("renewal_count", Integer, nullable=False),
    Column("notice_unit", String(10), nullable=False),
    Column("notice_count", Integer, nullable=False),
    Column("phases", JsonDocument, nullable=False),
    Column("pricing_groups", JsonDocument, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "code", name="uq_plans_code"),
)

plan_items = Table(
    "plan_items",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("plan_id", Uuid, primary_key=True),
    Column("option_id", Uuid, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("quantity", ExactDecimal(QUANTITY_SCALE), nullable=True),
    Column("free_quota", ExactDecimal(QUANTITY_SCALE), nullable=True),
    ForeignKeyConstraint(["tenant_id", "plan_id"], ["plans.tenant_id", "plans.id"]),
    ForeignKeyConstraint(
        ["tenant_id", "option_id"], ["catalog_options.tenant_id", "catalog_options.id"]
    ),
    Index("ix_plan_items_option", "tenant_id", "option_id"),
)

plan_price_versions = Table(
    "plan_price_versions",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("plan_id", Uuid, primary_key=True),
    Column("option_id", Uuid, primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("price", JsonDocument, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "plan_id", "option_id"],
        ["plan_items.tenant_id", "plan_items.plan_id", "plan_items.option_id"],
    ),
)
