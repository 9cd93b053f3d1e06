"""Queueing mails (ADR 0021): a mail is a ``mails`` row written in the caller's transaction,
rendered there from the tenant's template (or the built-in one) for its kind and language, so
a rollback sends nothing and the text is fixed when its cause commits. The worker sends it
later (``services/delivery/mail_sending.py``).

The invoice mail (``invoice_mails``, the dispatcher's reaction to ``document.finalized``): a
FINALIZED invoice or credit note that bills a contract (it has billed lines) is mailed, unless
the tenant switched invoice mails off (``PUT /v2/tenant-config/mail``, ``invoiceMails``; seed
002: "new invoices from a contract are always sent to the customer's e-mail address"). It goes
to the invoice recipients its contracts name where any is set, else to the customer's invoice
address (seed 002 "Abweichender Rechnungsempfänger pro Vertrag"), with a copy to that address's
``copyEmailAddress`` (seed 003, CC or BCC); with no address, the mail is stored FAILED with
the reason, visible in ``/v2/mails``, and so is the mail of a document finalised more than
``STALE_AFTER`` before the dispatcher saw it. Documents made by hand through the accounting
API are not mailed by themselves. The language is the document's layout language (what its
PDF prints in).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jinja2 import TemplateError

from beleg import messages
from beleg.clock import Clock
from beleg.db import Session
from beleg.db.delivery import mails as repo
from beleg.db.delivery import recipients as facts_db
from beleg.db.tenancy import business_clock
from beleg.domain.delivery.events import DomainEvent
from beleg.domain.delivery.mails import (
    VARIABLES,
    CopyType,
    MailKind,
    MailSettings,
    MailStatus,
    MailTemplate,
    ReceiptRef,
    checked_address,
    is_plain_address,
    mail_language,
)
from beleg.domain.delivery.retries import GIVE_UP_AFTER
from beleg.domain.errors import ValidationFailed
from beleg.formats import mail as texts

INVOICE_TOPIC = "document.finalized"
MAILED_TYPES = ("INVOICE", "CREDIT_MEMO")
GERMAN_SPEAKING = ("DE", "AT", "CH", "LI")  # admins of tenants there read German
# A document finalised longer ago than the retries last is not mailed by itself (a worker
# that was down for days, events from before mails existed): FAILED with the reason, and
# ``POST /v2/mails/{id}/retry`` sends it.
STALE_AFTER = GIVE_UP_AFTER
Templates = Mapping[tuple[MailKind, str], MailTemplate]


def queue_mail(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    kind: MailKind,
    language: str,
    recipients: Sequence[str],
    context: Mapping[str, str],
    document_id: uuid.UUID | None = None,
    receipt: ReceiptRef | None = None,
    clock: Clock,
) -> uuid.UUID:
    """Queue one mail in the caller's transaction; return its id. ``context`` holds the
    kind's variables (``VARIABLES[kind]``, strings); a missing one is a ValidationFailed.
    ``document_id`` or ``receipt`` names what the worker attaches when it sends the mail."""
    language = mail_language(language)
    addresses = [_address(a, f"recipients[{i}]") for i, a in enumerate(recipients)]
    if not addresses:
        raise ValidationFailed("delivery.mail_no_recipient", field="recipients")
    missing = sorted(set(VARIABLES[kind]) - context.keys())
    if missing:
        raise ValidationFailed(
            "delivery.mail_context_missing", field="context", names=", ".join(missing)
        )
    settings = repo.load_settings(session, tenant_id)
    templates = repo.custom_templates(session, tenant_id, kind=kind)
    now = business_clock(session, tenant_id=tenant_id, system=clock).now()
    row = _row(
        tenant_id=tenant_id, kind=kind, language=language, recipients=addresses,
        context=context, document_id=document_id, settings=settings, templates=templates, now=now,
        receipt=receipt,
    )  # fmt: skip
    repo.insert_mails(session, [row])
    mail_id: uuid.UUID = row["id"]
    return mail_id


def _address(value: str, field: str) -> str:
    checked = checked_address(value, field)
    if checked is None:  # only for None, which a recipient list does not hold
        raise ValidationFailed("delivery.mail_address_invalid", field=field, address=value)
    return checked


def queue_admin_mail(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    kind: MailKind,
    context: Mapping[str, str],
    clock: Clock,
) -> uuid.UUID | None:
    """Queue a notification to the tenant's admins (users with the ADMIN or SUPERUSER role
    and an address), in the caller's transaction; None when no admin has an address. In
    German for tenants in German-speaking countries, else in English. ``context``:
    ``VARIABLES[kind]`` without ``tenant_name`` (filled in here)."""
    admins = facts_db.admin_addresses(session, tenant_id)
    if not admins:
        return None
    full = {"tenant_name": facts_db.tenant_name(session, tenant_id), **context}
    country = facts_db.tenant_country(session, tenant_id)
    return queue_mail(
        session, tenant_id=tenant_id, kind=kind, recipients=admins, context=full, clock=clock,
        language="de" if country in GERMAN_SPEAKING else "en",
    )  # fmt: skip


def invoice_mails(
    session: Session, tenant_id: uuid.UUID, events: Sequence[DomainEvent], clock: Clock
) -> None:
    """The dispatcher's reaction to ``document.finalized`` (see the module docstring): the
    mails of a batch of events in a few set-based reads and one bulk insert."""
    settings = repo.load_settings(session, tenant_id)
    if not settings.invoice_mails:
        return
    wanted = {
        uuid.UUID(e.payload["id"]): e.created_at
        for e in events
        if e.payload.get("state") == "FINALIZED" and e.payload.get("type") in MAILED_TYPES
    }
    documents = facts_db.contract_documents_facts(session, tenant_id, wanted)
    if not documents:
        return
    templates = repo.custom_templates(session, tenant_id)
    tenant = facts_db.tenant_name(session, tenant_id)
    now = business_clock(session, tenant_id=tenant_id, system=clock).now()
    stale_before = min(now, clock.now()) - STALE_AFTER  # whichever clock stamped the event
    rows = []
    for doc in documents:
        kind = MailKind.CREDIT_NOTE if doc.sign < 0 else MailKind.INVOICE
        to = list(doc.contract_recipients) or ([doc.customer_email] if doc.customer_email else [])
        cc, bcc = _copies(doc, to)
        row = _row(
            tenant_id=tenant_id, kind=kind, language=doc.language, recipients=to, cc=cc, bcc=bcc,
            context=invoice_context(doc, tenant), document_id=doc.id, settings=settings,
            templates=templates, now=now,
        )  # fmt: skip
        unusable = [a for a in (*to, *cc, *bcc) if not is_plain_address(a)]
        if not to:  # stored and visible: the next invoice goes out once an address is set
            _failed(row, messages.text("delivery.mail_no_address"))
        elif unusable:  # the contacts' and contracts' own checks are looser than a mail's
            _failed(row, messages.text("delivery.mail_bad_address", addresses=", ".join(unusable)))
        elif wanted[doc.id] < stale_before:  # e.g. events from before mails existed
            _failed(row, messages.text("delivery.mail_stale", day=wanted[doc.id].date()))
        rows.append(row)
    repo.insert_mails(session, rows)


def _copies(doc: facts_db.InvoiceFacts, to: Sequence[str]) -> tuple[list[str], list[str]]:
    """(cc, bcc): the invoice address's copy address (seed 003 ``copyEmailAddress``: "a copy
    of all correspondence"), unless it is a recipient already or there is none."""
    if doc.copy is None or not to or doc.copy[0] in to:
        return [], []
    address, copy_type = doc.copy
    return ([address], []) if copy_type is CopyType.CC else ([], [address])


def _failed(row: dict[str, Any], reason: str) -> None:
    row.update(status=MailStatus.FAILED.value, next_attempt_at=None, last_error=reason)


def invoice_context(doc: facts_db.InvoiceFacts, tenant: str) -> dict[str, str]:
    """The invoice and credit note variables, formatted in the document's language."""
    lang = doc.language
    return {
        "tenant_name": tenant,
        "customer_name": doc.customer_name,
        "document_number": doc.number or "",
        "document_date": texts.day(doc.doc_date, lang),
        "due_date": texts.day(doc.due_date, lang),
        "total": texts.money(abs(doc.total), doc.currency, lang),
        "currency": doc.currency,
    }


def _row(
    *,
    tenant_id: uuid.UUID,
    kind: MailKind,
    language: str,
    recipients: Sequence[str],
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    context: Mapping[str, str],
    document_id: uuid.UUID | None,
    settings: MailSettings,
    templates: Templates,
    now: datetime,
    receipt: ReceiptRef | None = None,
) -> dict[str, Any]:
    language = language if language in texts.LOCALES else "de"
    subject, body = _rendered(kind, language, context, templates)
    return {
        "tenant_id": tenant_id,
        "id": uuid.uuid4(),
        "kind": kind.value,
        "language": language,
        "sender": settings.sender_address,
        "reply_to": settings.reply_to,
        "recipients": list(recipients),
        "cc": list(cc),
        "bcc": list(bcc),
        "subject": subject,
        "body": body,
        "document_id": document_id,
        "receipt_register_no": receipt.register if receipt else None,
        "receipt_number": receipt.number if receipt else None,
        "status": MailStatus.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
    }


def _rendered(
    kind: MailKind, language: str, context: Mapping[str, str], templates: Templates
) -> tuple[str, str]:
    """The tenant's template, or the built-in one if it has none (or if, against the checks
    on saving, it does not render: a batch of invoices must not fail on one text)."""
    custom = templates.get((kind, language))
    if custom is not None:
        try:
            return texts.render(custom.subject, custom.body, context)
        except TemplateError:
            pass
    return texts.render(*texts.built_in(kind, language), context)
