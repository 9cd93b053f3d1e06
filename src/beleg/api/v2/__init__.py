"""The Billing API (/v2): our own design from the release-note seeds."""

from fastapi import APIRouter

from beleg.api.routing import BelegRoute
from beleg.api.schemas import PROBLEM_RESPONSES
from beleg.api.v2 import (
    api_keys,
    audit,
    bank_statements,
    billing_groups,
    billing_runs,
    cash_registers,
    company,
    contract_actions,
    contract_documents,
    contracts,
    customers,
    direct_debits,
    dunning,
    einvoices,
    invoicing_setup,
    mails,
    mandates,
    numbering,
    oauth_apps,
    open_items,
    options,
    plans,
    reconciliation,
    scopes,
    security,
    services,
    tenants,
    test_clock,
    usages,
    users,
    webhooks,
)


def router() -> APIRouter:
    v2 = APIRouter(prefix="/v2", route_class=BelegRoute, responses=PROBLEM_RESPONSES)
    for module in (
        tenants,
        users,
        api_keys,
        scopes,
        audit,
        test_clock,
        oauth_apps,
        security,
        invoicing_setup,
        company,
        numbering,
        cash_registers,
        customers,
        options,
        plans,
        contracts,
        contract_actions,
        contract_documents,
        usages,
        billing_groups,
        billing_runs,
        services,
        einvoices,
        webhooks,
        mails,
        bank_statements,
        mandates,
        direct_debits,
        dunning,
        open_items,
        reconciliation,
    ):
        v2.include_router(module.router)
    return v2
