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
    # Customers only (NULL for suppliers): what /v2 adds to the seed's fields.
    Column("customer_type", String(3), nullable=True),  # B2B / B2C, stored, never guessed
    Column("vat_id", String(20), nullable=True),  # compact, checked for the country
    Column("currency", String(3), nullable=True),  # NULL: the tenant's currency
    Column("payment_method", String(20), nullable=True),
    Column("shipping_address", JsonDocument, nullable=True),
    Column("e_invoicing", JsonDocument, nullable=True),  # format, buyer reference, address
    # A number belongs to one contact of its kind per tenant (NULLs are distinct).
    Index("ux_contacts_number", "tenant_id", "kind", "number", unique=True),
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

customer_payment_accounts = Table(
    "customer_payment_accounts",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("contact_id", Uuid, nullable=False),
    Column("iban", String(34), nullable=False),
    Column("bic", String(11), nullable=True),
    Column("account_holder", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"]),
    Index("ix_customer_payment_accounts_contact", "tenant_id", "contact_id"),
)
