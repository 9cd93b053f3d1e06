"""Customers and suppliers (seed 003 MasterDataCustomer/MasterDataSupplier) and the
additional addresses of customers. The seed's ~50 contact fields are kept as one JSON
document; what queries and rules need (number, display name, contra account) has columns."""

from sqlalchemy import Boolean, Column, ForeignKey, ForeignKeyConstraint, Index, String, Table, Uuid

from beleg.db.tables.base import metadata
from beleg.db.types import JsonDocument, UtcDateTime

contacts = Table(
    "contacts",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("kind", String(8), nullable=False),  # CUSTOMER / SUPPLIER
    Column("number", String(50), nullable=True),  # customerNumber / supplierNumber
    Column("display_name", String(300), nullable=False),
    Column("contra_account", String(10), nullable=True),  # DE personal unpaid account
    Column("fields", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_contacts_number", "tenant_id", "kind", "number"),
)

contact_addresses = Table(
    "contact_addresses",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("contact_id", Uuid, nullable=False),
    Column("address_type", String(40), nullable=False),
    Column("is_default", Boolean, nullable=False),  # the default for its address type
    Column("fields", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"]),
)
