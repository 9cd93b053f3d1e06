"""What a document's mail carries, gathered at send time outside any transaction (ADR 0021):
the document's PDF (rendered now if the worker has not yet), its e-invoice when its customer
receives one, and the files of its contracts flagged ``send_by_mail``; a receipt mail's cash
receipt as its PDF (ADR 0025).

The e-invoice goes as its format wants it: an XRechnung as its XML beside the PDF (the XML
carries the PDF too, BG-24); a ZUGFeRD invoice *is* the PDF, so the PDF mailed is the
PDF/A-3 with the CII inside, and no separate XML. An e-invoice in ERROR holds the mail back
(``HeldBack``): a customer who must receive it cannot use the PDF alone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from beleg import messages
from beleg.adapters.mail import Attachment
from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.delivery import recipients as facts_db
from beleg.db.pos.printing import print_facts
from beleg.domain.contacts.einvoicing import EInvoiceFormat
from beleg.domain.delivery.mails import Mail, ReceiptRef
from beleg.domain.documents.einvoices import EInvoiceRecord, EInvoiceState
from beleg.formats.pdf.render import render_receipt_pdf
from beleg.formats.receipt_print import printed
from beleg.services.documents.einvoice import file_of, issued_document
from beleg.services.documents.einvoice_workflow import prepare_einvoice
from beleg.services.documents.pdf import store_pdf

DELIVERABLE = (EInvoiceState.VALIDATED, EInvoiceState.SENT)


class HeldBack(Exception):
    """The mail cannot go yet (its e-invoice is in error); not an attempt."""


@dataclass(frozen=True, slots=True)
class Gathered:
    """The files of a mail, and the e-invoice among them (marked SENT once the server took
    the mail)."""

    files: tuple[Attachment, ...]
    einvoice: EInvoiceRecord | None


def gathered(db: Database, tenant_id: uuid.UUID, mail: Mail, clock: Clock) -> Gathered:
    if mail.receipt is not None:
        return Gathered((receipt_file(db, tenant_id, mail.receipt, mail.language),), None)
    if mail.document_id is None:
        return Gathered((), None)
    doc_id = mail.document_id
    pdf = store_pdf(db=db, tenant_id=tenant_id, doc_id=doc_id, clock=clock)
    with db.reader() as session:
        number = facts_db.document_number(session, tenant_id, doc_id)
        extra = facts_db.mailed_contract_files(session, tenant_id, doc_id)
    name = file_name(mail, number)
    einvoice = prepare_einvoice(db=db, tenant_id=tenant_id, doc_id=doc_id, clock=clock)
    if einvoice is not None and einvoice.state is EInvoiceState.ERROR:
        raise HeldBack(messages.text("delivery.mail_einvoice_error"))
    if einvoice is None or einvoice.state not in DELIVERABLE or einvoice.content is None:
        files, einvoice = [Attachment(f"{name}.pdf", "application/pdf", pdf)], None
    elif einvoice.format is EInvoiceFormat.ZUGFERD:
        hybrid = _zugferd(db, tenant_id, doc_id, einvoice.content, clock)
        files = [Attachment(f"{name}.pdf", "application/pdf", hybrid)]
    else:
        files = [
            Attachment(f"{name}.pdf", "application/pdf", pdf),
            Attachment(f"{name}.xml", "application/xml", einvoice.content),
        ]
    files += [Attachment(file, media, content) for file, media, content in extra]
    return Gathered(tuple(files), einvoice)


def _zugferd(
    db: Database, tenant_id: uuid.UUID, doc_id: uuid.UUID, xml: bytes, clock: Clock
) -> bytes:
    """The document's PDF/A-3 with its validated CII inside (Factur-X 1.0 §5)."""
    with db.reader() as session:
        doc = issued_document(session, tenant_id, doc_id)
    return file_of(
        xml, doc, EInvoiceFormat.ZUGFERD, db=db, tenant_id=tenant_id, clock=clock
    ).content


def receipt_file(
    db: Database, tenant_id: uuid.UUID, receipt: ReceiptRef, language: str
) -> Attachment:
    """The cash receipt's PDF as its register prints it (``Beleg-2022.0075.pdf``,
    ``Receipt-2022.0075.pdf``)."""
    with db.reader() as session:
        facts = print_facts(session, tenant_id, receipt.register, receipt.number)
    content = render_receipt_pdf(printed(facts))
    name = _safe(f"{messages.text('delivery.mail_file_receipt', language)}-{receipt.number}")
    return Attachment(f"{name}.pdf", "application/pdf", content)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name)


def file_name(mail: Mail, number: str | None) -> str:
    """``Rechnung-RE-2026-0001`` (de), ``Invoice-RE-2026-0001`` (en): safe in any mail
    client (letters, digits, ``-_.``)."""
    if mail.kind == "credit_note":
        word = messages.text("delivery.mail_file_credit_note", mail.language)
    else:
        word = messages.text("delivery.mail_file_invoice", mail.language)
    return _safe(f"{word}-{number or mail.document_id}")
