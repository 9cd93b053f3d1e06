"""Cancelling, completing and converting sales documents (seed 003 §3.4 "Cancel", "Complete";
conversion offer -> order confirmation -> delivery note -> invoice).

Cancel (FINALIZED or EXTERNAL only; invoices and credit memos without standing payments):
- CANCELLATION reverses the document's journal (DE) and sets it CANCELLED;
- CANCELLATION_CREDIT_MEMO (invoices) issues a credit memo with the invoice's lines instead;
- CANCELLATION_INVOICE (invoices) issues a negative cancellation invoice instead.
The new document books the reverse itself, so the invoice's journal stays; both documents
then settle each other (CREDIT_FOR_INVOICE / CANCELLATION_INVOICE_FOR_INVOICE entries).
Deposit invoices a cancelled invoice had settled become open for settlement again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.outbox import enqueue
from beleg.db.tables import sales_documents
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.model import CancelType, HistoryType, LineType, State, TypeCode
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.bookings import reverse
from beleg.services.documents.create import ENTITY, DocumentInput, Links, create_in, snapshot
from beleg.services.documents.lines import DocLineInput
from beleg.services.documents.store import (
    Doc,
    add_history,
    load_doc,
    require_issued,
    save_doc,
    save_payment_state,
)

COMPLETION_STATES = {
    DocumentType.OFFER: ("ACCEPTED", "REJECTED"),
    DocumentType.ORDER_CONFIRMATION: ("IN_PROGRESS", "DONE"),
    DocumentType.DELIVERY_NOTE: ("IN_PREPARATION", "DELIVERED"),
}
FINAL_COMPLETION = {
    DocumentType.OFFER: ("ACCEPTED", "REJECTED"),
    DocumentType.ORDER_CONFIRMATION: ("DONE",),
    DocumentType.DELIVERY_NOTE: ("DELIVERED",),
}


@dataclass(frozen=True, slots=True)
class CancelInput:
    """Seed 003 BusinessDocumentCancelDto."""

    day: date
    cancel_type: str | None = None
    layout_setup: str | None = None
    sequence_group: str | None = None


def cancel_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    data: CancelInput,
    clock: Clock,
) -> tuple[Doc, str | None]:
    """Cancel; returns the document and the number of the document created for it."""
    kind = _cancel_type(doc_type, data.cancel_type)
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        doc = load_doc(session, tenant_id, doc_type, number)
        require_issued(doc)
        before = snapshot(doc)
        if doc.active_payments():
            raise Conflict(
                "the document has payments; cancel them first",
                de="Der Beleg hat Zahlungen; zuerst die Zahlungen stornieren",
                field="number",
            )
        new_number = None
        if kind is CancelType.CANCELLATION:
            journal = reverse(
                session,
                books,
                doc.row["journal_id"],
                day=data.day,
                reason=f"Storno {number}",
                actor=actor,
                clock=clock,
            )
            if journal is not None:
                add_history(
                    session,
                    doc,
                    entry_type=HistoryType.CANCELLED,
                    entry_date=data.day,
                    amount=doc.row["total"],
                    clock=clock,
                    is_payment=False,
                    journal_id=journal,
                    cancellation_of_payment=False,
                )
        else:
            new_number = _counter_document(session, actor, doc, kind=kind, data=data, clock=clock)
        doc.row.update(state=State.CANCELLED.value, cancelled_date=data.day)
        save_doc(session, doc, "state", "cancelled_date")
        save_payment_state(session, doc, day=None, clock=clock)
        _release_deposits(session, doc)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=doc.id,
            before=before,
            after=snapshot(doc),
            clock=clock,
        )
        enqueue(
            session,
            tenant_id=tenant_id,
            topic="document.cancelled",
            clock=clock,
            payload={
                "id": str(doc.id),
                "type": doc_type.value,
                "number": number,
                "newDocumentNumber": new_number,
            },
        )
        return doc, new_number


def _cancel_type(doc_type: DocumentType, value: str | None) -> CancelType:
    try:
        kind = CancelType(value or CancelType.CANCELLATION.value)
    except ValueError:
        kind = None
    if kind is None or (
        kind is not CancelType.CANCELLATION and doc_type is not DocumentType.INVOICE
    ):
        allowed = (
            ", ".join(CancelType)
            if doc_type is DocumentType.INVOICE
            else CancelType.CANCELLATION.value
        )
        raise ValidationFailed(
            f"cancelType must be {allowed}",
            de=f"cancelType muss {allowed} sein",
            field="cancelType",
        )
    return kind


def _counter_document(
    session: Session, actor: Actor, doc: Doc, *, kind: CancelType, data: CancelInput, clock: Clock
) -> str:
    """Issue the credit memo or negative invoice that cancels ``doc`` and settle both."""
    credit = kind is CancelType.CANCELLATION_CREDIT_MEMO
    target = DocumentType.CREDIT_MEMO if credit else DocumentType.INVOICE
    row = doc.row
    fields = row["fields"]
    lines = copied_lines(doc, LineType.CREDIT_MEMO if credit else None, counted_only=True)
    new = create_in(
        session,
        actor=actor,
        tenant_id=row["tenant_id"],
        clock=clock,
        data=DocumentInput(
            doc_type=target,
            state=State.FINALIZED.value,
            doc_date=data.day,
            lines=lines,
            customer=str(row["customer_id"]) if row["customer_id"] else None,
            customer_name=row["customer_name"],
            address_info=fields.get("addressInfo") or None,
            currency=row["currency"],
            currency_rate=row["currency_rate"],
            totals=(row["net"], row["tax"], row["total"]),
            normalize=True,
            layout_setup=data.layout_setup,
            sequence_group=data.sequence_group,
            texts={
                "referenceText": row["number"],
                "relatedDocument": row["number"],
                "relatedDocumentDate": row["doc_date"].isoformat(),
            },
        ),
        links=Links(
            sign=-1,
            related_id=doc.id,
            type_code=TypeCode.CREDIT_NOTE if credit else TypeCode.INVOICE,
        ),
    )
    entry = (
        HistoryType.CREDIT_FOR_INVOICE if credit else HistoryType.CANCELLATION_INVOICE_FOR_INVOICE
    )
    add_history(
        session,
        doc,
        entry_type=entry,
        entry_date=data.day,
        amount=row["remaining"],
        clock=clock,
        counterpart_id=new.id,
    )
    add_history(
        session,
        new,
        entry_type=entry,
        entry_date=data.day,
        amount=new.row["total"],
        clock=clock,
        counterpart_id=doc.id,
    )
    save_payment_state(session, new, day=data.day, clock=clock)
    return new.row["number"]


def copied_lines(doc: Doc, as_type: LineType | None, *, counted_only: bool) -> list[DocLineInput]:
    """The document's lines as input for another document (seed 003 §3.4: credit-memo and
    prepayment lines are not copied to other types; optional offer lines are dropped when
    ``counted_only``). ``as_type`` retypes regular lines (credit memos: CREDIT_MEMO)."""
    out = []
    for line in doc.lines:
        kind = LineType(line["line_type"])
        if counted_only and not kind.counted:
            continue
        if as_type is None and not kind.copied and doc.doc_type is not DocumentType.INVOICE:
            continue
        texts = line["fields"]
        new_type = as_type if as_type is not None and kind is LineType.LINE else kind
        out.append(
            DocLineInput(
                amount=line["quantity"],
                net_price=line["net"],
                tax_price=line["tax"],
                total_price=line["total"],
                name=texts.get("name"),
                description=texts.get("description"),
                line_type=new_type.value,
                item_price=line["item_price"],
                item_price_type=line["item_price_type"],
                unit_of_measure=texts.get("unitOfMeasure"),
                discount=line["discount"],
                discount_mode=line["discount_mode"],
                item_number=texts.get("itemNumber"),
                item=str(line["item_id"]) if line["item_id"] else None,
                item_defaulting=False,
                account=line["account"],
                tax_class_entry=line["tax_entry"],
            )
        )
    return out


def _release_deposits(session: Session, doc: Doc) -> None:
    session.execute(
        update(sales_documents)
        .where(
            sales_documents.c.tenant_id == doc.row["tenant_id"],
            sales_documents.c.deposit_settled_by == doc.id,
        )
        .values(deposit_settled_by=None)
    )


def complete_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    completion_state: str | None,
    day: date,
    clock: Clock,
) -> Doc:
    """Seed 003 BusinessDocumentCompletionDto: offers ACCEPTED/REJECTED (open offers only),
    order confirmations IN_PROGRESS/DONE, delivery notes IN_PREPARATION/DELIVERED (until
    delivered)."""
    allowed = COMPLETION_STATES[doc_type]
    if completion_state not in allowed:
        raise ValidationFailed(
            f"completionState must be {' or '.join(allowed)}",
            de=f"completionState muss {' oder '.join(allowed)} sein",
            field="completionState",
        )
    with db.transaction() as session:
        doc = load_doc(session, tenant_id, doc_type, number)
        require_issued(doc)
        if doc.row["completion_state"] in FINAL_COMPLETION[doc_type]:
            raise Conflict(
                f"the document is already {doc.row['completion_state']}",
                de=f"Der Beleg ist bereits {doc.row['completion_state']}",
                field="completionState",
            )
        before = snapshot(doc)
        doc.row.update(
            completion_state=completion_state, completion_date=day, updated_at=clock.now()
        )
        save_doc(session, doc, "completion_state", "completion_date", "updated_at")
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type=ENTITY,
            entity_id=doc.id,
            before=before,
            after={**snapshot(doc), "completionState": completion_state},
            clock=clock,
        )
        enqueue(
            session,
            tenant_id=tenant_id,
            topic="document.completed",
            clock=clock,
            payload={
                "id": str(doc.id),
                "type": doc_type.value,
                "number": number,
                "completionState": completion_state,
            },
        )
        return doc


CONVERSIONS = {
    DocumentType.OFFER: (DocumentType.ORDER_CONFIRMATION, DocumentType.INVOICE),
    DocumentType.ORDER_CONFIRMATION: (DocumentType.DELIVERY_NOTE, DocumentType.INVOICE),
    DocumentType.DELIVERY_NOTE: (DocumentType.INVOICE,),
}


def convert_document(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    number: str,
    target: str | None,
    state: str | None,
    day: date,
    clock: Clock,
) -> Doc:
    """A new document of ``target`` type with this one's customer and lines (offer -> order
    confirmation -> delivery note -> invoice); the source keeps a link to it."""
    allowed = CONVERSIONS.get(doc_type, ())
    try:
        target_type = DocumentType(target or "")
    except ValueError:
        target_type = None
    if target_type not in allowed:
        names = ", ".join(t.value for t in allowed) or "nothing"
        raise ValidationFailed(
            f"targetType must be {names}", de=f"targetType muss {names} sein", field="targetType"
        )
    with db.transaction() as session:
        source = load_doc(session, tenant_id, doc_type, number)
        require_issued(source)
        row = source.row
        lines = copied_lines(source, None, counted_only=True)
        totals = tuple(
            sum((getattr(ln, k) for ln in lines), Decimal(0))
            for k in ("net_price", "tax_price", "total_price")
        )
        fields: dict[str, Any] = row["fields"]
        return create_in(
            session,
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
            links=Links(source_id=source.id),
            data=DocumentInput(
                doc_type=target_type,
                state=state,
                doc_date=day,
                lines=lines,
                customer=str(row["customer_id"]) if row["customer_id"] else None,
                customer_name=row["customer_name"],
                address_info=fields.get("addressInfo") or None,
                currency=row["currency"],
                currency_rate=row["currency_rate"],
                totals=totals,
                texts={"referenceText": row["number"]},
            ),
        )
