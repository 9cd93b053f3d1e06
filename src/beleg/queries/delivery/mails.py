"""Read models of mails (``/v2/mails``), camelCase: the list (filters status, kind,
documentId, createdAt; CSV like every list) and one mail with its text, attachments and the
server's last answer."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.delivery import mails as repo
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import mails
from beleg.domain.delivery.mails import Mail, MailKind, MailStatus
from beleg.domain.errors import NotFound
from beleg.queries.listing import ListSpec

COLUMNS = ["id", "kind", "status", "recipients", "subject", "documentId", "attempts", "createdAt"]


def mail_head(mail: Mail, default_sender: str) -> dict[str, Any]:
    return {
        "id": mail.id,
        "kind": mail.kind,
        "language": mail.language,
        "status": mail.status.value,
        "sender": mail.sender or default_sender,
        "replyTo": mail.reply_to,
        "recipients": list(mail.recipients),
        "cc": list(mail.cc),
        "bcc": list(mail.bcc),
        "subject": mail.subject,
        "documentId": mail.document_id,
        "receipt": (
            {"cashRegister": mail.receipt.register, "number": mail.receipt.number}
            if mail.receipt
            else None
        ),
        "attempts": mail.attempts,
        "nextAttemptAt": mail.next_attempt_at,
        "lastError": mail.last_error,
        "messageId": mail.message_id,
        "createdAt": mail.created_at,
        "sentAt": mail.sent_at,
    }


def mail_list(tenant_id: uuid.UUID, default_sender: str) -> ListSpec:
    c = mails.c

    return ListSpec(
        statement=select(mails).where(c.tenant_id == tenant_id),
        filters={
            "status": FilterField(c.status, Kind.ENUM, tuple(s.value for s in MailStatus)),
            "kind": FilterField(c.kind, Kind.ENUM, tuple(k.value for k in MailKind)),
            "documentId": FilterField(c.document_id, Kind.UUID),
            "createdAt": FilterField(c.created_at, Kind.DATETIME),
        },
        sortable={"createdAt": c.created_at, "status": c.status},
        default_sort=[c.created_at.desc(), c.id],
        to_item=lambda row: mail_head(repo.mail_from_row(row), default_sender),
        columns=COLUMNS,
    )


def mail_view(
    *, db: Database, tenant_id: uuid.UUID, mail_id: uuid.UUID, default_sender: str
) -> dict[str, Any]:
    with db.reader() as session:
        mail = repo.find_mail(session, tenant_id, mail_id)
    if mail is None:
        raise NotFound("delivery.mail_not_found", field="id", id=mail_id)
    return {
        **mail_head(mail, default_sender),
        "body": mail.body,
        "attachments": list(mail.attachments),
    }
