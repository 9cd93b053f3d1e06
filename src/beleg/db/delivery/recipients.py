"""What the invoice mails need to know about documents, in set-based reads (a dispatcher
batch of 500 events is a handful of queries, never one per document), and who a tenant's
admins are. Scoped to one tenant, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.tables import (
    billed_lines,
    contact_addresses,
    contacts,
    contract_documents,
    contracts,
    layout_setups,
    sales_documents,
    tenants,
    users,
)
from beleg.domain.delivery.mails import CopyType

ADMIN_ROLES = ("ADMIN", "SUPERUSER")
INVOICE_TYPES = ("INVOICE_ADDRESS", "INVOICE_AND_DELIVERY_ADDRESS")


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """A finalised document of a contract as its mail shows it. ``contract_recipients`` are
    the distinct invoice recipients its contracts name (empty: none set); ``customer_email``
    the address of the customer's default invoice address, else of its main address (None:
    none); ``copy`` that invoice address's copy address and how it gets its copy."""

    id: uuid.UUID
    doc_type: str
    state: str
    sign: int
    number: str | None
    doc_date: date
    due_date: date | None
    total: Decimal
    currency: str
    customer_name: str
    language: str  # the document's layout language (what its PDF prints in)
    customer_email: str | None
    contract_recipients: tuple[str, ...] = field(default=())
    copy: tuple[str, CopyType] | None = None


def contract_documents_facts(
    session: Session, tenant_id: uuid.UUID, doc_ids: Collection[uuid.UUID]
) -> list[InvoiceFacts]:
    """The documents among ``doc_ids`` that bill a contract (have billed lines), with their
    recipients; three queries whatever the number of documents."""
    if not doc_ids:
        return []
    recipients = _contract_recipients(session, tenant_id, doc_ids)
    d, k, s = sales_documents.c, contacts.c, layout_setups.c
    rows = session.execute(
        select(
            d.id,
            d.doc_type,
            d.state,
            d.sign,
            d.number,
            d.doc_date,
            d.due_date,
            d.total,
            d.currency,
            d.customer_name,
            d.customer_id,
            s.language,
            k.fields,
        )
        .outerjoin(layout_setups, (s.tenant_id == d.tenant_id) & (s.id == d.layout_setup_id))
        .outerjoin(contacts, (k.tenant_id == d.tenant_id) & (k.id == d.customer_id))
        .where(d.tenant_id == tenant_id, d.id.in_(list(recipients)))
    ).all()
    customers = {r.customer_id for r in rows if r.customer_id is not None}
    invoice_addresses = _default_invoice_addresses(session, tenant_id, customers)
    return [
        _facts(r, recipients[r.id], invoice_addresses.get(r.customer_id) or r.fields or {})
        for r in rows
    ]


def _facts(row: Any, recipients: list[str], address: Mapping[str, Any]) -> InvoiceFacts:
    copy_to = address.get("copyEmailAddress")
    return InvoiceFacts(
        id=row.id,
        doc_type=row.doc_type,
        state=row.state,
        sign=row.sign,
        number=row.number,
        doc_date=row.doc_date,
        due_date=row.due_date,
        total=row.total,
        currency=row.currency,
        customer_name=row.customer_name or "",
        language=row.language or "de",
        customer_email=address.get("emailAddress") or None,
        contract_recipients=tuple(sorted(recipients)),
        copy=(copy_to, CopyType(address.get("copyEmailType") or "BCC")) if copy_to else None,
    )


def _default_invoice_addresses(
    session: Session, tenant_id: uuid.UUID, customer_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Mapping[str, Any]]:
    """Customer id -> the fields of its default invoice address where an additional address
    is the default (seed 003: an INVOICE_ADDRESS before an INVOICE_AND_DELIVERY_ADDRESS)."""
    if not customer_ids:
        return {}
    a = contact_addresses.c
    rows = session.execute(
        select(a.contact_id, a.address_type, a.fields)
        .where(
            a.tenant_id == tenant_id,
            a.contact_id.in_(list(customer_ids)),
            a.is_default.is_(True),
            a.address_type.in_(INVOICE_TYPES),
        )
        .order_by(a.contact_id, a.address_type.desc())  # INVOICE_ADDRESS last: it wins
    ).all()
    return {row.contact_id: dict(row.fields) for row in rows}


def _contract_recipients(
    session: Session, tenant_id: uuid.UUID, doc_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Document id -> the distinct invoice recipients of its contracts (every document with
    billed lines is a key, with an empty list when no contract names one)."""
    b, c = billed_lines.c, contracts.c
    links = session.execute(
        select(b.document_id, c.invoice_recipient_email)
        .join(contracts, (c.tenant_id == b.tenant_id) & (c.id == b.contract_id))
        .where(b.tenant_id == tenant_id, b.document_id.in_(list(doc_ids)))
        .distinct()
    ).all()
    recipients: dict[uuid.UUID, list[str]] = defaultdict(list)
    for link in links:
        found = recipients[link.document_id]
        if link.invoice_recipient_email and link.invoice_recipient_email not in found:
            found.append(link.invoice_recipient_email)
    return recipients


def tenant_name(session: Session, tenant_id: uuid.UUID) -> str:
    name: str = session.execute(
        select(tenants.c.name).where(tenants.c.id == tenant_id)
    ).scalar_one()
    return name


def tenant_country(session: Session, tenant_id: uuid.UUID) -> str:
    country: str = session.execute(
        select(tenants.c.country).where(tenants.c.id == tenant_id)
    ).scalar_one()
    return country


def admin_addresses(session: Session, tenant_id: uuid.UUID) -> list[str]:
    """The addresses of the tenant's users with the ADMIN or SUPERUSER role, sorted."""
    u = users.c
    rows = session.execute(
        select(u.email).where(
            u.tenant_id == tenant_id, u.role.in_(ADMIN_ROLES), u.email.is_not(None)
        )
    ).scalars()
    return sorted({email for email in rows if email})


def mailed_contract_files(
    session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID
) -> list[tuple[str, str, bytes]]:
    """(file name, media type, content) of the files flagged ``send_by_mail`` on the
    contracts the document bills, in upload order."""
    b, f = billed_lines.c, contract_documents.c
    contract_ids = select(b.contract_id).where(b.tenant_id == tenant_id, b.document_id == doc_id)
    rows = session.execute(
        select(f.file_name, f.media_type, f.content)
        .where(
            f.tenant_id == tenant_id,
            f.send_by_mail.is_(True),
            f.contract_id.in_(contract_ids),
        )
        .order_by(f.created_at, f.id)
    ).all()
    return [(r.file_name, r.media_type, bytes(r.content)) for r in rows]


def document_number(session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID) -> str | None:
    d = sales_documents.c
    number: str | None = session.execute(
        select(d.number).where(d.tenant_id == tenant_id, d.id == doc_id)
    ).scalar_one_or_none()
    return number
