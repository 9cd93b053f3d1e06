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
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from beleg import messages
from beleg.clock import Clock
from beleg.db import Session
from beleg.db.database import Database
from beleg.db.documents import store
from beleg.domain.documents.lines import Amounts
from beleg.domain.documents.model import HistoryType, LineType, State, TypeCode
from beleg.domain.documents.records import DocumentLine, SalesDocument, require_issued
from beleg.domain.documents.settlement import Correctable, correctable, correction_amounts
from beleg.domain.errors import NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.copies import document_input, related_texts
from beleg.services.documents.create import Links, create_in
from beleg.services.documents.history import add_entry, save_payment_state
from beleg.services.documents.lines import DocLineInput

CORRECTED = (LineType.LINE, LineType.DUNNING_FEE)  # the line types a correction credits
LINE_NAME_LANGUAGE = "de"  # the name of a correction line without one ("Korrektur Zeile 1")


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
    """(amounts, currency code) of one line of an issued invoice."""
    with db.reader() as session:
        doc = store.load_document(session, tenant_id, DocumentType.INVOICE, number, lock=False)
        return _available(doc, line_no), doc.currency.code


def _available(doc: SalesDocument, line_no: int) -> Correctable:
    line = _line(doc, line_no)
    corrected = sum(
        (
            h.amount
            for h in doc.history
            if h.entry_type is HistoryType.CORRECTION and h.line_no == line_no and not h.cancelled
        ),
        Decimal(0),
    )
    return correctable(line.total, corrected)


def _line(doc: SalesDocument, line_no: int) -> DocumentLine:
    line = doc.line(line_no)
    if line is None or line.line_type not in CORRECTED:
        raise NotFound(
            "documents.line_not_correctable", field="line", number=doc.number, line=line_no
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
    day, amount = _required(data)
    with db.transaction() as session:
        invoice = store.load_document(session, tenant_id, DocumentType.INVOICE, number)
        require_issued(invoice)
        if invoice.sign < 0:
            raise ValidationFailed("documents.cancellation_not_correctable", field="number")
        line = _line(invoice, line_no)
        amounts = correction_amounts(
            amount, _available(invoice, line_no), line.tax_rate, invoice.currency
        )
        memo = _credit_memo(
            session,
            actor,
            tenant_id,
            invoice,
            line=line,
            amounts=amounts,
            day=day,
            data=data,
            clock=clock,
        )
        invoice = add_entry(
            session,
            tenant_id=tenant_id,
            doc=invoice,
            entry_type=HistoryType.CORRECTION,
            entry_date=day,
            amount=amounts.total,
            clock=clock,
            is_payment=False,
            note=data.reason,
            counterpart_id=memo.id,
            line_no=line_no,
        )
        applied = min(amounts.total, invoice.remaining)
        if applied > 0:
            _settle(session, tenant_id, invoice, memo, applied=applied, day=day, clock=clock)
        return memo.id


def _required(data: CorrectionInput) -> tuple[date, Decimal]:
    """The correction's date and amount; both and a reason are required."""
    if data.amount is None or data.day is None or not (data.reason or "").strip():
        missing = "amount" if data.amount is None else "date" if data.day is None else "reason"
        raise ValidationFailed("documents.required", field=missing, name=missing)
    return data.day, data.amount


def _settle(
    session: Session,
    tenant_id: uuid.UUID,
    invoice: SalesDocument,
    memo: SalesDocument,
    *,
    applied: Decimal,
    day: date,
    clock: Clock,
) -> None:
    """The credit memo settles ``applied`` of the open invoice: both get the entry."""
    for doc, other in ((invoice, memo), (memo, invoice)):
        settled = add_entry(
            session,
            tenant_id=tenant_id,
            doc=doc,
            entry_type=HistoryType.CREDIT_FOR_INVOICE,
            entry_date=day,
            amount=applied,
            clock=clock,
            counterpart_id=other.id,
        )
        save_payment_state(session, tenant_id=tenant_id, doc=settled, day=day, clock=clock)


def _credit_memo(
    session: Session,
    actor: Actor,
    tenant_id: uuid.UUID,
    invoice: SalesDocument,
    *,
    line: DocumentLine,
    amounts: Amounts,
    day: date,
    data: CorrectionInput,
    clock: Clock,
) -> SalesDocument:
    """Issue the credit memo of ``amounts`` against ``line`` of ``invoice``."""
    self_billing = invoice.type_code is TypeCode.SELF_BILLED_INVOICE
    memo_line = _memo_line(line, amounts)
    base = document_input(invoice, target=DocumentType.CREDIT_MEMO, day=day, lines=[memo_line])
    return create_in(
        session,
        actor=actor,
        tenant_id=tenant_id,
        clock=clock,
        links=Links(
            related_id=invoice.id,
            sign=-1,
            type_code=(TypeCode.SELF_BILLED_CREDIT_NOTE if self_billing else TypeCode.CREDIT_NOTE),
        ),
        data=replace(
            base,
            state=State.FINALIZED.value,
            totals=amounts.values(),
            layout_setup=data.layout_setup,
            sequence_group=data.sequence_group,
            self_billing=self_billing,
            texts={"creationReason": data.reason, **related_texts(invoice)},
        ),
    )


def _memo_line(line: DocumentLine, amounts: Amounts) -> DocLineInput:
    """The credit memo's one line: ``amounts`` on the corrected line's account and entry."""
    name = line.texts.get("name") or messages.text(
        "documents.correction_line", LINE_NAME_LANGUAGE, line=line.line_no
    )
    return DocLineInput(
        amount=Decimal(1),
        net_price=amounts.net,
        tax_price=amounts.tax,
        total_price=amounts.total,
        name=name,
        description=line.texts.get("description"),
        line_type=LineType.CREDIT_MEMO.value,
        item_price=amounts.total,
        item_price_type="T",
        account=line.account,
        tax_class_entry=line.tax_entry,
    )
