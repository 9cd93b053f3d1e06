"""Mails (ADR 0021): their states, kinds, the variables each kind's template may use, and the
rules for addresses and the tenant's sender.

A mail is QUEUED in the transaction of its cause, SENT once the server accepted it, FAILED when
its retries gave up (``retries.py``) or it could not be addressed at all. A FAILED mail can be
queued again by hand (``POST /v2/mails/{id}/retry``), which starts a new retry schedule.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from beleg.domain.errors import Conflict, ValidationFailed

LANGUAGES = ("de", "en")
ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
ADDRESS_LIMIT = 320  # RFC 5321: 64 local + @ + 255 domain
NAME_LIMIT = 200
SUBJECT_LIMIT = 500
BODY_LIMIT = 20_000


class CopyType(StrEnum):
    """How a customer address's ``copyEmailAddress`` receives its copy (seed 003; default
    BCC)."""

    CC = "CC"
    BCC = "BCC"


class MailStatus(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"


class MailKind(StrEnum):
    INVOICE = "invoice"  # a finalised invoice of a contract, with its PDF
    CREDIT_NOTE = "credit_note"  # a finalised credit note (or cancellation) of a contract
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled"  # to the tenant's admins
    RECEIPT = "receipt"  # a cash receipt, with its PDF (seed 003 customerMail, send_mail)


_DOCUMENT = (
    "tenant_name",
    "customer_name",
    "document_number",
    "document_date",
    "due_date",
    "total",
    "currency",
)
# The variables a template of the kind may use (all strings, already formatted in the
# mail's language; ``due_date`` is empty for a document without one).
VARIABLES: dict[MailKind, tuple[str, ...]] = {
    MailKind.INVOICE: _DOCUMENT,
    MailKind.CREDIT_NOTE: _DOCUMENT,
    MailKind.WEBHOOK_ENDPOINT_DISABLED: (
        "tenant_name",
        "endpoint_id",
        "endpoint_url",
        "reason",
        "disabled_at",
    ),
    MailKind.RECEIPT: (
        "company_name",
        "register",
        "register_name",
        "receipt_number",
        "receipt_date",
        "total",
        "currency",
    ),
}


def mail_kind(value: str, field: str = "kind") -> MailKind:
    try:
        return MailKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in MailKind)
        raise ValidationFailed(
            "delivery.mail_kind_unknown", field=field, kind=value, allowed=allowed
        ) from None


def mail_language(value: str, field: str = "language") -> str:
    if value not in LANGUAGES:
        raise ValidationFailed(
            "delivery.mail_language_unknown",
            field=field,
            language=value,
            allowed=", ".join(LANGUAGES),
        )
    return value


def checked_address(value: str | None, field: str) -> str | None:
    """A plain ``local@domain`` address (no display name, no list), or None."""
    if value is None:
        return None
    if not is_plain_address(value):
        raise ValidationFailed("delivery.mail_address_invalid", field=field, address=value)
    return value.strip()


def is_plain_address(value: str) -> bool:
    """Whether ``value`` is one plain ``local@domain`` address (``checked_address``'s rule)."""
    return len(value) <= ADDRESS_LIMIT and bool(ADDRESS.match(value.strip()))


def checked_name(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > NAME_LIMIT or any(c in value for c in "\r\n"):
        raise ValidationFailed("delivery.mail_name_invalid", field=field, limit=NAME_LIMIT)
    return value.strip()


@dataclass(frozen=True, slots=True)
class MailSettings:
    """A tenant's sender. Without an address the platform's ``BELEG_MAIL_FROM`` sends, and
    invoice mails go out unless ``invoice_mails`` is switched off."""

    sender_address: str | None = None
    sender_name: str | None = None
    reply_to: str | None = None
    invoice_mails: bool = True

    def snapshot(self) -> dict[str, object]:
        return {
            "senderAddress": self.sender_address,
            "senderName": self.sender_name,
            "replyTo": self.reply_to,
            "invoiceMails": self.invoice_mails,
        }


def checked_settings(
    *,
    sender_address: str | None,
    sender_name: str | None,
    reply_to: str | None,
    invoice_mails: bool,
) -> MailSettings:
    return MailSettings(
        sender_address=checked_address(sender_address, "senderAddress"),
        sender_name=checked_name(sender_name, "senderName"),
        reply_to=checked_address(reply_to, "replyTo"),
        invoice_mails=invoice_mails,
    )


@dataclass(frozen=True, slots=True)
class MailTemplate:
    """Subject and body (Jinja2 sources) of one kind and language; ``custom`` when the tenant
    wrote it, else the built-in one."""

    kind: MailKind
    language: str
    subject: str
    body: str
    custom: bool
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Mail:
    """A stored mail (``mails``). ``attachments`` are those of the last attempt that sent it:
    ``{"name", "mediaType", "size"}``."""

    id: uuid.UUID
    kind: str
    language: str
    sender: str | None  # None: the platform's BELEG_MAIL_FROM
    reply_to: str | None
    recipients: tuple[str, ...]  # To
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str
    body: str
    document_id: uuid.UUID | None
    status: MailStatus
    attempts: int
    next_attempt_at: datetime | None
    first_attempt_at: datetime | None
    last_error: str | None
    message_id: str | None
    attachments: tuple[dict[str, object], ...]
    created_at: datetime
    sent_at: datetime | None
    receipt: ReceiptRef | None = None  # the cash receipt whose PDF it carries


@dataclass(frozen=True, slots=True)
class ReceiptRef:
    """A cash receipt a mail carries: its register and number (``2022.0075``)."""

    register: int
    number: str


def check_retryable(mail: Mail) -> None:
    """Only a FAILED mail with an address can be queued again (a QUEUED one is queued, a SENT
    one sent; a mail without an address stays as it was queued)."""
    if mail.status is not MailStatus.FAILED:
        raise Conflict("delivery.mail_not_failed", field="id", id=mail.id, status=mail.status.value)
    if not mail.recipients:
        raise Conflict("delivery.mail_without_address", field="id", id=mail.id)
