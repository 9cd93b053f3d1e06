"""Sales documents as seed 003 DTOs (InvoiceDto, CreditMemoDto, DeliveryNoteDto, OfferDto,
OrderConfirmationDto; BusinessDocumentLineDto; PaymentHistoryDto).

Field order and presence follow the seed's examples: ``id`` only once numbered, ``addressInfo``
``{}`` unless an override applies (absent on EXTERNAL documents), ``remainingAmount`` and
``paid`` on invoices and credit memos. A negative (cancellation) invoice shows its amounts
negative. Extensions beyond the seed: ``typeCode`` (UNTDID 1001), ``relatedDocument`` /
``relatedDocumentDate`` (BT-25/BT-26), ``creationReason``, ``deposits``, ``depositFor``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from beleg.db.database import Database
from beleg.db.documents.store import history_entry
from beleg.db.tables import (
    sales_document_history,
    sales_document_lines,
    sales_documents,
)
from beleg.domain.documents.records import HistoryEntry
from beleg.domain.errors import NotFound
from beleg.money import has_at_most_places, round_to_places

PAYABLE = ("INVOICE", "CREDIT_MEMO")
WITH_TERM = ("INVOICE", "OFFER", "ORDER_CONFIRMATION")
WITH_COMPLETION = ("OFFER", "ORDER_CONFIRMATION", "DELIVERY_NOTE")
TEXTS_BEFORE = ("description", "internalDescription")
EXTENSIONS = (
    "relatedDocument",
    "relatedDocumentDate",
    "creationReason",
    "deposits",
    "depositFor",
    "billingGroup",
    "operatingSite",
)


def trim(value: Decimal | None) -> Decimal | None:
    """Without trailing zeros and never in exponent form (``1.00000000`` -> ``1``)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return Decimal(text)


def at_least_two(value: Decimal | None) -> Decimal | None:
    """Quantities and prices stored with 5 decimals, shown with 2 unless more are used."""
    if value is None:
        return None
    trimmed = value.normalize()
    if has_at_most_places(trimmed, 2):
        return round_to_places(value, 2)  # exact: no digit beyond the second is set
    return trim(value)


# Built once (a document is read on every GET of it): only the parameters change.
_BY_NUMBER = select(sales_documents).where(
    sales_documents.c.tenant_id == bindparam("tenant_id"),
    sales_documents.c.doc_type == bindparam("doc_type"),
    sales_documents.c.number == bindparam("number"),
)
_LINES = (
    select(sales_document_lines)
    .where(
        sales_document_lines.c.tenant_id == bindparam("tenant_id"),
        sales_document_lines.c.document_id == bindparam("document_id"),
    )
    .order_by(sales_document_lines.c.line_no)
)


def document_dto(session: Session, row: Any) -> dict[str, Any]:
    lines = session.execute(_LINES, {"tenant_id": row.tenant_id, "document_id": row.id}).all()
    return render(row, lines)


def render(row: Any, lines: Sequence[Any]) -> dict[str, Any]:
    fields: dict[str, Any] = row.fields
    payable = row.doc_type in PAYABLE
    sign = Decimal(-1) if row.doc_type == "INVOICE" and row.sign < 0 else Decimal(1)
    out = _head(row, fields)
    out.update(
        {
            "date": row.doc_date,
            "state": row.state,
            "netAmount": sign * row.net,
            "taxAmount": sign * row.tax,
            "totalAmount": sign * row.total,
        }
    )
    if payable:
        out["remainingAmount"] = sign * row.remaining
    out.update({"currency": row.currency, "currencyRate": trim(row.currency_rate)})
    out.update(_parties(row, fields))
    out["updatedAt"] = row.updated_at
    out["lines"] = [_line(line, payable, sign) for line in lines]
    if fields.get("additionalAddress"):
        out["additionalAddress"] = fields["additionalAddress"]
    if row.state != "EXTERNAL" or fields.get("addressInfo"):
        out["addressInfo"] = fields.get("addressInfo") or {}
    out.update(_type_fields(row, fields))
    out["typeCode"] = row.type_code
    out.update({k: fields[k] for k in EXTENSIONS if fields.get(k) not in (None, "", [])})
    return out


def _head(row: Any, fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row.number is not None:
        out["id"] = row.number
    out["uuid"] = str(row.id)
    out.update({k: fields[k] for k in TEXTS_BEFORE if fields.get(k) is not None})
    return out


def _parties(row: Any, fields: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: fields[k]
        for k in ("referenceText", "referenceDate", "footer")
        if fields.get(k) is not None
    }
    values = (
        ("customer", row.customer_id),
        ("customerName", row.customer_name),
        ("layoutSetup", row.layout_setup_id),
        ("sequenceGroup", row.sequence_group_id),
    )
    out.update({k: v if isinstance(v, str) else str(v) for k, v in values if v})
    return out


def _type_fields(row: Any, fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row.doc_type in WITH_TERM and row.payment_term_id is not None:
        out["paymentTerm"] = str(row.payment_term_id)
    if row.doc_type == "OFFER" and fields.get("expirationDate"):
        out["expirationDate"] = fields["expirationDate"]
    if row.doc_type in PAYABLE:
        out.update(
            {
                k: fields[k]
                for k in ("deliveryFromDate", "deliveryToDate", "signed", "ebInterfaceVersion")
                if fields.get(k) is not None
            }
        )
    if row.doc_type in PAYABLE:
        out["paid"] = row.paid_date is not None
    if row.doc_type in PAYABLE and row.paid_date is not None:
        out["paidDate"] = row.paid_date
    if row.doc_type == "INVOICE":
        for key, value in (
            ("dueDate", row.due_date),
            ("dunningDate", row.dunning_date),
            ("lastDunningLevel", fields.get("lastDunningLevel")),
        ):
            if value is not None:
                out[key] = value
    if row.doc_type in WITH_COMPLETION and row.completion_state is not None:
        out.update(completionDate=row.completion_date, completionState=row.completion_state)
    return out


def _line(line: Any, payable: bool, sign: Decimal) -> dict[str, Any]:
    texts: dict[str, Any] = line.fields
    out: dict[str, Any] = {"id": line.line_no}
    for key in ("name", "description"):
        if texts.get(key):
            out[key] = texts[key]
    out["type"] = line.line_type
    if line.item_price is not None:
        out["itemPrice"] = at_least_two(line.item_price)
        out["itemPriceType"] = line.item_price_type
    if texts.get("unitOfMeasure"):
        out["unitOfMeasure"] = texts["unitOfMeasure"]
    out.update(
        {"netPrice": sign * line.net, "taxPrice": sign * line.tax, "totalPrice": sign * line.total}
    )
    if payable:
        out["remainingAmount"] = sign * line.remaining
    out.update(
        {
            "discount": trim(line.discount),
            "discountMode": line.discount_mode,
            "amount": at_least_two(line.quantity),
        }
    )
    if texts.get("itemNumber"):
        out["itemNumber"] = texts["itemNumber"]
    if line.item_id is not None:
        out["item"] = str(line.item_id)
    out.update({"account": line.account, "taxClassEntry": line.tax_entry})
    if texts.get("depositInvoice"):
        out["depositInvoice"] = texts["depositInvoice"]
    return out


def _row(session: Session, tenant_id: uuid.UUID, doc_type: str, number: str) -> Any:
    row = session.execute(
        _BY_NUMBER, {"tenant_id": tenant_id, "doc_type": doc_type, "number": number}
    ).one_or_none()
    if row is None:
        raise NotFound(
            "documents.document_not_found", field="number", kind=doc_type.lower(), number=number
        )
    return row


def get_document(
    *, db: Database, tenant_id: uuid.UUID, doc_type: str, number: str
) -> dict[str, Any]:
    with db.reader() as session:
        return document_dto(session, _row(session, tenant_id, doc_type, number))


def get_document_by_id(*, db: Database, tenant_id: uuid.UUID, doc_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(sales_documents).where(
                sales_documents.c.tenant_id == tenant_id, sales_documents.c.id == doc_id
            )
        ).one()
        return document_dto(session, row)


def list_documents(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    doc_type: str,
    updated_since: int | None,
    paid: bool | None,
) -> list[dict[str, Any]]:
    """Issued documents (FINALIZED, EXTERNAL and, so that a synchronising client learns of
    them, CANCELLED); never drafts (seed 003 §4.9.2)."""
    query = select(sales_documents).where(
        sales_documents.c.tenant_id == tenant_id,
        sales_documents.c.doc_type == doc_type,
        sales_documents.c.number.is_not(None),
    )
    if updated_since is not None:
        since = datetime.fromtimestamp(updated_since / 1000, tz=UTC)
        query = query.where(sales_documents.c.updated_at >= since)
    if paid is not None:
        column = sales_documents.c.paid_date
        query = query.where(column.is_not(None) if paid else column.is_(None))
    with db.reader() as session:
        rows = session.execute(
            query.order_by(sales_documents.c.doc_date, sales_documents.c.created_at)
        ).all()
        lines: dict[uuid.UUID, list[Any]] = {row.id: [] for row in rows}
        for start in range(0, len(rows), 500):  # one query per 500 documents, not per document
            ids = [row.id for row in rows[start : start + 500]]
            for line in session.execute(
                select(sales_document_lines)
                .where(
                    sales_document_lines.c.tenant_id == tenant_id,
                    sales_document_lines.c.document_id.in_(ids),
                )
                .order_by(sales_document_lines.c.line_no)
            ).all():
                lines[line.document_id].append(line)
    return [render(row, lines[row.id]) for row in rows]


def history(
    *, db: Database, tenant_id: uuid.UUID, doc_type: str, number: str, payments: bool
) -> list[dict[str, Any]]:
    """PaymentHistoryDto entries: payments, or the non-payment bookings (seed 003 §4.9.4/6)."""
    with db.reader() as session:
        row = _row(session, tenant_id, doc_type, number)
        entries = session.execute(
            select(sales_document_history)
            .where(
                sales_document_history.c.tenant_id == tenant_id,
                sales_document_history.c.document_id == row.id,
                sales_document_history.c.is_payment == payments,
            )
            .order_by(sales_document_history.c.position)
        ).all()
        return [history_dto(history_entry(e)) for e in entries]


def history_dto(entry: HistoryEntry) -> dict[str, Any]:
    """PaymentHistoryDto of one history entry."""
    out: dict[str, Any] = {
        "id": str(entry.id),
        "date": entry.entry_date,
        "type": entry.entry_type.value,
    }
    if entry.note:
        out["note"] = entry.note
    out.update({"amount": entry.amount, "cancelled": entry.cancelled})
    if entry.paying_account:
        out["payingAccount"] = entry.paying_account
    if entry.cancellation_of_payment is not None:
        out["cancellationOfPayment"] = entry.cancellation_of_payment
    if entry.receipt_no:
        out.update(
            {
                "cashRegisterId": entry.cash_register_no,
                "receiptId": entry.receipt_no,
                "receiptQrCode": entry.receipt_qr,
            }
        )
    return out
