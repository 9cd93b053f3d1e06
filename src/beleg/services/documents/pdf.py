"""PDFs of finalized sales documents (seed 003 §3.4 "PDF", ``GET .../document``).

Rendering runs after commit: issuing a document leaves a ``render.pdf`` event in the outbox,
which ``render_pending`` (in worker processes, never in a request, any number of them in
parallel) turns into the stored PDF. A request for a PDF that is not rendered yet renders it
on the spot and stores it. The printed view model is stored beside the PDF (golden-testable).
Drafts and EXTERNAL documents have no PDF (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.banking import mandates as mandates_db
from beleg.db.contacts import customers as customers_db
from beleg.db.database import Database
from beleg.db.documents import files, references, store
from beleg.db.documents.setup import layout_setup
from beleg.db.outbox import run_pending
from beleg.db.tenancy import company as company_db
from beleg.domain.contacts.customers import PaymentMethod
from beleg.domain.documents.model import DiscountMode, LineType, State
from beleg.domain.documents.records import DocumentLine, SalesDocument
from beleg.domain.documents.setup import Sender
from beleg.domain.errors import NotFound
from beleg.domain.ledger.tax import AmountType
from beleg.domain.numbering.counters import DocumentType
from beleg.formats.pdf.layout import build_layout
from beleg.formats.pdf.model import (
    Correction,
    Customer,
    DirectDebitNotice,
    DocumentKind,
    DocumentLayoutInput,
    LayoutLine,
    LineKind,
    Notes,
    Payment,
    Seller,
    TaxGroup,
    Totals,
)
from beleg.formats.pdf.render import render_pdf

LINE_KINDS = {
    LineType.OFFER_OPTION: LineKind.OFFER_OPTION,
    LineType.TOTAL_DISCOUNT: LineKind.TOTAL_DISCOUNT,
    LineType.ON_ACCT: LineKind.ON_ACCT,
    LineType.CASH_IN_CM: LineKind.ON_ACCT,
}
RENDER_TOPIC = "render.pdf"
ADDRESS_KEYS = (("streetName", "streetNumber"), ("zipCode", "city"), ("country",))


def render_pending(
    *, db: Database, tenant_id: uuid.UUID | None, clock: Clock, limit: int = 50
) -> int:
    """Render the PDFs whose events are pending (of one tenant, or all)."""
    return run_pending(
        db=db,
        handlers={RENDER_TOPIC: render_pdf_event},
        clock=clock,
        limit=limit,
        tenant_id=tenant_id,
    )


def render_pdf_event(
    db: Database, tenant_id: uuid.UUID, payload: dict[str, Any], clock: Clock
) -> None:
    """The outbox handler of ``render.pdf`` (payload ``{"id": document id}``): idempotent, a
    stored PDF is kept as it is."""
    store_pdf(db=db, tenant_id=tenant_id, doc_id=uuid.UUID(payload["id"]), clock=clock)


def rendered_pdf(
    *, db: Database, tenant_id: uuid.UUID, doc_type: DocumentType, number: str, clock: Clock
) -> bytes:
    """The stored PDF of a finalized document, rendered now if the worker has not yet."""
    with db.reader() as session:
        doc = store.find_document(session, tenant_id, doc_type, number)
    if doc is None or doc.state is State.EXTERNAL or doc.layout_setup_id is None:
        raise NotFound(
            "documents.no_pdf", field="number", kind=doc_type.value.lower(), number=number
        )
    return store_pdf(db=db, tenant_id=tenant_id, doc_id=doc.id, clock=clock)


def store_pdf(*, db: Database, tenant_id: uuid.UUID, doc_id: uuid.UUID, clock: Clock) -> bytes:
    """The document's PDF: the stored one, or rendered and stored with its view model.

    The layout is read in one short read, rendered outside any transaction (about a tenth of
    a second to a second of CPU) and stored in a short write; if another worker stored it
    meanwhile, that copy wins and is returned."""
    with db.reader() as session:
        existing = files.stored_pdf(session, tenant_id, doc_id)
        if existing is not None:
            return existing
        data = layout_input(session, tenant_id=tenant_id, doc_id=doc_id)
    view = build_layout(data)
    content = render_pdf(view)
    with db.transaction() as session:
        stored = files.insert_pdf(
            session,
            tenant_id,
            doc_id,
            content=content,
            layout=_jsonable(view),
            rendered_at=clock.now(),
        )
    if stored:
        return content
    with db.reader() as session:  # another worker stored it first: serve the stored copy
        return files.stored_pdf(session, tenant_id, doc_id) or content


def layout_input(
    session: Session, *, tenant_id: uuid.UUID, doc_id: uuid.UUID
) -> DocumentLayoutInput:
    """What the PDF of a stored document prints (seed 003 §3.4; § 14 Abs. 4 UStG contents),
    read in the caller's transaction."""
    doc = store.document_by_id(session, tenant_id, doc_id, lock=False)
    tenant_name, main = references.tenant_name_and_currency(session, tenant_id)
    setup = layout_setup(session, tenant_id, doc.layout_setup_id)
    sender = setup.sender
    foreign = doc.currency != main
    return DocumentLayoutInput(
        kind=_kind(doc),
        number=doc.number or "",
        date=doc.doc_date,
        language=setup.language.value,
        currency=doc.currency.code,
        seller=_seller(sender, tenant_name),
        customer=_customer(doc),
        lines=tuple(_layout_line(ln) for ln in doc.lines),
        totals=None if doc.doc_type is DocumentType.DELIVERY_NOTE else _totals(doc),
        due_date=doc.due_date,
        intro=doc.texts.get("description"),
        footer=doc.texts.get("footer"),
        main_currency=main.code if foreign else None,
        currency_rate=doc.currency_rate if foreign else None,
        notes=_notes(doc.texts),
        payment=Payment(
            epc_qr=doc.doc_type is DocumentType.INVOICE
            and doc.sign > 0
            and doc.currency.code == "EUR"
            and bool(sender.iban),
            direct_debit=_direct_debit(session, tenant_id, doc),
        ),
    )


def _direct_debit(
    session: Session, tenant_id: uuid.UUID, doc: SalesDocument
) -> DirectDebitNotice | None:
    """The SEPA pre-notification of an EUR invoice whose customer pays by SEPA direct debit:
    with the customer's active mandate ours, without one a payment provider's (seed 002)."""
    payable = doc.doc_type is DocumentType.INVOICE and doc.sign > 0
    if not payable or doc.customer_id is None or doc.currency.code != "EUR":
        return None
    try:
        customer = customers_db.customer(session, tenant_id, doc.customer_id)
    except NotFound:  # a walk-in name only, or a supplier
        return None
    if customer.profile.payment_method is not PaymentMethod.SEPA_DIRECT_DEBIT:
        return None
    found = mandates_db.active_mandates(session, tenant_id, [doc.customer_id], lock=False)
    mandate = found.get(doc.customer_id)
    if mandate is None:
        return DirectDebitNotice(None, None, None, doc.due_date)
    creditor = company_db.load_company(session, tenant_id).creditor_id
    return DirectDebitNotice(mandate.reference, creditor, mandate.iban, doc.due_date)


def _seller(sender: Sender, tenant_name: str) -> Seller:
    """The layout's sender; the tenant's name when the layout names no company."""
    return Seller(
        name=sender.company_name or tenant_name,
        address_lines=sender.address_lines,
        vat_id=sender.vat_id,
        iban=sender.iban,
        bic=sender.bic,
        bank_name=sender.bank_name,
    )


def _customer(doc: SalesDocument) -> Customer:
    address = doc.texts.get("address") or {}
    return Customer(
        name=doc.customer_name or "",
        address_lines=_address_lines(address),
        vat_id=address.get("vatNumber"),
    )


def _kind(doc: SalesDocument) -> DocumentKind:
    if doc.doc_type is DocumentType.INVOICE and doc.sign < 0:
        return DocumentKind.CANCELLATION
    return DocumentKind(doc.doc_type.value)


def _address_lines(address: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    for keys in ADDRESS_KEYS:
        text = " ".join(str(address[k]) for k in keys if address.get(k))
        if text:
            out.append(text)
    return tuple(out)


def _layout_line(line: DocumentLine) -> LayoutLine:
    texts = line.texts
    discount = None
    if line.discount:
        discount = (
            f"{line.discount.normalize():f} %"
            if line.discount_mode is DiscountMode.RATE
            else f"{line.discount.normalize():f}"
        )
    return LayoutLine(
        name=texts.get("name") or "",
        net=line.net,
        total=line.total,
        kind=LINE_KINDS.get(line.line_type, LineKind.LINE),
        position=line.line_no,
        description=texts.get("description"),
        quantity=line.quantity,
        unit=texts.get("unitOfMeasure"),
        unit_price=line.item_price,
        price_type=line.item_price_type or AmountType.NET,
        discount=discount,
        tax_rate=line.tax_rate,
    )


def _totals(doc: SalesDocument) -> Totals:
    groups: dict[Decimal, list[Decimal]] = {}
    for line in doc.lines:
        if line.line_type.counted:
            group = groups.setdefault(line.tax_rate, [Decimal(0), Decimal(0)])
            group[0] += line.net
            group[1] += line.tax
    paid = doc.total - doc.remaining if doc.total != doc.remaining else None
    return Totals(
        net=doc.net,
        tax_groups=tuple(TaxGroup(rate, net, tax) for rate, (net, tax) in sorted(groups.items())),
        total=doc.total,
        already_paid=paid if paid and paid > 0 else None,
        amount_due=doc.remaining if paid else None,
    )


def _notes(texts: Mapping[str, Any]) -> Notes:
    """The corrected document (BT-25/BT-26) and the reason a document was created."""
    correction = None
    if texts.get("relatedDocument") and texts.get("relatedDocumentDate"):
        correction = Correction(
            number=texts["relatedDocument"], date=date.fromisoformat(texts["relatedDocumentDate"])
        )
    exemptions = tuple(texts.get("taxExemptions") or ())
    return Notes(
        tax_exemptions=exemptions, correction=correction, reason=texts.get("creationReason")
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
