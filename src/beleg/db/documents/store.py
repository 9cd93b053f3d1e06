"""Loading and writing sales documents inside the caller's transaction.

A document is loaded with its lines and history and locked (``FOR UPDATE``) so two operations
on one document queue; SQLite's single writer does the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.tables import sales_document_history, sales_document_lines, sales_documents
from beleg.domain.documents.model import HistoryType, LineType, State
from beleg.domain.documents.settlement import line_remainders
from beleg.domain.errors import Conflict, NotFound
from beleg.domain.numbering.counters import DocumentType
from beleg.money import Currency

NOT_FOUND_DE = {
    DocumentType.INVOICE: "Rechnung nicht gefunden.",
    DocumentType.CREDIT_MEMO: "Gutschrift nicht gefunden.",
    DocumentType.DELIVERY_NOTE: "Lieferschein nicht gefunden.",
    DocumentType.OFFER: "Angebot nicht gefunden.",
    DocumentType.ORDER_CONFIRMATION: "Auftragsbestätigung nicht gefunden.",
}
PAYABLE = (DocumentType.INVOICE, DocumentType.CREDIT_MEMO)


@dataclass(slots=True)
class Doc:
    row: dict[str, Any]
    lines: list[dict[str, Any]]
    history: list[dict[str, Any]]

    @property
    def id(self) -> uuid.UUID:
        return self.row["id"]

    @property
    def doc_type(self) -> DocumentType:
        return DocumentType(self.row["doc_type"])

    @property
    def currency(self) -> Currency:
        return Currency.of(self.row["currency"])

    @property
    def issued(self) -> bool:
        return self.row["state"] in (State.FINALIZED, State.EXTERNAL)

    def active_payments(self) -> list[dict[str, Any]]:
        """Payment entries that stand: not cancelled, not themselves cancellations."""
        return [
            h
            for h in self.history
            if h["is_payment"] and not h["cancelled"] and h["entry_type"] != HistoryType.CANCELLED
        ]

    def settled(self) -> Decimal:
        return sum((h["amount"] for h in self.active_payments()), Decimal(0))


def load_doc(
    session: Session,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    *,
    lock: bool = True,
) -> Doc:
    """The issued document numbered ``number`` (locked unless only read); 404 otherwise
    (drafts have no number)."""
    query = select(sales_documents).where(
        sales_documents.c.tenant_id == tenant_id,
        sales_documents.c.doc_type == doc_type.value,
        sales_documents.c.number == number,
    )
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(
            f"{doc_type.value.lower()} {number} does not exist",
            de=NOT_FOUND_DE[doc_type],
            field="number",
        )
    return _with_children(session, dict(row._mapping))


def load_doc_by_id(session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID) -> Doc:
    row = session.execute(
        select(sales_documents)
        .where(sales_documents.c.tenant_id == tenant_id, sales_documents.c.id == doc_id)
        .with_for_update()
    ).one()
    return _with_children(session, dict(row._mapping))


def _with_children(session: Session, row: dict[str, Any]) -> Doc:
    tenant_id, doc_id = row["tenant_id"], row["id"]
    lines = session.execute(
        select(sales_document_lines)
        .where(
            sales_document_lines.c.tenant_id == tenant_id,
            sales_document_lines.c.document_id == doc_id,
        )
        .order_by(sales_document_lines.c.line_no)
    ).all()
    history = session.execute(
        select(sales_document_history)
        .where(
            sales_document_history.c.tenant_id == tenant_id,
            sales_document_history.c.document_id == doc_id,
        )
        .order_by(sales_document_history.c.position)
    ).all()
    return Doc(row, [dict(r._mapping) for r in lines], [dict(r._mapping) for r in history])


def insert_doc(session: Session, doc: Doc) -> None:
    session.execute(insert(sales_documents).values(**doc.row))
    session.execute(insert(sales_document_lines), doc.lines)


def add_history(
    session: Session,
    doc: Doc,
    *,
    entry_type: HistoryType,
    entry_date: date,
    amount: Decimal,
    clock: Clock,
    is_payment: bool = True,
    **values: Any,
) -> dict[str, Any]:
    row = {
        "tenant_id": doc.row["tenant_id"],
        "id": uuid.uuid4(),
        "document_id": doc.id,
        "position": len(doc.history) + 1,
        "entry_type": entry_type.value,
        "is_payment": is_payment,
        "entry_date": entry_date,
        "amount": amount,
        "note": None,
        "paying_account": None,
        "cancelled": False,
        "cancels": None,
        "cancellation_of_payment": None,
        "journal_id": None,
        "counterpart_id": None,
        "line_no": None,
        "cash_register_no": None,
        "receipt_no": None,
        "receipt_qr": None,
        "created_at": clock.now(),
        **values,
    }
    session.execute(insert(sales_document_history).values(**row))
    doc.history.append(row)
    return row


def mark_history_cancelled(session: Session, doc: Doc, entry: dict[str, Any]) -> None:
    session.execute(
        update(sales_document_history)
        .where(
            sales_document_history.c.tenant_id == doc.row["tenant_id"],
            sales_document_history.c.id == entry["id"],
        )
        .values(cancelled=True)
    )
    entry["cancelled"] = True


def save_payment_state(session: Session, doc: Doc, *, day: date | None, clock: Clock) -> None:
    """Derive remaining amounts (document and lines) from the standing history and store them
    with the paid date (set when the remainder reaches 0)."""
    row = doc.row
    row["remaining"] = (
        row["total"] - doc.settled() if row["state"] != State.CANCELLED else Decimal(0)
    )
    row["paid_date"] = (
        (day or row["paid_date"])
        if row["remaining"] <= 0 and row["state"] != State.CANCELLED
        else None
    )
    row["updated_at"] = clock.now()
    save_doc(session, doc, "remaining", "paid_date", "updated_at")
    remainders = line_remainders(
        [ln["total"] for ln in doc.lines],
        [LineType(ln["line_type"]).counted for ln in doc.lines],
        max(row["remaining"], Decimal(0)),
        row["total"],
        doc.currency,
    )
    for line, remaining in zip(doc.lines, remainders, strict=True):
        if line["remaining"] != remaining:
            line["remaining"] = remaining
            session.execute(
                update(sales_document_lines)
                .where(
                    sales_document_lines.c.tenant_id == row["tenant_id"],
                    sales_document_lines.c.document_id == doc.id,
                    sales_document_lines.c.line_no == line["line_no"],
                )
                .values(remaining=remaining)
            )


def save_doc(session: Session, doc: Doc, *keys: str) -> None:
    session.execute(
        update(sales_documents)
        .where(sales_documents.c.tenant_id == doc.row["tenant_id"], sales_documents.c.id == doc.id)
        .values(**{k: doc.row[k] for k in keys})
    )


def require_issued(doc: Doc) -> None:
    if not doc.issued:
        raise Conflict(
            f"the document is {doc.row['state']}, not FINALIZED or EXTERNAL",
            de="Der Beleg ist nicht abgeschlossen oder extern",
            field="state",
        )
