"""Every table of the platform, on one MetaData (Alembic's target)."""

from beleg.db.tables.audit import audit_entries, audit_heads
from beleg.db.tables.banking import bank_statement_lines, bank_statements
from beleg.db.tables.base import metadata
from beleg.db.tables.cash_invoicing import cb_bookings, cb_invoice_lines, cb_invoices
from beleg.db.tables.contacts import contact_addresses, contacts
from beleg.db.tables.http import idempotency_records
from beleg.db.tables.identity import (
    api_keys,
    login_failures,
    security_settings,
    user_totp,
    users,
)
from beleg.db.tables.ledger import (
    bank_accounts,
    ledger_accounts,
    ledger_counters,
    ledger_journals,
    ledger_postings,
    ledger_rebooks,
    ledger_tax_entries,
)
from beleg.db.tables.oauth import (
    oauth_apps,
    oauth_assertion_ids,
    oauth_codes,
    oauth_consents,
    oauth_pairings,
    oauth_refresh_tokens,
    oauth_signing_keys,
    web_sessions,
)
from beleg.db.tables.tenancy import tenant_clocks, tenants

__all__ = [
    "api_keys",
    "audit_entries",
    "audit_heads",
    "bank_accounts",
    "bank_statement_lines",
    "bank_statements",
    "cb_bookings",
    "cb_invoice_lines",
    "cb_invoices",
    "contact_addresses",
    "contacts",
    "idempotency_records",
    "ledger_accounts",
    "ledger_counters",
    "ledger_journals",
    "ledger_postings",
    "ledger_rebooks",
    "ledger_tax_entries",
    "login_failures",
    "metadata",
    "oauth_apps",
    "oauth_assertion_ids",
    "oauth_codes",
    "oauth_consents",
    "oauth_pairings",
    "oauth_refresh_tokens",
    "oauth_signing_keys",
    "security_settings",
    "tenant_clocks",
    "tenants",
    "user_totp",
    "users",
    "web_sessions",
]
