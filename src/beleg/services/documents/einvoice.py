"""The e-invoice of an issued invoice or credit note (e-invoicing issue, items 1, 2 and 5):
its EN 16931 terms from the document as issued (its printed buyer, lines, totals and service
period), the tenant's company as the seller and, for a credit note or correction, the
document it refers to (BT-25/BT-26); rendered in the format asked for and validated in every
layer before it is answered. What the document or the seller lacks is refused naming every
missing term, an e-invoice that breaks a rule with the rule ids (nothing is stored).

Formats: ``xrechnung-cii`` and ``xrechnung-ubl`` (XRechnung 3.0), ``zugferd`` (the document's
PDF/A-3 with the Factur-X EN 16931 CII inside).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.banking.mandates import active_mandates
from beleg.db.contacts import customers as customers_db
from beleg.db.database import Database
from beleg.db.documents import store
from beleg.db.ledger import main_currency_and_closing
from beleg.db.tenancy.company import load_company
from beleg.domain.contacts.customers import CustomerProfile, PaymentMethod
from beleg.domain.contacts.einvoicing import EInvoiceFormat, EInvoicing
from beleg.domain.documents.model import PAYABLE
from beleg.domain.documents.records import SalesDocument
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.numbering.counters import DocumentType
from beleg.domain.tenancy.company import CompanyData
from beleg.formats.einvoice.ebinterface import ebinterface_problems
from beleg.formats.einvoice.syntax import Syntax, render
from beleg.formats.einvoice.terms import (
    Attachment,
    Buyer,
    DirectDebit,
    EInvoiceSource,
    Preceding,
    Problem,
    problems_of,
    terms_of,
)
from beleg.formats.einvoice.validation import FailedAssertion, validate
from beleg.formats.einvoice.zugferd import embedded
from beleg.messages import text
from beleg.services.documents.pdf import store_pdf

EMAIL_SCHEME = "EM"  # CEF EAS: an e-mail address as the buyer's electronic address (BT-49)


@dataclass(frozen=True, slots=True)
class EInvoiceFile:
    content: bytes
    media_type: str
    file_name: str


def einvoice(
    *, db: Database, tenant_id: uuid.UUID, doc_id: uuid.UUID, kind: EInvoiceFormat, clock: Clock
) -> EInvoiceFile:
    """The e-invoice of document ``doc_id`` in ``kind`` (read only; the PDF of a ZUGFeRD
    invoice is rendered and stored first if the worker has not yet)."""
    with db.reader() as session:
        source = source_of(session, tenant_id, issued_document(session, tenant_id, doc_id))
    made = built(with_pdf(source, kind, db=db, tenant_id=tenant_id, clock=clock), kind)
    if made.problems:
        raise ValidationFailed(
            "einvoice.incomplete",
            field=made.problems[0].field,
            format=kind.value,
            missing=", ".join(p.field for p in made.problems),
        )
    if made.xml is None:
        raise Conflict(
            "einvoice.invalid",
            field="format",
            format=kind.value,
            rules=", ".join(dict.fromkeys(f"{f.layer}:{f.rule}" for f in made.broken)),
        )
    return file_of(made.xml, source.document, kind, db=db, tenant_id=tenant_id, clock=clock)


@dataclass(frozen=True, slots=True)
class Built:
    """An e-invoice made and validated: its XML, or what keeps it from being one (missing
    terms, else the fatal assertions it fails)."""

    xml: bytes | None
    problems: list[Problem]
    broken: list[FailedAssertion]


SYNTAXES = {
    EInvoiceFormat.XRECHNUNG_CII: Syntax.CII,
    EInvoiceFormat.XRECHNUNG_UBL: Syntax.UBL,
    EInvoiceFormat.ZUGFERD: Syntax.CII,
    EInvoiceFormat.EBINTERFACE: Syntax.EBINTERFACE,
}
XRECHNUNG_FORMATS = (EInvoiceFormat.XRECHNUNG_CII, EInvoiceFormat.XRECHNUNG_UBL)


def built(source: EInvoiceSource, kind: EInvoiceFormat) -> Built:
    xrechnung = kind in XRECHNUNG_FORMATS
    problems = problems_of(source, xrechnung=xrechnung)
    if kind is EInvoiceFormat.EBINTERFACE:
        problems += ebinterface_problems(source)
    if problems:
        return Built(None, problems, [])
    syntax = SYNTAXES[kind]
    xml = render(terms_of(source, xrechnung=xrechnung), syntax)
    fatal = [f for f in validate(xml, syntax) if f.fatal]
    return Built(None if fatal else xml, [], fatal)


def with_pdf(
    source: EInvoiceSource,
    kind: EInvoiceFormat,
    *,
    db: Database,
    tenant_id: uuid.UUID,
    clock: Clock,
) -> EInvoiceSource:
    """An XRechnung carries the document's PDF as an additional supporting document (BG-24;
    rendered and stored first if the worker has not yet); a ZUGFeRD invoice *is* that PDF,
    and an ebInterface 6.1 invoice has no place for one (its PDF travels beside it)."""
    if kind not in XRECHNUNG_FORMATS:
        return source
    doc = source.document
    number = doc.number or str(doc.id)
    attachment = Attachment(
        reference=number,
        description=text("einvoice.pdf_attachment", "de", number=number),  # XRechnung: German
        file_name=f"{number}.pdf",
        media_type="application/pdf",
        content=store_pdf(db=db, tenant_id=tenant_id, doc_id=doc.id, clock=clock),
    )
    return replace(source, attachments=(attachment,))


def file_of(
    xml: bytes,
    doc: SalesDocument,
    kind: EInvoiceFormat,
    *,
    db: Database,
    tenant_id: uuid.UUID,
    clock: Clock,
) -> EInvoiceFile:
    """The file a client gets: the XML, or for ZUGFeRD the document's PDF/A-3 with it."""
    if kind is EInvoiceFormat.ZUGFERD:
        pdf = store_pdf(db=db, tenant_id=tenant_id, doc_id=doc.id, clock=clock)
        return EInvoiceFile(
            embedded(pdf, xml, language="de-DE"), "application/pdf", f"{doc.number}.pdf"
        )
    return EInvoiceFile(xml, "application/xml", f"{doc.number}-{kind.value}.xml")


def issued_document(session: Session, tenant_id: uuid.UUID, doc_id: uuid.UUID) -> SalesDocument:
    """The issued invoice or credit note ``doc_id``: only those have e-invoices."""
    doc = store.find_document_by_id(session, tenant_id, doc_id)
    if doc is None:
        raise NotFound("einvoice.document_not_found", field="id", id=doc_id)
    if not doc.issued or doc.doc_type not in PAYABLE or doc.number is None:
        raise Conflict("einvoice.not_an_invoice", field="id", state=doc.state.value)
    return doc


def source_of(session: Session, tenant_id: uuid.UUID, doc: SalesDocument) -> EInvoiceSource:
    """What the e-invoice of the issued ``doc`` is made from."""
    preceding = None
    if doc.related_id is not None:
        related = store.find_document_by_id(session, tenant_id, doc.related_id)
        if related is not None and related.number is not None:
            preceding = Preceding(related.number, related.doc_date)
    main, _ = main_currency_and_closing(session, tenant_id)
    seller = load_company(session, tenant_id)
    profile = None
    if doc.customer_id is not None:  # read once: the buyer's terms and how it pays
        profile = customers_db.customer(session, tenant_id, doc.customer_id).profile
    return EInvoiceSource(
        document=doc,
        seller=seller,
        buyer=_buyer(doc, profile),
        accounting_currency=main.code,
        preceding=preceding,
        direct_debit=_direct_debit(session, tenant_id, doc, profile, seller),
    )


def _direct_debit(
    session: Session,
    tenant_id: uuid.UUID,
    doc: SalesDocument,
    profile: CustomerProfile | None,
    seller: CompanyData,
) -> DirectDebit | None:
    """How an invoice of a customer paying by SEPA direct debit is collected: under the
    customer's active mandate (the one a direct-debit batch collects it with), in euros
    (SEPA). None for a credit note (paid out, not collected), another payment method, or a
    customer without an active mandate, whose invoice asks for a transfer."""
    if doc.doc_type is not DocumentType.INVOICE or doc.currency.code != "EUR":
        return None
    if doc.customer_id is None or profile is None:
        return None
    if profile.payment_method is not PaymentMethod.SEPA_DIRECT_DEBIT:
        return None
    mandate = active_mandates(session, tenant_id, [doc.customer_id], lock=False).get(
        doc.customer_id
    )
    if mandate is None:
        return None
    return DirectDebit(mandate.reference, seller.creditor_id, mandate.iban)


def _buyer(doc: SalesDocument, profile: CustomerProfile | None) -> Buyer:
    """The buyer as the document printed it (its stored address) with the customer's VAT
    ID and e-invoicing parameters (buyer reference, electronic address); without an
    electronic address of its own, the buyer's e-mail is one (scheme ``EM``)."""
    address: dict[str, Any] = dict(doc.texts.get("address") or {})
    vat_id, parameters = address.get("vatId"), EInvoicing()
    if profile is not None:
        vat_id, parameters = profile.vat_id, profile.e_invoicing or parameters
    street = address.get("street") or " ".join(
        str(p) for p in (address.get("streetName"), address.get("streetNumber")) if p
    )
    email = address.get("emailAddress") or address.get("email")
    electronic, scheme = parameters.electronic_address, parameters.electronic_address_scheme
    if electronic is None and email:
        electronic, scheme = email, EMAIL_SCHEME
    return Buyer(
        name=doc.customer_name or "-",
        country=address.get("country"),
        street=street or None,
        postcode=address.get("zipCode"),
        city=address.get("city"),
        vat_id=vat_id,
        email=email,
        reference=parameters.buyer_reference,
        electronic_address=electronic,
        electronic_address_scheme=scheme,
    )
