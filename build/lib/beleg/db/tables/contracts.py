"""Contracts (spec/billing-api.md "Contract"; seeds 001/002): the frame data copied from the
plan when the contract is made (interval, timing, terms, currency), the subscription item
versions, service-cycle changes, pauses and the documents filed with a contract.

An item *version* is what a contract item costs from ``served_from`` to ``served_to``: a plan
change ends the running versions the day before it and adds the new ones, so the charge
calculation sees the whole history (``domain/billing/schedule.ChargeItem``). Special prices are
stored as the price model's JSON (the same shape as a plan item's ``price``).
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from beleg.db.tables.base import metadata
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

QUANTITY_SCALE = 6

contracts = Table(
    "contracts",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("contract_number", String(50), nullable=False),
    Column("customer_id", Uuid, nullable=False),
    Column("plan_code", String(50), nullable=False),
    Column("status", String(12), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),  # last day of service once terminated
    Column("termination_type", String(13), nullable=True),
    Column("terminated_on", Date, nullable=True),
    Column("interval_unit", String(5), nullable=False),
    Column("interval_count", Integer, nullable=False),
    Column("billing_timing", String(10), nullable=False),
    Column("minimum_unit", String(5), nullable=False),
    Column("minimum_count", Integer, nullable=False),
    Column("renewal_unit", String(5), nullable=False),
    Column("renewal_count", Integer, nullable=False),
    Column("notice_unit", String(5), nullable=False),
    Column("notice_count", Integer, nullable=False),
    Column("trial_unit", String(5), nullable=True),  # the plan's TRIAL phase
    Column("trial_count", Integer, nullable=True),
    Column("pricing_group", String(50), nullable=True),
    Column("billing_group", String(50), nullable=True),
    Column("invoice_recipient_email", String(254), nullable=True),
    Column("internal_identifier", String(100), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "contract_number", name="uq_contracts_number"),
    ForeignKeyConstraint(["tenant_id", "customer_id"], ["contacts.tenant_id", "contacts.id"]),
    # a plan that a contract uses cannot be deleted (the catalogue answers 409)
    ForeignKeyConstraint(["tenant_id", "plan_code"], ["plans.tenant_id", "plans.code"]),
    Index("ix_contracts_customer", "tenant_id", "customer_id"),
)

contract_items = Table(
    "contract_items",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),  # one version of an item
    Column("contract_id", Uuid, nullable=False),
    Column("item_key", Uuid, nullable=False),  # the item across its versions
    Column("plan_code", String(50), nullable=False),  # the plan that prices this version
    Column("option_code", String(50), nullable=False),
    Column("quantity", ExactDecimal(QUANTITY_SCALE), nullable=False),
    Column("special_price", JsonDocument, nullable=True),
    Column("discount_percent", ExactDecimal(4), nullable=False),
    Column("tax_exemption", JsonDocument, nullable=True),
    Column("additional_text", Text, nullable=True),
    Column("status", String(10), nullable=False),  # ACTIVE / ON_HOLD
    Column("served_from", Date, nullable=False),
    Column("served_to", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "contract_id"], ["contracts.tenant_id", "contracts.id"]),
    ForeignKeyConstraint(["tenant_id", "plan_code"], ["plans.tenant_id", "plans.code"]),
    Index("ix_contract_items_contract", "tenant_id", "contract_id"),
)

contract_realignments = Table(
    "contract_realignments",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("contract_id", Uuid, primary_key=True),
    Column("next_period_start", Date, primary_key=True),
    Column("invoice_text", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "contract_id"], ["contracts.tenant_id", "contracts.id"]),
)

contract_pauses = Table(
    "contract_pauses",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("contract_id", Uuid, primary_key=True),
    Column("paused_from", Date, primary_key=True),
    Column("paused_to", Date, nullable=True),  # open until resumed
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "contract_id"], ["contracts.tenant_id", "contracts.id"]),
)

contract_documents = Table(
    "contract_documents",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("contract_id", Uuid, nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("media_type", String(50), nullable=False),  # as read from the content
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("send_by_mail", Boolean, nullable=False),  # attached to the contract's invoice mails
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "contract_id"], ["contracts.tenant_id", "contracts.id"]),
    Index("ix_contract_documents_contract", "tenant_id", "contract_id"),
)
