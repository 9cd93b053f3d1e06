"""PDFs of finalized sales documents (seed 003 §3.4 "PDF", ``GET .../document``).

Rendering runs after commit: issuing a document leaves a ``render.pdf`` event in the outbox,
which ``render_pending`` (the API after its response, or ``beleg worker`` processes in
parallel) turns into the stored PDF. A request for a PDF that is not rendered yet renders it
on the spot and stores it. The printed view model is stored beside the PDF (golden-testable).
Drafts and EXTERNAL documents have no PDF (404).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.documents.setup import layout_setup
from beleg.db.outbox import run_pending
from beleg.db.tables import (
    sales_document_files,
    sales_document_lines,
    sales_documents,
    tenants,
)
from beleg.domain.documents.model import LineType
from beleg.domain.errors import NotFound
from beleg.domain.ledger.tax import AmountType
from beleg.domain.numbering.counters import DocumentType
from beleg.formats.pdf.layout import (
    Correction,
    Customer,
    DocumentKind,
    DocumentLayoutInput,
    LayoutLine,
    LineKind,
    Notes,
    Payment,
    Seller,
    TaxGroup,
    Totals,
    build_layout,
)
from beleg.formats.pdf.render import render_pdf

LINE_KINDS = {
    LineType.OFFER_OPTION: LineKind.OFFER_OPTION,
    LineType.TOTAL_DISCOUNT: LineKind.TOTAL_DISCOUNT,
    LineType.ON_ACCT: LineKind.ON_ACCT,
    LineType.CASH_IN_CM: LineKind.ON_ACCT,
}
ADDRESS_KEYS = (("streetName", "streetNumber"), ("zipCode", "city"), ("country",))


def render_pending(
    *, db: Database, tenant_id: uuid.UUID | None, clock: Clock, limit: int = 50
) -> int:
    """Render the PDFs whose events are pending (of one tenant, or all)."""
    return run_pending(
        db=db, handlers={"render.pdf": _handle}, clock=clock, limit=limit, tenant_id=tenant_id
    )


def _handle(db: Database, tenant_id: uuid.UUID, payload: dict[str, Any], clock: Clock) -> None:
    store_pdf(db, tenant_id, uuid.UUID(payload["id"]), clock)


def rendered_pdf(
    *, db: Database, tenant_id: uuid.UUID, doc_type: DocumentType, number: str, clock: Clock
) -> bytes:
    """The stored PDF of a finalized document, rendered now if the worker has not yet."""
    with db.reader() as session:
        row = session.execute(
            select(
                sales_documents.c.id, sales_documents.c.state, sales_documents.c.layout_setup_id
            ).where(
                sales_documents.c.tenant_id == tenant_id,
                sales_documents.c.doc_type == doc_type.value,
                sales_documents.c.number == number,
            )
        ).one_or_none()
    if row is None or row.state == "EXTERNAL" or row.layout_setup_id is None:
        raise NotFound(
            f"no PDF exists for {doc_type.value.lower()} {number}",
            de="Dokument nicht gefunden.",
            field="number",
        )
    return store_pdf(db, tenant_id, row.id, clock)


def store_pdf(db: Database, tenant_id: uuid.UUID, doc_id: uuid.UUID, clock: Clock) -> bytes:
    """The document's PDF: the stored one, or rendered and stored with its view model.

    The layout is read in one short read, rendered outside any transaction (about a tenth of
    a second to a second of CPU) and stored in a short write; if another worker stored it
    meanwhile, that copy wins and is returned."""
    with db.reader() as session:
        existing = _stored(session, tenant_id, doc_id)
        if existing is not None:
            return existing
        data = layout_input(session, tenant_id, doc_id)
    view = build_layout(data)
    content = render_pdf(view)
    try:
        with db.transaction() as session:
            session.execute(
                insert(sales_document_files).values(
                    tenant_id=tenant_id,
                    document_id=doc_id,
                    kind="pdf",
                    content=content,
                    layout=_jsonable(view),
                    rendered_at=clock.now(),
                )
            )
    except IntegrityError:  # another worker stored it first: serve the stored copy
        with db.reader() as session:
            return _stored(session, tenant_id, doc_id) or content
    return content


def _stored(session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID) -> bytes | None:
    return session.execute(
        select(sales_document_files.c.content).where(  # type: ignore[no-any-return]
            sales_document_files.c.tenant_id == tenant_id,
            sales_document_files.c.document_id == doc_id,
            sales_document_files.c.kind == "pdf",
        )
    ).scalar_one_or_none()


def layout_input(session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID) -> DocumentLayoutInput:
    """What the PDF of a stored document prints (seed 003 §3.4; § 14 Abs. 4 UStG contents)."""
    row = session.execute(
        select(sales_documents).where(
            sales_documents.c.tenant_id == tenant_id, sales_documents.c.id == doc_id
        )
    ).one()
    lines = session.execute(
        select(sales_document_lines)
        .where(
            sales_document_lines.c.tenant_id == tenant_id,
            sales_document_lines.c.document_id == doc_id,
        )
        .order_by(sales_document_lines.c.line_no)
    ).all()
    tenant = session.execute(select(tenants).where(tenants.c.id == tenant_id)).one()
    setup = layout_setup(
        session, tenant_id, str(row.layout_setup_id) if row.layout_setup_id else None
    )
    fields: dict[str, Any] = row.fields
    sender = setup.sender
    seller = Seller(
        name=sender.company_name or tenant.name,
        address_lines=sender.address_lines,
        vat_id=sender.vat_id,
        iban=sender.iban,
        bic=sender.bic,
        bank_name=sender.bank_name,
    )
    address = fields.get("address") or {}
    customer = Customer(
        name=row.customer_name or "",
        address_lines=_address_lines(address),
        vat_id=address.get("vatNumber"),
    )
    return DocumentLayoutInput(
        kind=_kind(row),
        number=row.number or "",
        date=row.doc_date,
        language=setup.language.value,
        currency=row.currency,
        seller=seller,
        customer=customer,
        lines=tuple(_layout_line(ln) for ln in lines),
        totals=None if row.doc_type == DocumentType.DELIVERY_NOTE else _totals(row, lines),
        due_date=row.due_date,
        intro=fields.get("description"),
        footer=fields.get("footer"),
        main_currency=tenant.currency if row.currency != tenant.currency else None,
        currency_rate=row.currency_rate if row.currency != tenant.currency else None,
        notes=_notes(row),
        payment=Payment(
            epc_qr=row.doc_type == DocumentType.INVOICE
            and row.sign > 0
            and row.currency == "EUR"
            and bool(sender.iban)
        ),
    )


def _kind(row: Any) -> DocumentKind:
    if row.doc_type == DocumentType.INVOICE and row.sign < 0:
        return DocumentKind.CANCELLATION
    return DocumentKind(row.doc_type)


def _address_lines(address: dict[str, Any]) -> tuple[str, ...]:
    out = []
    for keys in ADDRESS_KEYS:
        text = " ".join(str(address[k]) for k in keys if address.get(k))
        if text:
            out.append(text)
    return tuple(out)


def _layout_line(line: Any) -> LayoutLine:
    texts: dict[str, Any] = line.fields
    kind = LineType(line.line_type)
    discount = None
    if line.discount:
        discount = (
            f"{line.discount.normalize():f} %"
            if line.discount_mode == "RATE"
            else f"{line.discount.normalize():f}"
        )
    return LayoutLine(
        name=texts.get("name") or "",
        net=line.net,
        total=line.total,
        kind=LINE_KINDS.get(kind, LineKind.LINE),
        position=line.line_no,
        description=texts.get("description"),
        quantity=line.quantity,
        unit=texts.get("unitOfMeasure"),
        unit_price=line.item_price,
        price_type=AmountType(line.item_price_type or "N"),
        discount=discount,
        tax_rate=line.tax_rate,
    )


def _totals(row: Any, lines: list[Any]) -> Totals:
    groups: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        if LineType(line.line_type).counted:
            group = groups.setdefault(line.tax_rate, [Decimal(0), Decimal(0)])
            group[0] += line.net
            group[1] += line.tax
    paid = row.total - row.remaining if row.total != row.remaining else None
    return Totals(
        net=row.net,
        tax_groups=tuple(TaxGroup(rate, net, tax) for rate, (net, tax) in sorted(groups.items())),
        total=row.total,
        already_paid=paid if paid and paid > 0 else None,
        amount_due=row.remaining if paid else None,
    )


def _notes(row: Any) -> Notes:
    """The corrected document (BT-25/BT-26) and the reason a document was created."""
    fields: dict[str, Any] = row.fields
    correction = None
    if fields.get("relatedDocument") and fields.get("relatedDocumentDate"):
        correction = Correction(
            number=fields["relatedDocument"], date=date.fromisoformat(fields["relatedDocumentDate"])
        )
    exemptions = tuple(fields.get("taxExemptions") or ())
    return Notes(
        tax_exemptions=exemptions, correction=correction, reason=fields.get("creationReason")
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
