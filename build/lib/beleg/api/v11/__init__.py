"""The accounting API (/api/1.1), wire-compatible with seed 003."""

from fastapi import APIRouter

from beleg.api.routing import BelegRoute
from beleg.api.v11 import (
    bank_statements,
    contacts,
    foundation,
    invoicing_setup,
    items,
    setup,
)
from beleg.api.v11.cash_invoices import routes as cash_invoices
from beleg.api.v11.cash_registers import routes as cash_registers
from beleg.api.v11.documents import routes as documents
from beleg.api.v11.documents import templates as document_templates
from beleg.domain.accounting.lines import Direction
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.numbering.counters import DocumentType


def router() -> APIRouter:
    api = APIRouter(prefix="/api/1.1", route_class=BelegRoute)
    api.include_router(foundation.router)
    api.include_router(cash_invoices.build(Direction.INCOMING))
    api.include_router(cash_invoices.build(Direction.OUTGOING))
    api.include_router(setup.rebook_router)
    api.include_router(setup.router)
    api.include_router(contacts.build(ContactKind.CUSTOMER))
    api.include_router(contacts.build(ContactKind.SUPPLIER))
    api.include_router(bank_statements.router)
    api.include_router(items.router)
    api.include_router(invoicing_setup.router)
    for doc_type in documents.RESOURCES:
        api.include_router(documents.build(doc_type))
    api.include_router(document_templates.build(DocumentType.INVOICE))
    api.include_router(document_templates.build(DocumentType.OFFER))
    api.include_router(cash_registers.router)
    return api
