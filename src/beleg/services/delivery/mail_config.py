"""A tenant's mail sender (``/v2/tenant-config/mail``), its own templates
(``/v2/mail-templates``) and queueing a failed mail again (``POST /v2/mails/{id}/retry``):
each change one transaction with its audit entry."""

from __future__ import annotations

import uuid

from beleg.clock import Clock
from beleg.db.audit import Change, record_changes
from beleg.db.database import Database
from beleg.db.delivery import mails as repo
from beleg.db.tenancy import business_clock
from beleg.domain.audit.chain import AuditAction
from beleg.domain.delivery.mails import (
    LANGUAGES,
    MailKind,
    MailSettings,
    MailStatus,
    MailTemplate,
    check_retryable,
    checked_settings,
    mail_kind,
    mail_language,
)
from beleg.domain.errors import NotFound
from beleg.domain.identity.principal import Actor
from beleg.formats import mail as texts

SETTINGS_ENTITY = "MailSettings"
TEMPLATE_ENTITY = "MailTemplate"
MAIL_ENTITY = "Mail"


def read_mail_settings(*, db: Database, tenant_id: uuid.UUID) -> MailSettings:
    with db.reader() as session:
        return repo.load_settings(session, tenant_id)


def set_mail_settings(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    sender_address: str | None,
    sender_name: str | None,
    reply_to: str | None,
    invoice_mails: bool,
    clock: Clock,
) -> MailSettings:
    """Replace the tenant's sender (audited when it changes); mails queued before keep the
    sender they were queued with."""
    after = checked_settings(
        sender_address=sender_address,
        sender_name=sender_name,
        reply_to=reply_to,
        invoice_mails=invoice_mails,
    )
    with db.transaction() as session:
        before = repo.load_settings(session, tenant_id, lock=True)
        if before == after:
            return before
        repo.save_settings(session, tenant_id, after, now=clock.now())
        change = Change(
            AuditAction.UPDATE, SETTINGS_ENTITY, str(tenant_id), before.snapshot(), after.snapshot()
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return after


def list_templates(*, db: Database, tenant_id: uuid.UUID) -> list[MailTemplate]:
    """Every kind in every language: the tenant's own where it has one, else the built-in."""
    with db.reader() as session:
        custom = repo.custom_templates(session, tenant_id)
    return [
        custom.get((kind, language)) or _built_in(kind, language)
        for kind in MailKind
        for language in LANGUAGES
    ]


def read_template(*, db: Database, tenant_id: uuid.UUID, kind: str, language: str) -> MailTemplate:
    checked, lang = mail_kind(kind), mail_language(language)
    with db.reader() as session:
        custom = repo.custom_templates(session, tenant_id, kind=checked)
    return custom.get((checked, lang)) or _built_in(checked, lang)


def put_template(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    kind: str,
    language: str,
    subject: str,
    body: str,
    clock: Clock,
) -> MailTemplate:
    """The tenant's own template of ``kind`` in ``language`` (audited); checked first
    (``formats.mail.check_template``). Mails queued before keep their text."""
    checked, lang = mail_kind(kind), mail_language(language)
    texts.check_template(checked, subject=subject, body=body)
    after = MailTemplate(checked, lang, subject, body, True, clock.now())
    with db.transaction() as session:
        before = repo.custom_templates(session, tenant_id, kind=checked).get((checked, lang))
        if before is not None and (before.subject, before.body) == (subject, body):
            return before
        repo.save_template(session, tenant_id, after)
        action = AuditAction.CREATE if before is None else AuditAction.UPDATE
        change = Change(
            action, TEMPLATE_ENTITY, f"{checked.value}/{lang}", _snapshot(before), _snapshot(after)
        )
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return after


def delete_template(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, kind: str, language: str, clock: Clock
) -> MailTemplate:
    """Back to the built-in template (audited when the tenant had its own); returns it."""
    checked, lang = mail_kind(kind), mail_language(language)
    with db.transaction() as session:
        before = repo.custom_templates(session, tenant_id, kind=checked).get((checked, lang))
        if before is not None:
            repo.delete_template(session, tenant_id, checked, lang)
            change = Change(
                AuditAction.DELETE, TEMPLATE_ENTITY, f"{checked.value}/{lang}",
                _snapshot(before), None,
            )  # fmt: skip
            record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)
    return _built_in(checked, lang)


def retry_mail(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, mail_id: uuid.UUID, clock: Clock
) -> None:
    """Queue a FAILED mail again, due now on the tenant's clock, with a new retry schedule
    (audited). Its recipients and text stay as they were queued."""
    with db.transaction() as session:
        mail = repo.find_mail(session, tenant_id, mail_id, lock=True)
        if mail is None:
            raise NotFound("delivery.mail_not_found", field="id", id=mail_id)
        check_retryable(mail)
        now = business_clock(session, tenant_id=tenant_id, system=clock).now()
        repo.record_outcome(
            session, tenant_id, mail_id,
            status=MailStatus.QUEUED.value, next_attempt_at=now, first_attempt_at=None,
        )  # fmt: skip
        change = Change(
            AuditAction.UPDATE, MAIL_ENTITY, mail_id,
            {"status": mail.status.value, "attempts": mail.attempts},
            {"status": MailStatus.QUEUED.value, "attempts": mail.attempts},
        )  # fmt: skip
        record_changes(session, actor=actor, tenant_id=tenant_id, changes=[change], clock=clock)


def _built_in(kind: MailKind, language: str) -> MailTemplate:
    subject, body = texts.built_in(kind, language)
    return MailTemplate(kind, language, subject, body, False)


def _snapshot(template: MailTemplate | None) -> dict[str, str] | None:
    if template is None:
        return None
    return {"subject": template.subject, "body": template.body}
