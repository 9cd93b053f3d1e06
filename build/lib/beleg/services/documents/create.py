"""Creating sales documents: STAGING drafts, FINALIZED and EXTERNAL documents (seed 003 §3.4).

One transaction per document: the document and its lines, and (unless it is a draft) its
issue (``services.documents.issue``: number, ledger booking, deposit settlement, outbox
events) and the audit entry commit together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.documents import store
from beleg.db.documents.setup import layout_setup, payment_term, sequence_group_id
from beleg.db.ledger import load_books
from beleg.domain.accounting.currency import invoice_currency
from beleg.domain.audit.chain import AuditAction
from beleg.domain.documents.deposits import agreed_deposits
from beleg.domain.documents.lines import Amounts, compute_document
from beleg.domain.documents.model import PAYABLE, State, TypeCode, parse_enum
from beleg.domain.documents.parties import Party, stored_fields
from beleg.domain.documents.records import DocumentLine, SalesDocument, snapshot
from beleg.domain.documents.setup import LayoutSetup, PaymentTerm
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType, NumberingContext
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import Currency
from beleg.services.documents.deposits import check_deposit_invoice, check_deposit_lines
from beleg.services.documents.issue import ENTITY, issue_document
from beleg.services.documents.lines import DocLineInput, ResolvedLine, resolve_lines
from beleg.services.documents.parties import resolve_party

WITH_TERMS = (DocumentType.INVOICE, DocumentType.OFFER, DocumentType.ORDER_CONFIRMATION)


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


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document built from its input, not stored yet, and what numbering it looks at."""

    document: SalesDocument
    numbering: NumberingContext


@dataclass(frozen=True, slots=True)
class _Setup:
    """The setup a new document refers to (none for EXTERNAL documents but the term)."""

    term: PaymentTerm | None
    group: uuid.UUID | None
    layout: LayoutSetup | None


def create_document(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, data: DocumentInput, clock: Clock
) -> uuid.UUID:
    """Create (and, unless STAGING, issue) a document; returns its id."""
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
) -> SalesDocument:
    """Create (and, unless STAGING, issue) a document in the caller's transaction."""
    books = load_books(session, tenant_id)
    new = build_document(session, books=books, data=data, links=links, clock=clock)
    doc = new.document
    store.insert_document(session, tenant_id, doc)
    if doc.issued:
        doc = issue_document(
            session, actor=actor, books=books, doc=doc, numbering=new.numbering, clock=clock
        )
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
    session: Session, *, books: TenantBooks, data: DocumentInput, links: Links, clock: Clock
) -> NewDocument:
    """The document ``data`` describes, checked and computed but not stored, in the caller's
    transaction (it reads the customer, items, setup and deposit invoices it names)."""
    priced = _priced(session, books, data)
    setup = _setup(session, books, data, priced.state)
    due_date = _due_date(data, setup.term)
    texts = _texts(data, setup.layout, priced.party)
    order_id = _deposit_terms(
        session, books, data, party=priced.party, texts=texts, total=priced.totals.total
    )
    doc = _document(
        books,
        data,
        priced,
        setup,
        links=links,
        due_date=due_date,
        texts=texts,
        source_id=order_id or links.source_id,
        now=clock.now(),
    )
    return NewDocument(doc, _numbering(data, priced.party))


@dataclass(frozen=True, slots=True)
class _Priced:
    """A new document's state, currency, party and computed lines."""

    state: State
    doc_date: date
    currency: Currency
    rate: Decimal
    party: Party
    lines: tuple[DocumentLine, ...]
    totals: Amounts


def _priced(session: Session, books: TenantBooks, data: DocumentInput) -> _Priced:
    state, doc_date = _state(data)
    currency, rate = invoice_currency(books, data.currency, data.currency_rate)
    party = resolve_party(
        session,
        tenant_id=books.tenant_id,
        customer=data.customer,
        customer_name=data.customer_name,
        additional_address=data.additional_address,
        address_info=data.address_info,
    )
    resolved = resolve_lines(session, books=books, lines=data.lines)
    resolved = check_deposit_lines(
        session, tenant_id=books.tenant_id, doc_type=data.doc_type, party=party, lines=resolved
    )
    amounts = compute_document(
        [r.spec for r in resolved],
        currency,
        validate=state is not State.STAGING,
        normalize=data.normalize,
        given_totals=data.totals,
    )
    lines = tuple(_line(r, a) for r, a in zip(resolved, amounts.lines, strict=True))
    return _Priced(state, doc_date, currency, rate, party, lines, amounts.totals)


def _state(data: DocumentInput) -> tuple[State, date]:
    """The state a new document is created in, and its date (both required)."""
    state = parse_enum(State, data.state, "state", State.STAGING)
    if state is State.CANCELLED:
        raise ValidationFailed("documents.state_not_creatable", field="state")
    if data.doc_date is None:
        raise ValidationFailed("documents.required", field="date", name="date")
    if state is State.EXTERNAL and not (data.number or "").strip():
        raise ValidationFailed("documents.external_number_required", field="id")
    return state, data.doc_date


def _setup(session: Session, books: TenantBooks, data: DocumentInput, state: State) -> _Setup:
    """The payment term (invoices, offers, order confirmations) and, unless the document is
    EXTERNAL, its sequence group and layout (the defaults where none is named)."""
    term = (
        payment_term(session, books.tenant_id, data.payment_term)
        if data.doc_type in WITH_TERMS
        else None
    )
    if state is State.EXTERNAL:
        return _Setup(term, None, None)
    group = sequence_group_id(session, books.tenant_id, data.sequence_group or None)
    return _Setup(term, group, layout_setup(session, books.tenant_id, data.layout_setup))


def _texts(data: DocumentInput, layout: LayoutSetup | None, party: Party) -> dict[str, Any]:
    """The stored texts: as given, the layout's description and footer where none is
    given, and the party's address and the document's extensions."""
    texts = dict(data.texts)
    for key in ("description", "footer"):
        if layout is None:
            texts.setdefault(key, "")
        elif texts.get(key) is None:
            texts[key] = getattr(layout.texts_for(data.doc_type), key)
    texts.update(
        stored_fields(
            party,
            self_billing=data.self_billing,
            billing_group=data.billing_group,
            operating_site=data.operating_site,
        )
    )
    return texts


def _document(
    books: TenantBooks,
    data: DocumentInput,
    priced: _Priced,
    setup: _Setup,
    *,
    links: Links,
    due_date: date | None,
    texts: dict[str, Any],
    source_id: uuid.UUID | None,
    now: datetime,
) -> SalesDocument:
    state, party, totals = priced.state, priced.party, priced.totals
    return SalesDocument(
        id=uuid.uuid4(),
        doc_type=data.doc_type,
        state=state,
        number=data.number.strip() if state is State.EXTERNAL and data.number else None,
        type_code=links.type_code or _type_code(data),
        sign=-1 if data.doc_type is DocumentType.CREDIT_MEMO else links.sign,
        doc_date=priced.doc_date,
        due_date=due_date,
        dunning_date=None,
        paid_date=None,
        customer_id=party.customer_id,
        customer_name=party.name,
        currency=priced.currency,
        currency_rate=priced.rate,
        net=totals.net,
        tax=totals.tax,
        total=totals.total,
        remaining=totals.total if data.doc_type in PAYABLE else Decimal(0),
        payment_term_id=setup.term.id if setup.term else None,
        layout_setup_id=setup.layout.id if setup.layout and state is State.FINALIZED else None,
        sequence_group_id=setup.group,
        unpaid_account=(party.contra_account or books.chart.receivables)
        if books.mode is AccountingMode.DE
        else None,
        journal_id=None,
        completion_state=None,
        completion_date=None,
        cancelled_date=None,
        related_id=links.related_id,
        source_id=source_id,
        deposit_settled_by=None,
        texts=texts,
        created_at=now,
        updated_at=now,
        lines=priced.lines,
    )


def _deposit_terms(
    session: Session,
    books: TenantBooks,
    data: DocumentInput,
    *,
    party: Party,
    texts: dict[str, Any],
    total: Decimal,
) -> uuid.UUID | None:
    """Agreed deposits of an order confirmation (stored checked in ``texts``); the order a
    deposit invoice belongs to (returned)."""
    if data.texts.get("deposits"):
        if data.doc_type is not DocumentType.ORDER_CONFIRMATION:
            raise ValidationFailed("documents.deposits_on_orders_only", field="deposits")
        texts["deposits"] = agreed_deposits(data.texts, total)
    order = data.texts.get("depositFor")
    if not order:
        return None
    if data.doc_type is not DocumentType.INVOICE:
        raise ValidationFailed("documents.deposit_for_on_invoices_only", field="depositFor")
    return check_deposit_invoice(
        session, tenant_id=books.tenant_id, order_number=order, party=party, total=total
    )


def _type_code(data: DocumentInput) -> TypeCode:
    if data.texts.get("depositFor"):
        return TypeCode.PREPAYMENT_INVOICE
    if data.doc_type is DocumentType.CREDIT_MEMO:
        return TypeCode.SELF_BILLED_CREDIT_NOTE if data.self_billing else TypeCode.CREDIT_NOTE
    return TypeCode.SELF_BILLED_INVOICE if data.self_billing else TypeCode.INVOICE


def _due_date(data: DocumentInput, term: PaymentTerm | None) -> date | None:
    """Seed 003 §3.4: dueDate = date + dueDays of the payment term; a manual due date only
    where the term has no fixed due date."""
    if data.doc_type is not DocumentType.INVOICE or data.doc_date is None:
        return None
    if data.due_date is not None:
        if term is not None and term.fixed_due_date:
            raise ValidationFailed("documents.due_date_fixed", field="dueDate")
        return data.due_date
    return data.doc_date + timedelta(days=term.due_days) if term is not None else None


def _line(resolved: ResolvedLine, amounts: Amounts) -> DocumentLine:
    spec = resolved.spec
    return DocumentLine(
        line_no=spec.index + 1,
        line_type=spec.line_type,
        item_id=resolved.item_id,
        quantity=spec.quantity,
        item_price=spec.item_price,
        item_price_type=spec.item_price_type,
        discount=spec.discount,
        discount_mode=spec.discount_mode,
        account=resolved.account,
        tax_entry=resolved.tax_entry,
        tax_rate=spec.tax_rate,
        net=amounts.net,
        tax=amounts.tax,
        total=amounts.total,
        remaining=amounts.total if spec.line_type.counted else Decimal(0),
        texts=resolved.texts,
    )


def _numbering(data: DocumentInput, party: Party) -> NumberingContext:
    return NumberingContext(
        doc_type=data.doc_type,
        customer_type=party.customer_type,
        country=party.country,
        billing_group=data.billing_group,
        operating_site=data.operating_site,
    )
