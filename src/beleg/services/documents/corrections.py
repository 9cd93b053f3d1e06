"""Corrections of issued invoice lines (seed 001 "Corrections (document item based)", seed 000
"Query remaining correctable amount per document item"; EN 16931 BT-3, BT-25, BT-26).

A correction credits a fixed gross amount against one line of an issued invoice without
cancelling it: a FINALIZED credit memo with one CREDIT_MEMO line on the line's account and tax
class entry, the reason stored (``creationReason``) and the invoice referenced with its date
(``relatedDocument`` BT-25, ``relatedDocumentDate`` BT-26). Its type code is 381, or 261 when
the invoice is a self-billing invoice (seed 001: self-billing corrections are 261). The
invoice records a CORRECTION entry per line; the sum of a line's corrections never exceeds
its total after allowances. While the invoice is open, the credit settles it (both documents
get a CREDIT_FOR_INVOICE entry); otherwise the credit memo stays open to be paid out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.domain.documents.lines import Amounts
from beleg.domain.documents.model import HistoryType, LineType, State, TypeCode
from beleg.domain.documents.settlement import Correctable, correctable, correction_amounts
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.create import DocumentInput, Links, create_in
from beleg.services.documents.lines import DocLineInput
from beleg.services.documents.store import (
    Doc,
    add_history,
    load_doc,
    require_issued,
    save_payment_state,
)


@dataclass(frozen=True, slots=True)
class CorrectionInput:
    amount: Decimal | None
    day: date | None
    reason: str | None
    layout_setup: str | None = None
    sequence_group: str | None = None


def correctable_amount(
    *, db: Database, tenant_id: uuid.UUID, number: str, line_no: int
) -> tuple[Correctable, str]:
    """(amounts, currency) of one line of an issued invoice."""
    with db.reader() as session:
        doc = load_doc(session, tenant_id, DocumentType.INVOICE, number, lock=False)
        return _available(doc, line_no), doc.row["currency"]


def _available(doc: Doc, line_no: int) -> Correctable:
    line = _line(doc, line_no)
    corrected = sum(
        (
            h["amount"]
            for h in doc.history
            if h["entry_type"] == HistoryType.CORRECTION
            and h["line_no"] == line_no
            and not h["cancelled"]
        ),
        Decimal(0),
    )
    return correctable(line["total"], corrected)


def _line(doc: Doc, line_no: int) -> dict[str, Any]:
    line = next((ln for ln in doc.lines if ln["line_no"] == line_no), None)
    if line is None or LineType(line["line_type"]) not in (LineType.LINE, LineType.DUNNING_FEE):
        raise NotFound(
            f"invoice {doc.row['number']} has no correctable line {line_no}",
            de=f"Zeile {line_no} nicht gefunden.",
            field="line",
        )
    return line


def correct_line(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    number: str,
    line_no: int,
    data: CorrectionInput,
    clock: Clock,
) -> uuid.UUID:
    """Issue the credit memo of a correction; returns its id."""
    if data.amount is None or data.day is None or not (data.reason or "").strip():
        missing = "amount" if data.amount is None else "date" if data.day is None else "reason"
        raise ValidationFailed(
            f"{missing} is required", de=f"{missing} ist erforderlich", field=missing
        )
    with db.transaction() as session:
        invoice = load_doc(session, tenant_id, DocumentType.INVOICE, number)
        require_issued(invoice)
        if invoice.row["sign"] < 0:
            raise ValidationFailed(
                "a cancellation invoice cannot be corrected",
                de="Eine Stornorechnung kann nicht korrigiert werden",
                field="number",
            )
        line = _line(invoice, line_no)
        amounts = correction_amounts(
            data.amount, _available(invoice, line_no), line["tax_rate"], invoice.currency
        )
        memo = _credit_memo(
            session, actor, invoice, line=line, amounts=amounts, data=data, clock=clock
        )
        add_history(
            session,
            invoice,
            entry_type=HistoryType.CORRECTION,
            entry_date=data.day,
            amount=amounts.total,
            clock=clock,
            is_payment=False,
            note=data.reason,
            counterpart_id=memo.id,
            line_no=line_no,
        )
        applied = min(amounts.total, invoice.row["remaining"])
        if applied > 0:
            for doc, other in ((invoice, memo), (memo, invoice)):
                add_history(
                    session,
                    doc,
                    entry_type=HistoryType.CREDIT_FOR_INVOICE,
                    entry_date=data.day,
                    amount=applied,
                    clock=clock,
                    counterpart_id=other.id,
                )
                save_payment_state(session, doc, day=data.day, clock=clock)
        return memo.id


def _credit_memo(
    session: Session,
    actor: Actor,
    invoice: Doc,
    *,
    line: dict[str, Any],
    amounts: Amounts,
    data: CorrectionInput,
    clock: Clock,
) -> Doc:
    row = invoice.row
    fields: dict[str, Any] = row["fields"]
    self_billing = row["type_code"] == TypeCode.SELF_BILLED_INVOICE
    texts = line["fields"]
    memo_line = DocLineInput(
        amount=Decimal(1),
        net_price=amounts.net,
        tax_price=amounts.tax,
        total_price=amounts.total,
        name=texts.get("name") or f"Korrektur Zeile {line['line_no']}",
        description=texts.get("description"),
        line_type=LineType.CREDIT_MEMO.value,
        item_price=amounts.total,
        item_price_type="T",
        account=line["account"],
        tax_class_entry=line["tax_entry"],
    )
    return create_in(
        session,
        actor=actor,
        tenant_id=row["tenant_id"],
        clock=clock,
        links=Links(
            related_id=invoice.id,
            sign=-1,
            type_code=(TypeCode.SELF_BILLED_CREDIT_NOTE if self_billing else TypeCode.CREDIT_NOTE),
        ),
        data=DocumentInput(
            doc_type=DocumentType.CREDIT_MEMO,
            state=State.FINALIZED.value,
            doc_date=data.day,
            lines=[memo_line],
            customer=str(row["customer_id"]) if row["customer_id"] else None,
            customer_name=row["customer_name"],
            address_info=fields.get("addressInfo") or None,
            currency=row["currency"],
            currency_rate=row["currency_rate"],
            totals=amounts.values(),
            layout_setup=data.layout_setup,
            sequence_group=data.sequence_group,
            self_billing=self_billing,
            texts={
                "creationReason": data.reason,
                "referenceText": row["number"],
                "relatedDocument": row["number"],
                "relatedDocumentDate": row["doc_date"].isoformat(),
            },
        ),
    )
