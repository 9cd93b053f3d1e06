"""Data access of mails, their templates and the tenant's sender (ADR 0021), scoped to one
tenant, in the caller's transaction.

``lease_due`` hands a worker a batch of due mails: it sets ``claimed_until`` on rows it took
with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one writer), so concurrent workers take
disjoint mails, and a worker that dies leaves its mails to others once the lease ends."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from beleg.db.bulk import insert_rows
from beleg.db.tables import mail_settings, mail_templates, mails
from beleg.domain.delivery.mails import (
    Mail,
    MailKind,
    MailSettings,
    MailStatus,
    MailTemplate,
    ReceiptRef,
)

M = mails.c
T = mail_templates.c
S = mail_settings.c
ERROR_KEPT = 2000  # characters of the server's answer kept (the column's size)


def mail_from_row(row: Row[Any]) -> Mail:
    return Mail(
        id=row.id,
        kind=row.kind,
        language=row.language,
        sender=row.sender,
        reply_to=row.reply_to,
        recipients=tuple(row.recipients),
        cc=tuple(row.cc or ()),
        bcc=tuple(row.bcc or ()),
        subject=row.subject,
        body=row.body,
        document_id=row.document_id,
        status=MailStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        first_attempt_at=row.first_attempt_at,
        last_error=row.last_error,
        message_id=row.message_id,
        attachments=tuple(row.attachments or ()),
        created_at=row.created_at,
        sent_at=row.sent_at,
        receipt=(
            ReceiptRef(row.receipt_register_no, row.receipt_number)
            if row.receipt_number is not None
            else None
        ),
    )


def insert_mails(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append mail rows (every key of ``mails`` but the optional ones) in one statement."""
    insert_rows(session, mails, rows)


def find_mail(
    session: Session, tenant_id: uuid.UUID, mail_id: uuid.UUID, *, lock: bool = False
) -> Mail | None:
    query = select(mails).where(M.tenant_id == tenant_id, M.id == mail_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else mail_from_row(row)


def lease_due(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    due_by: datetime,
    now: datetime,
    until: datetime,
    limit: int,
) -> list[Mail]:
    """Up to ``limit`` QUEUED mails due by ``due_by`` (the tenant's business time) and not
    leased at ``now`` (system time), oldest due first, leased until ``until``."""
    rows = session.execute(
        select(mails)
        .where(
            M.tenant_id == tenant_id,
            M.status == MailStatus.QUEUED.value,
            M.next_attempt_at <= due_by,
            or_(M.claimed_until.is_(None), M.claimed_until < now),
        )
        .order_by(M.next_attempt_at, M.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    taken = [mail_from_row(row) for row in rows]
    if taken:
        session.execute(
            update(mails)
            .where(M.tenant_id == tenant_id, M.id.in_([m.id for m in taken]))
            .values(claimed_until=until)
        )
    return taken


def record_outcome(
    session: Session,
    tenant_id: uuid.UUID,
    mail_id: uuid.UUID,
    *,
    leased_attempts: int | None = None,
    **values: Any,
) -> bool:
    """Store an attempt's outcome (status, attempts, next attempt, error, message id, ...) and
    end the lease; False when nothing was stored. With ``leased_attempts`` (a worker's
    outcome) only while the mail is still QUEUED with the attempts it was leased with: a
    worker whose lease ran out and was taken over never overwrites the other's outcome."""
    if values.get("last_error"):
        values["last_error"] = values["last_error"][:ERROR_KEPT]
    statement = update(mails).where(M.tenant_id == tenant_id, M.id == mail_id)
    if leased_attempts is not None:
        statement = statement.where(
            M.attempts == leased_attempts, M.status == MailStatus.QUEUED.value
        )
    done = session.execute(statement.values(claimed_until=None, **values))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def load_settings(session: Session, tenant_id: uuid.UUID, *, lock: bool = False) -> MailSettings:
    query = select(mail_settings).where(S.tenant_id == tenant_id)
    row = session.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        return MailSettings()
    return MailSettings(row.sender_address, row.sender_name, row.reply_to, row.invoice_mails)


def save_settings(
    session: Session, tenant_id: uuid.UUID, settings: MailSettings, *, now: datetime
) -> None:
    """Insert or replace the tenant's sender."""
    values = {
        "sender_address": settings.sender_address,
        "sender_name": settings.sender_name,
        "reply_to": settings.reply_to,
        "invoice_mails": settings.invoice_mails,
        "updated_at": now,
    }
    done = session.execute(update(mail_settings).where(S.tenant_id == tenant_id).values(**values))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(mail_settings).values(tenant_id=tenant_id, **values))


def _template(row: Row[Any]) -> MailTemplate:
    return MailTemplate(
        MailKind(row.kind), row.language, row.subject, row.body, True, row.updated_at
    )


def custom_templates(
    session: Session, tenant_id: uuid.UUID, *, kind: MailKind | None = None
) -> dict[tuple[MailKind, str], MailTemplate]:
    """The tenant's own templates (of one kind, or all), by (kind, language)."""
    query = select(mail_templates).where(T.tenant_id == tenant_id)
    if kind is not None:
        query = query.where(T.kind == kind.value)
    return {(t.kind, t.language): t for t in map(_template, session.execute(query).all())}


def save_template(session: Session, tenant_id: uuid.UUID, template: MailTemplate) -> None:
    key = (T.tenant_id == tenant_id, T.kind == template.kind.value, T.language == template.language)
    values = {"subject": template.subject, "body": template.body, "updated_at": template.updated_at}
    done = session.execute(update(mail_templates).where(*key).values(**values))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(
            insert(mail_templates).values(
                tenant_id=tenant_id, kind=template.kind.value, language=template.language, **values
            )
        )


def delete_template(session: Session, tenant_id: uuid.UUID, kind: MailKind, language: str) -> None:
    session.execute(
        delete(mail_templates).where(
            T.tenant_id == tenant_id, T.kind == kind.value, T.language == language
        )
    )
