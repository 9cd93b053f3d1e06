"""Direct-debit batches and their items, and the open invoices a batch may collect; scoped
to one tenant, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, func, insert, select
from sqlalchemy.orm import Session

from beleg.db.tables import contacts, direct_debit_batches, direct_debit_items, sales_documents
from beleg.domain.banking.direct_debits import BatchItem, OpenInvoice
from beleg.domain.banking.mandates import SequenceType

B, T = direct_debit_batches.c, direct_debit_items.c
SEPA_METHOD = "SEPA_DIRECT_DEBIT"  # contacts.payment_method (domain/contacts PaymentMethod)
ISSUED = "FINALIZED"
COLLECTED_TYPES = ("INVOICE",)  # credit memos are paid out (pain.001), not collected


@dataclass(frozen=True, slots=True)
class BatchHead:
    id: uuid.UUID
    creditor_id: str
    creditor_name: str
    creditor_iban: str
    creditor_bic: str | None
    item_count: int
    total: Decimal
    created_at: datetime


def open_sepa_invoices(session: Session, tenant_id: uuid.UUID) -> list[OpenInvoice]:
    """Issued EUR invoices with an open amount, of customers paying by SEPA direct debit,
    that no batch has collected yet; by due date, then in number order (R 2 before R 10)."""
    d, c = sales_documents.c, contacts.c
    collected = select(T.document_id).where(T.tenant_id == tenant_id, T.document_id == d.id)
    rows = session.execute(
        select(d.id, d.number, d.customer_id, d.remaining, d.due_date, c.display_name)
        .join(contacts, and_(c.tenant_id == d.tenant_id, c.id == d.customer_id))
        .where(
            d.tenant_id == tenant_id,
            d.state == ISSUED,
            d.doc_type.in_(COLLECTED_TYPES),
            d.currency == "EUR",
            d.remaining > 0,
            c.payment_method == SEPA_METHOD,
            ~collected.exists(),
        )
        .order_by(d.due_date, d.doc_date, func.length(d.number), d.number)
    ).all()
    return [
        OpenInvoice(r.id, r.number, r.customer_id, r.display_name, r.remaining, r.due_date)
        for r in rows
    ]


def insert_batch(session: Session, tenant_id: uuid.UUID, head: BatchHead) -> None:
    session.execute(
        insert(direct_debit_batches).values(
            tenant_id=tenant_id,
            id=head.id,
            creditor_id=head.creditor_id,
            creditor_name=head.creditor_name,
            creditor_iban=head.creditor_iban,
            creditor_bic=head.creditor_bic,
            item_count=head.item_count,
            total=head.total,
            created_at=head.created_at,
        )
    )


def insert_items(
    session: Session, tenant_id: uuid.UUID, batch_id: uuid.UUID, items: Sequence[BatchItem]
) -> None:
    """All items in one multi-row insert (a batch may hold thousands)."""
    if not items:
        return
    session.execute(
        insert(direct_debit_items),
        [
            {
                "tenant_id": tenant_id,
                "batch_id": batch_id,
                "line_no": i.line_no,
                "part": i.part,
                "document_id": i.document_id,
                "mandate_id": i.mandate_id,
                "end_to_end_id": i.end_to_end_id,
                "amount": i.amount,
                "sequence_type": i.sequence_type.value,
                "instrument": i.instrument,
                "collection_date": i.collection_date,
                "debtor_name": i.debtor_name,
            }
            for i in items
        ],
    )


def _head(row: Row[Any]) -> BatchHead:
    return BatchHead(
        row.id,
        row.creditor_id,
        row.creditor_name,
        row.creditor_iban,
        row.creditor_bic,
        row.item_count,
        row.total,
        row.created_at,
    )


def find_batch(session: Session, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> BatchHead | None:
    row = session.execute(
        select(direct_debit_batches).where(B.tenant_id == tenant_id, B.id == batch_id)
    ).one_or_none()
    return None if row is None else _head(row)


def batch_items(
    session: Session, tenant_id: uuid.UUID, batch_id: uuid.UUID, *, part: int | None = None
) -> list[BatchItem]:
    query = select(direct_debit_items).where(T.tenant_id == tenant_id, T.batch_id == batch_id)
    if part is not None:
        query = query.where(T.part == part)
    rows = session.execute(query.order_by(T.line_no)).all()
    return [
        BatchItem(
            line_no=r.line_no,
            part=r.part,
            document_id=r.document_id,
            mandate_id=r.mandate_id,
            end_to_end_id=r.end_to_end_id,
            amount=r.amount,
            sequence_type=SequenceType(r.sequence_type),
            instrument=r.instrument,
            collection_date=r.collection_date,
            debtor_name=r.debtor_name,
        )
        for r in rows
    ]
