"""The open items a bank line may pay (ADR 0026): the tenant's issued invoices and credit
memos with something remaining, in one currency, with their customer's number (the
reference), the customer's IBANs and the end-to-end ids they were collected with. Scoped to
one tenant; read in the caller's transaction after the lines were locked."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beleg.db.tables import contacts, customer_payment_accounts, direct_debit_items, sales_documents
from beleg.domain.banking.matching import OpenItem, normalized
from beleg.domain.documents.model import PAYABLE, State
from beleg.money import Currency, round_to_currency

ISSUED = (State.FINALIZED.value, State.EXTERNAL.value)


def open_items(
    session: Session,
    tenant_id: uuid.UUID,
    currencies: Collection[str] | None = None,
    document_ids: Collection[uuid.UUID] | None = None,
) -> list[OpenItem]:
    """Every open invoice and credit memo of the tenant (of ``currencies``, among
    ``document_ids``, if given)."""
    d, k = sales_documents.c, contacts.c
    query = (
        select(
            d.id,
            d.doc_type,
            d.number,
            d.customer_id,
            d.remaining,
            d.currency,
            d.sign,
            d.doc_date,
            k.number.label("customer_number"),
        )
        .outerjoin(contacts, (k.tenant_id == d.tenant_id) & (k.id == d.customer_id))
        .where(
            d.tenant_id == tenant_id,
            d.doc_type.in_([t.value for t in PAYABLE]),
            d.state.in_(ISSUED),
            d.number.is_not(None),
            d.remaining > 0,
        )
    )
    if currencies is not None:
        query = query.where(d.currency.in_(sorted(currencies)))
    if document_ids is not None:
        query = query.where(d.id.in_(list(document_ids)))
    rows = session.execute(query).all()
    ibans = _ibans(session, tenant_id)
    collected = _end_to_end_ids(session, tenant_id)
    return [_item(r, ibans, collected) for r in rows]


def _item(
    row: Any, ibans: dict[uuid.UUID, set[str]], collected: dict[uuid.UUID, set[str]]
) -> OpenItem:
    return OpenItem(
        document_id=row.id,
        doc_type=row.doc_type,
        number=row.number,
        customer_id=row.customer_id,
        remaining=at_scale(row.remaining, row.currency),
        currency=row.currency,
        sign=1 if row.sign > 0 else -1,
        doc_date=row.doc_date,
        ibans=frozenset(ibans.get(row.customer_id, ())),
        end_to_end_ids=frozenset(collected.get(row.id, ())),
        references=frozenset({row.customer_number} if row.customer_number else ()),
    )


def at_scale(amount: Decimal, code: str) -> Decimal:
    """A stored amount (4 places) at its currency's scale when that is exact, else as
    stored: matching compares and reports amounts as the bank and the documents write them."""
    scaled = round_to_currency(amount, Currency.of(code))
    return scaled if scaled == amount else amount


def _ibans(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, set[str]]:
    p = customer_payment_accounts.c
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    for contact_id, iban in session.execute(
        select(p.contact_id, p.iban).where(p.tenant_id == tenant_id)
    ):
        found[contact_id].add(normalized(iban))
    return found


def _end_to_end_ids(session: Session, tenant_id: uuid.UUID) -> dict[uuid.UUID, set[str]]:
    i, d = direct_debit_items.c, sales_documents.c
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    rows = session.execute(
        select(i.document_id, i.end_to_end_id)
        .join(sales_documents, (d.tenant_id == i.tenant_id) & (d.id == i.document_id))
        .where(i.tenant_id == tenant_id, d.remaining > 0)
    )
    for document_id, e2e in rows:
        found[document_id].add(e2e)
    return found
