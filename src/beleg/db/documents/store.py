"""Data access of sales documents: loading a document with its lines and history, writing a
new one, and storing what changes afterwards (its number and journal at issue, its payment
history and derived payment state, completion, cancellation; deposits in ``deposits.py``). Every
function runs in the caller's transaction and is scoped to one tenant.

A document is loaded locked (``FOR UPDATE``) unless only read, so two operations on one
document queue; SQLite's single writer does the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from beleg.db.bulk import insert_rows
from beleg.db.tables import sales_document_history, sales_document_lines, sales_documents
from beleg.domain.documents.model import (
    DiscountMode,
    HistoryType,
    LineType,
    State,
    TaxRounding,
    TypeCode,
)
from beleg.domain.documents.records import DocumentLine, HistoryEntry, SalesDocument
from beleg.domain.errors import NotFound
from beleg.domain.ledger.tax import AmountType
from beleg.domain.numbering.counters import DocumentType
from beleg.money import Currency

NOT_FOUND = {
    DocumentType.INVOICE: "documents.invoice_not_found",
    DocumentType.CREDIT_MEMO: "documents.credit_memo_not_found",
    DocumentType.DELIVERY_NOTE: "documents.delivery_note_not_found",
    DocumentType.OFFER: "documents.offer_not_found",
    DocumentType.ORDER_CONFIRMATION: "documents.order_confirmation_not_found",
}

D = sales_documents.c
L = sales_document_lines.c
H = sales_document_history.c


def find_document(
    session: Session,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    *,
    lock: bool = False,
) -> SalesDocument | None:
    """The document of ``doc_type`` numbered ``number`` (drafts have no number), if any."""
    query = select(sales_documents).where(
        D.tenant_id == tenant_id, D.doc_type == doc_type.value, D.number == number
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _with_children(session, tenant_id, row)


def load_document(
    session: Session,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    *,
    lock: bool = True,
) -> SalesDocument:
    """The document numbered ``number`` (locked unless only read); NotFound naming
    ``number`` otherwise."""
    doc = find_document(session, tenant_id, doc_type, number, lock=lock)
    if doc is None:
        raise NotFound(NOT_FOUND[doc_type], field="number", number=number)
    return doc


def find_document_by_id(
    session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID
) -> SalesDocument | None:
    """The document ``doc_id`` of the tenant, if there is one (not locked)."""
    row = session.execute(
        select(sales_documents).where(D.tenant_id == tenant_id, D.id == doc_id)
    ).one_or_none()
    return None if row is None else _with_children(session, tenant_id, row)


def document_by_id(
    session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID, *, lock: bool = True
) -> SalesDocument:
    """The document ``doc_id`` (which the caller knows to exist)."""
    query = select(sales_documents).where(D.tenant_id == tenant_id, D.id == doc_id)
    row = session.execute(query.with_for_update() if lock else query).one()
    return _with_children(session, tenant_id, row)


def _with_children(session: Session, tenant_id: uuid.UUID, row: Row[Any]) -> SalesDocument:
    lines = session.execute(
        select(sales_document_lines)
        .where(L.tenant_id == tenant_id, L.document_id == row.id)
        .order_by(L.line_no)
    ).all()
    history = session.execute(
        select(sales_document_history)
        .where(H.tenant_id == tenant_id, H.document_id == row.id)
        .order_by(H.position)
    ).all()
    return document_record(
        row, [line_record(r) for r in lines], [history_entry(r) for r in history]
    )


def document_record(
    row: Row[Any], lines: list[DocumentLine], history: list[HistoryEntry]
) -> SalesDocument:
    """A stored document row (with its lines and history) as a record."""
    return SalesDocument(
        id=row.id,
        doc_type=DocumentType(row.doc_type),
        state=State(row.state),
        number=row.number,
        type_code=TypeCode(row.type_code),
        sign=row.sign,
        doc_date=row.doc_date,
        due_date=row.due_date,
        dunning_date=row.dunning_date,
        paid_date=row.paid_date,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        currency=Currency.of(row.currency),
        currency_rate=row.currency_rate,
        net=row.net,
        tax=row.tax,
        total=row.total,
        remaining=row.remaining,
        payment_term_id=row.payment_term_id,
        layout_setup_id=row.layout_setup_id,
        sequence_group_id=row.sequence_group_id,
        unpaid_account=row.unpaid_account,
        journal_id=row.journal_id,
        completion_state=row.completion_state,
        completion_date=row.completion_date,
        cancelled_date=row.cancelled_date,
        related_id=row.related_id,
        source_id=row.source_id,
        deposit_settled_by=row.deposit_settled_by,
        texts=row.fields,
        created_at=row.created_at,
        updated_at=row.updated_at,
        lines=tuple(lines),
        history=tuple(history),
        tax_rounding=TaxRounding(row.tax_rounding),
    )


def line_record(row: Row[Any]) -> DocumentLine:
    """A stored line row as a record."""
    return DocumentLine(
        line_no=row.line_no,
        line_type=LineType(row.line_type),
        item_id=row.item_id,
        quantity=row.quantity,
        item_price=row.item_price,
        item_price_type=AmountType(row.item_price_type) if row.item_price_type else None,
        discount=row.discount,
        discount_mode=DiscountMode(row.discount_mode),
        account=row.account,
        tax_entry=row.tax_entry,
        tax_rate=row.tax_rate,
        net=row.net,
        tax=row.tax,
        total=row.total,
        remaining=row.remaining,
        texts=row.fields,
    )


def history_entry(row: Row[Any]) -> HistoryEntry:
    """A stored history row as a record."""
    return HistoryEntry(
        id=row.id,
        position=row.position,
        entry_type=HistoryType(row.entry_type),
        is_payment=row.is_payment,
        entry_date=row.entry_date,
        amount=row.amount,
        created_at=row.created_at,
        note=row.note,
        paying_account=row.paying_account,
        cancelled=row.cancelled,
        cancels=row.cancels,
        cancellation_of_payment=row.cancellation_of_payment,
        journal_id=row.journal_id,
        counterpart_id=row.counterpart_id,
        line_no=row.line_no,
        cash_register_no=row.cash_register_no,
        receipt_no=row.receipt_no,
        receipt_qr=row.receipt_qr,
    )


def insert_document(session: Session, tenant_id: uuid.UUID, doc: SalesDocument) -> None:
    """Store a new document and its lines (its history starts empty)."""
    insert_documents(session, tenant_id, [doc])


def insert_documents(session: Session, tenant_id: uuid.UUID, docs: Sequence[SalesDocument]) -> None:
    """Store new documents with their lines and history, one statement (a COPY on
    PostgreSQL) per table."""
    insert_rows(session, sales_documents, [_head_values(tenant_id, doc) for doc in docs])
    insert_rows(
        session,
        sales_document_lines,
        [_line_values(tenant_id, doc.id, line) for doc in docs for line in doc.lines],
    )
    insert_rows(
        session,
        sales_document_history,
        [_history_values(tenant_id, doc.id, e) for doc in docs for e in doc.history],
    )


def _head_values(tenant_id: uuid.UUID, doc: SalesDocument) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": doc.id,
        "doc_type": doc.doc_type.value,
        "state": doc.state.value,
        "number": doc.number,
        "type_code": doc.type_code.value,
        "sign": doc.sign,
        "doc_date": doc.doc_date,
        "due_date": doc.due_date,
        "dunning_date": doc.dunning_date,
        "paid_date": doc.paid_date,
        "customer_id": doc.customer_id,
        "customer_name": doc.customer_name,
        "net": doc.net,
        "tax": doc.tax,
        "total": doc.total,
        "remaining": doc.remaining,
        "payment_term_id": doc.payment_term_id,
        "layout_setup_id": doc.layout_setup_id,
        "sequence_group_id": doc.sequence_group_id,
        "unpaid_account": doc.unpaid_account,
        "journal_id": doc.journal_id,
        "completion_state": doc.completion_state,
        "completion_date": doc.completion_date,
        "cancelled_date": doc.cancelled_date,
        "related_id": doc.related_id,
        "source_id": doc.source_id,
        "deposit_settled_by": doc.deposit_settled_by,
        "fields": dict(doc.texts),
        "created_at": doc.created_at,
        "updated_at": doc.updated_at,
        "currency": doc.currency.code,
        "currency_rate": doc.currency_rate,
        "tax_rounding": doc.tax_rounding.value,
    }


def _line_values(tenant_id: uuid.UUID, doc_id: uuid.UUID, line: DocumentLine) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "document_id": doc_id,
        "line_no": line.line_no,
        "line_type": line.line_type.value,
        "item_id": line.item_id,
        "quantity": line.quantity,
        "item_price": line.item_price,
        "item_price_type": line.item_price_type.value if line.item_price_type else None,
        "discount": line.discount,
        "discount_mode": line.discount_mode.value,
        "account": line.account,
        "tax_entry": line.tax_entry,
        "tax_rate": line.tax_rate,
        "net": line.net,
        "tax": line.tax,
        "total": line.total,
        "remaining": line.remaining,
        "fields": dict(line.texts),
    }


def _update(session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID, **values: Any) -> None:
    session.execute(
        update(sales_documents).where(D.tenant_id == tenant_id, D.id == doc_id).values(**values)
    )


def save_number(session: Session, tenant_id: uuid.UUID, doc: SalesDocument) -> None:
    _update(session, tenant_id, doc.id, number=doc.number)


def save_journal(session: Session, tenant_id: uuid.UUID, doc: SalesDocument) -> None:
    _update(session, tenant_id, doc.id, journal_id=doc.journal_id)


def save_cancellation(session: Session, tenant_id: uuid.UUID, doc: SalesDocument) -> None:
    _update(session, tenant_id, doc.id, state=doc.state.value, cancelled_date=doc.cancelled_date)


def save_completion(session: Session, tenant_id: uuid.UUID, doc: SalesDocument) -> None:
    _update(
        session,
        tenant_id,
        doc.id,
        completion_state=doc.completion_state,
        completion_date=doc.completion_date,
        updated_at=doc.updated_at,
    )


def save_payment_state(
    session: Session, tenant_id: uuid.UUID, before: SalesDocument, after: SalesDocument
) -> None:
    """Store the remaining amount, paid date and update time of ``after`` and the remaining
    amounts of the lines that changed since ``before``."""
    _update(
        session,
        tenant_id,
        after.id,
        remaining=after.remaining,
        paid_date=after.paid_date,
        updated_at=after.updated_at,
    )
    for old, new in zip(before.lines, after.lines, strict=True):
        if old.remaining != new.remaining:
            session.execute(
                update(sales_document_lines)
                .where(
                    L.tenant_id == tenant_id,
                    L.document_id == after.id,
                    L.line_no == new.line_no,
                )
                .values(remaining=new.remaining)
            )


def insert_history(
    session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID, entry: HistoryEntry
) -> None:
    session.execute(
        insert(sales_document_history).values(_history_values(tenant_id, doc_id, entry))
    )


def _history_values(tenant_id: uuid.UUID, doc_id: uuid.UUID, entry: HistoryEntry) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": entry.id,
        "document_id": doc_id,
        "position": entry.position,
        "entry_type": entry.entry_type.value,
        "is_payment": entry.is_payment,
        "entry_date": entry.entry_date,
        "amount": entry.amount,
        "note": entry.note,
        "paying_account": entry.paying_account,
        "cancelled": entry.cancelled,
        "cancels": entry.cancels,
        "cancellation_of_payment": entry.cancellation_of_payment,
        "journal_id": entry.journal_id,
        "counterpart_id": entry.counterpart_id,
        "line_no": entry.line_no,
        "cash_register_no": entry.cash_register_no,
        "receipt_no": entry.receipt_no,
        "receipt_qr": entry.receipt_qr,
        "created_at": entry.created_at,
    }


def mark_entry_cancelled(session: Session, tenant_id: uuid.UUID, entry_id: uuid.UUID) -> None:
    session.execute(
        update(sales_document_history)
        .where(H.tenant_id == tenant_id, H.id == entry_id)
        .values(cancelled=True)
    )
