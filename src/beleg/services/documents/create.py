"""Creating sales documents: STAGING drafts, FINALIZED and EXTERNAL documents (seed 003 §3.4).

One transaction per document: the document and its lines, its number (FINALIZED: from the
counter that the numbering rules or the sequence group choose, allocated here so numbers are
gapless), its ledger booking (invoices and credit memos, by the tenant's mode), the settlement
of deposit invoices, the audit entry and the outbox events (``document.finalized``, the PDF
rendering job) commit together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.documents.setup import layout_setup, payment_term, sequence_group_id
from beleg.db.ledger import load_books
from beleg.db.outbox import enqueue
from beleg.domain.accounting.currency import invoice_currency
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.lines import Amounts, compute_document
from beleg.domain.documents.model import HistoryType, State, TypeCode, parse_enum
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType, NumberingContext
from beleg.domain.tenancy.settings import AccountingMode
from beleg.services.documents.bookings import book_issue
from beleg.services.documents.deposits import (
    agreed_deposits,
    check_deposit_invoice,
    check_deposit_lines,
    settle_deposits,
)
from beleg.services.documents.lines import DocLineInput, ResolvedLine, resolve_lines
from beleg.services.documents.parties import Party, resolve_party
from beleg.services.documents.store import PAYABLE, Doc, add_history, insert_doc, save_doc
from beleg.services.numbering.allocation import allocate_document_number

ENTITY = "SalesDocument"
WITH_TERMS = (DocumentType.INVOICE, DocumentType.OFFER, DocumentType.ORDER_CONFIRMATION)
TYPE_CODES = {
    DocumentType.INVOICE: TypeCode.INVOICE,
    DocumentType.CREDIT_MEMO: TypeCode.CREDIT_NOTE,
}


@dataclass(frozen=True, slots=True)
class DocumentInput:
    """A document as the client sent it (seed 003 BizDoc and its per-type fields).

    ``texts`` holds the printed and informational fields stored as given (description,
    footer, internalDescription, referenceText, referenceDate, delivery span, signed,
    ebInterfaceVersion, expirationDate, deposits, creationReason, relatedDocument...).
    """

    doc_type: DocumentType
    state: str | None
    doc_date: date | None
    lines: list[DocLineInput]
    number: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    additional_address: str | None = None
    address_info: dict[str, Any] | None = None
    currency: str | None = None
    currency_rate: Decimal | None = None
    totals: tuple[Decimal | None, Decimal | None, Decimal | None] = (None, None, None)
    payment_term: str | None = None
    layout_setup: str | None = None
    sequence_group: str | None = None
    due_date: date | None = None
    normalize: bool = False
    texts: dict[str, Any] = field(default_factory=dict)
    billing_group: str | None = None
    operating_site: str | None = None
    self_billing: bool = False


@dataclass(frozen=True, slots=True)
class Links:
    """How a server-made document relates to others (cancellations, corrections, deposits)."""

    sign: int = 1
    type_code: TypeCode | None = None
    related_id: uuid.UUID | None = None
    source_id: uuid.UUID | None = None


def create_document(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, data: DocumentInput, clock: Clock
) -> uuid.UUID:
    with db.transaction() as session:
        return create_in(session, actor=actor, tenant_id=tenant_id, data=data, clock=clock).id


def create_in(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    data: DocumentInput,
    clock: Clock,
    links: Links = Links(),
) -> Doc:
    """Create (and, unless STAGING, issue) a document in the caller's transaction."""
    books = load_books(session, tenant_id)
    doc, party, resolved = build_document(session, books, data, links, clock)
    insert_doc(session, doc)
    if doc.issued:
        _issue(session, books, doc, data, party=party, resolved=resolved, actor=actor, clock=clock)
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE,
        entity_type=ENTITY,
        entity_id=doc.id,
        before=None,
        after=snapshot(doc),
        clock=clock,
    )
    return doc


def build_document(
    session: Session, books: TenantBooks, data: DocumentInput, links: Links, clock: Clock
) -> tuple[Doc, Party, list[ResolvedLine]]:
    state = parse_enum(State, data.state, "state", State.STAGING)
    if state is State.CANCELLED:
        raise ValidationFailed(
            "state must be STAGING, FINALIZED or EXTERNAL",
            de="state muss STAGING, FINALIZED oder EXTERNAL sein",
            field="state",
        )
    if data.doc_date is None:
        raise ValidationFailed("date is required", de="date ist erforderlich", field="date")
    if state is State.EXTERNAL and not (data.number or "").strip():
        raise ValidationFailed(
            "id is required for EXTERNAL documents",
            de="id ist bei externen Belegen erforderlich",
            field="id",
        )
    currency, rate = invoice_currency(books, data.currency, data.currency_rate)
    party = resolve_party(
        session,
        tenant_id=books.tenant_id,
        customer=data.customer,
        customer_name=data.customer_name,
        additional_address=data.additional_address,
        address_info=data.address_info,
    )
    resolved = resolve_lines(session, books, data.lines)
    resolved = check_deposit_lines(session, books.tenant_id, data.doc_type, party, resolved)
    amounts = compute_document(
        [r.spec for r in resolved],
        currency,
        validate=state is not State.STAGING,
        normalize=data.normalize,
        given_totals=data.totals,
    )
    doc_id = uuid.uuid4()
    row = _row(
        session,
        books,
        data,
        state=state,
        links=links,
        party=party,
        totals=amounts.totals,
        doc_id=doc_id,
        clock=clock,
    )
    _deposit_terms(session, books, data, party, row)
    row.update(currency=currency.code, currency_rate=rate)
    lines = [
        _line_row(books.tenant_id, doc_id, r, a)
        for r, a in zip(resolved, amounts.lines, strict=True)
    ]
    return Doc(row, lines, []), party, resolved


def _row(
    session: Session,
    books: TenantBooks,
    data: DocumentInput,
    *,
    state: State,
    links: Links,
    party: Party,
    totals: Amounts,
    doc_id: uuid.UUID,
    clock: Clock,
) -> dict[str, Any]:
    texts = dict(data.texts)
    term = (
        payment_term(session, books.tenant_id, data.payment_term)
        if data.doc_type in WITH_TERMS
        else None
    )
    group = None
    if state is not State.EXTERNAL:
        group = sequence_group_id(session, books.tenant_id, data.sequence_group or None)
        setup = layout_setup(session, books.tenant_id, data.layout_setup)
        for key in ("description", "footer"):
            if texts.get(key) is None:
                texts[key] = getattr(setup.texts_for(data.doc_type), key)
    else:
        texts.setdefault("description", "")
        texts.setdefault("footer", "")
        setup = None
    texts.update(
        {
            "addressInfo": party.address_info,
            "address": party.address,
            "selfBilling": data.self_billing,
            "billingGroup": data.billing_group,
            "operatingSite": data.operating_site,
            "additionalAddress": str(party.additional_address)
            if party.additional_address
            else None,
        }
    )
    now = clock.now()
    return {
        "tenant_id": books.tenant_id,
        "id": doc_id,
        "doc_type": data.doc_type.value,
        "state": state.value,
        "number": data.number.strip() if state is State.EXTERNAL and data.number else None,
        "type_code": (links.type_code or _type_code(data)).value,
        "sign": -1 if data.doc_type is DocumentType.CREDIT_MEMO else links.sign,
        "doc_date": data.doc_date,
        "due_date": _due_date(data, term),
        "dunning_date": None,
        "paid_date": None,
        "customer_id": party.customer_id,
        "customer_name": party.name,
        "net": totals.net,
        "tax": totals.tax,
        "total": totals.total,
        "remaining": totals.total if data.doc_type in PAYABLE else Decimal(0),
        "payment_term_id": term.id if term else None,
        "layout_setup_id": setup.id if setup and state is State.FINALIZED else None,
        "sequence_group_id": group,
        "unpaid_account": (party.contra_account or books.chart.receivables)
        if books.mode is AccountingMode.DE
        else None,
        "journal_id": None,
        "completion_state": None,
        "completion_date": None,
        "cancelled_date": None,
        "related_id": links.related_id,
        "source_id": links.source_id,
        "deposit_settled_by": None,
        "fields": texts,
        "created_at": now,
        "updated_at": now,
    }


def _deposit_terms(
    session: Session, books: TenantBooks, data: DocumentInput, party: Party, row: dict[str, Any]
) -> None:
    """Agreed deposits of an order confirmation; the order a deposit invoice belongs to."""
    if data.texts.get("deposits"):
        if data.doc_type is not DocumentType.ORDER_CONFIRMATION:
            raise ValidationFailed(
                "deposits are agreed on order confirmations only",
                de="Anzahlungen gibt es nur bei Auftragsbestätigungen",
                field="deposits",
            )
        row["fields"]["deposits"] = agreed_deposits(data.texts, row["total"])
    order = data.texts.get("depositFor")
    if order:
        if data.doc_type is not DocumentType.INVOICE:
            raise ValidationFailed(
                "depositFor is allowed on invoices only",
                de="depositFor ist nur bei Rechnungen erlaubt",
                field="depositFor",
            )
        row["source_id"] = check_deposit_invoice(
            session, books.tenant_id, order, party, row["total"]
        )


def _type_code(data: DocumentInput) -> TypeCode:
    if data.texts.get("depositFor"):
        return TypeCode.PREPAYMENT_INVOICE
    if data.doc_type is DocumentType.CREDIT_MEMO:
        return TypeCode.SELF_BILLED_CREDIT_NOTE if data.self_billing else TypeCode.CREDIT_NOTE
    return TypeCode.SELF_BILLED_INVOICE if data.self_billing else TypeCode.INVOICE


def _due_date(data: DocumentInput, term: Any) -> date | None:
    """Seed 003 §3.4: dueDate = date + dueDays of the payment term; a manual due date only
    where the term has no fixed due date."""
    if data.doc_type is not DocumentType.INVOICE or data.doc_date is None:
        return None
    if data.due_date is not None:
        if term is not None and term.fixed_due_date:
            raise ValidationFailed(
                "dueDate is fixed by the payment term",
                de="dueDate ist durch die Zahlungsbedingung festgelegt",
                field="dueDate",
            )
        return data.due_date
    return data.doc_date + timedelta(days=term.due_days) if term is not None else None


def _line_row(
    tenant_id: uuid.UUID, doc_id: uuid.UUID, resolved: ResolvedLine, amounts: Amounts
) -> dict[str, Any]:
    spec = resolved.spec
    return {
        "tenant_id": tenant_id,
        "document_id": doc_id,
        "line_no": spec.index + 1,
        "line_type": spec.line_type.value,
        "item_id": resolved.item_id,
        "quantity": spec.quantity,
        "item_price": spec.item_price,
        "item_price_type": spec.item_price_type.value if spec.item_price_type else None,
        "discount": spec.discount,
        "discount_mode": spec.discount_mode.value,
        "account": resolved.account,
        "tax_entry": resolved.tax_entry,
        "tax_rate": spec.tax_rate,
        "net": amounts.net,
        "tax": amounts.tax,
        "total": amounts.total,
        "remaining": amounts.total if spec.line_type.counted else Decimal(0),
        "fields": resolved.texts,
    }


def _issue(
    session: Session,
    books: TenantBooks,
    doc: Doc,
    data: DocumentInput,
    *,
    party: Party,
    resolved: list[ResolvedLine],
    actor: Actor,
    clock: Clock,
) -> None:
    row = doc.row
    if row["state"] == State.FINALIZED:
        context = NumberingContext(
            doc_type=doc.doc_type,
            customer_type=party.customer_type,
            country=party.country,
            billing_group=data.billing_group,
            operating_site=data.operating_site,
        )
        row["number"] = allocate_document_number(
            session,
            tenant_id=books.tenant_id,
            doc_type=doc.doc_type,
            doc_date=row["doc_date"],
            context=context,
            sequence_group_id=row["sequence_group_id"],
        )
        save_doc(session, doc, "number")
    journal_id = book_issue(session, books, doc, actor=actor, clock=clock)
    if journal_id is not None:
        row["journal_id"] = journal_id
        save_doc(session, doc, "journal_id")
        add_history(
            session,
            doc,
            entry_type=HistoryType.RECEIVABLES,
            entry_date=row["doc_date"],
            amount=row["total"],
            clock=clock,
            is_payment=False,
            journal_id=journal_id,
        )
    settle_deposits(session, doc, resolved, clock=clock)
    payload = {
        "id": str(doc.id),
        "type": doc.doc_type.value,
        "number": row["number"],
        "state": row["state"],
    }
    enqueue(
        session, tenant_id=books.tenant_id, topic="document.finalized", payload=payload, clock=clock
    )
    if row["state"] == State.FINALIZED:
        enqueue(
            session, tenant_id=books.tenant_id, topic="render.pdf", payload=payload, clock=clock
        )


def snapshot(doc: Doc) -> dict[str, Any]:
    row = doc.row
    return {
        "type": row["doc_type"],
        "state": row["state"],
        "number": row["number"],
        "date": row["doc_date"],
        "customer": row["customer_name"],
        "net": row["net"],
        "tax": row["tax"],
        "total": row["total"],
        "remaining": row["remaining"],
        "lines": len(doc.lines),
    }
