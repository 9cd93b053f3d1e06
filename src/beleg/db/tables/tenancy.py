"""Tenants (Mandanten) and their test clocks."""

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Uuid

from beleg.db.tables.base import metadata
from beleg.db.types import UtcDateTime

tenants = Table(
    "tenants",
    metadata,
    Column("id", Uuid, primary_key=True),
    # The 4-digit client number (seed 003's "cid" of the JWT bearer grant).
    Column("number", Integer, nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("accounting_mode", String(2), nullable=False),
    Column("chart_of_accounts", String(20), nullable=False),  # AT-EKR, SKR03, SKR04
    # Bookings dated on or before this day are refused (closed months/years).
    Column("books_closed_until", Date, nullable=True),
    Column("currency", String(3), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("locale", String(10), nullable=False),
    Column("test_mode", Boolean, nullable=False),
    Column("is_platform", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

tenant_clocks = Table(
    "tenant_clocks",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("frozen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The tenant's company as the seller of its documents (domain/tenancy/company.py CompanyData):
# one row per tenant once it has been filled in; lengths as domain/tenancy/company_rules.py.
tenant_companies = Table(
    "tenant_companies",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("legal_name", String(200), nullable=True),
    Column("trading_name", String(200), nullable=True),
    Column("street", String(200), nullable=True),
    Column("additional_street", String(200), nullable=True),
    Column("postcode", String(20), nullable=True),
    Column("city", String(100), nullable=True),
    Column("country", String(2), nullable=True),
    Column("vat_id", String(20), nullable=True),
    Column("tax_number", String(30), nullable=True),
    Column("registration_id", String(200), nullable=True),
    Column("contact_name", String(200), nullable=True),
    Column("contact_phone", String(50), nullable=True),
    Column("contact_email", String(254), nullable=True),
    Column("electronic_address", String(254), nullable=True),
    Column("electronic_address_scheme", String(4), nullable=True),
    Column("iban", String(34), nullable=True),
    Column("bic", String(11), nullable=True),
    Column("account_holder", String(200), nullable=True),
    Column("creditor_id", String(35), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)
