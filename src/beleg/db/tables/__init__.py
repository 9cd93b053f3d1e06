"""Every table of the platform, on one MetaData (Alembic's target)."""

from beleg.db.tables.accounting import cb_bookings, cb_invoice_lines, cb_invoices
from beleg.db.tables.audit import audit_entries, audit_heads
from beleg.db.tables.banking import (
    bank_line_assignments,
    bank_statement_lines,
    bank_statements,
    direct_debit_batches,
    direct_debit_items,
    sepa_mandates,
)
from beleg.db.tables.base import metadata
from beleg.db.tables.billing import (
    billed_lines,
    billing_groups,
    billing_run_chunks,
    billing_run_results,
    billing_runs,
    billing_settings,
)
from beleg.db.tables.catalog import item_categories, items
from beleg.db.tables.contacts import contact_addresses, contacts, customer_payment_accounts
from beleg.db.tables.contracts import (
    contract_documents,
    contract_items,
    contract_pauses,
    contract_realignments,
    contracts,
)
from beleg.db.tables.delivery import (
    mail_settings,
    mail_templates,
    mails,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)
from beleg.db.tables.documents import (
    document_einvoices,
    document_templates,
    outbox_events,
    sales_document_files,
    sales_document_history,
    sales_document_lines,
    sales_documents,
)
from beleg.db.tables.dunning import (
    dunning_blocks,
    dunning_notice_items,
    dunning_notices,
    dunning_runs,
    dunning_settings,
)
from beleg.db.tables.http import idempotency_records
from beleg.db.tables.identity import (
    api_keys,
    login_failures,
    notifications,
    security_settings,
    user_totp,
    users,
)
from beleg.db.tables.invoicing_setup import dunning_levels, layout_setups, payment_terms
from beleg.db.tables.ledger import (
    bank_accounts,
    ledger_accounts,
    ledger_balances,
    ledger_journals,
    ledger_postings,
    ledger_rebooks,
    ledger_tax_entries,
)
from beleg.db.tables.numbering import (
    document_counters,
    number_rules,
    number_strategies,
    sequence_group_counters,
    sequence_groups,
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
from beleg.db.tables.plans import catalog_options, plan_items, plan_price_versions, plans
from beleg.db.tables.pos import (
    cash_daily_closings,
    cash_receipts,
    cash_register_keys,
    cash_registers,
)
from beleg.db.tables.sequences import sequences
from beleg.db.tables.tenancy import tenant_clocks, tenant_companies, tenants
from beleg.db.tables.usage import usage_events

__all__ = [
    "api_keys",
    "audit_entries",
    "audit_heads",
    "bank_accounts",
    "bank_line_assignments",
    "bank_statement_lines",
    "bank_statements",
    "billed_lines",
    "billing_groups",
    "billing_run_chunks",
    "billing_run_results",
    "billing_runs",
    "billing_settings",
    "cash_daily_closings",
    "cash_receipts",
    "cash_register_keys",
    "cash_registers",
    "catalog_options",
    "cb_bookings",
    "cb_invoice_lines",
    "cb_invoices",
    "contact_addresses",
    "contacts",
    "contract_documents",
    "contract_items",
    "contract_pauses",
    "contract_realignments",
    "contracts",
    "customer_payment_accounts",
    "direct_debit_batches",
    "direct_debit_items",
    "document_counters",
    "document_einvoices",
    "document_templates",
    "dunning_blocks",
    "dunning_levels",
    "dunning_notice_items",
    "dunning_notices",
    "dunning_runs",
    "dunning_settings",
    "idempotency_records",
    "item_categories",
    "items",
    "layout_setups",
    "ledger_accounts",
    "ledger_balances",
    "ledger_journals",
    "ledger_postings",
    "ledger_rebooks",
    "ledger_tax_entries",
    "login_failures",
    "mail_settings",
    "mail_templates",
    "mails",
    "metadata",
    "notifications",
    "number_rules",
    "number_strategies",
    "oauth_apps",
    "oauth_assertion_ids",
    "oauth_codes",
    "oauth_consents",
    "oauth_pairings",
    "oauth_refresh_tokens",
    "oauth_signing_keys",
    "outbox_events",
    "payment_terms",
    "plan_items",
    "plan_price_versions",
    "plans",
    "sales_document_files",
    "sales_document_history",
    "sales_document_lines",
    "sales_documents",
    "security_settings",
    "sepa_mandates",
    "sequence_group_counters",
    "sequence_groups",
    "sequences",
    "tenant_clocks",
    "tenant_companies",
    "tenants",
    "usage_events",
    "user_totp",
    "users",
    "web_sessions",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_endpoints",
]
