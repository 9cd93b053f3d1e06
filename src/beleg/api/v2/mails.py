"""Outgoing mails (ADR 0021): the mails with their state and the server's answer, queueing a
failed one again, the tenant's sender and its own templates. Scopes ``mails:read`` and
``mails:write``.

A mail is queued in the transaction of its cause and sent by the worker: ``QUEUED`` until the
server accepts it (``SENT``, with its Message-ID), retried with backoff on the tenant's clock
after a refusal (``lastError`` holds the server's answer), ``FAILED`` after 3 days or when it
has no address."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page, Problem
from beleg.api.security import requires
from beleg.domain.delivery.mails import VARIABLES, MailKind, MailSettings, MailTemplate
from beleg.domain.identity.principal import Actor
from beleg.queries.delivery import mails as read
from beleg.services.delivery import mail_config as service

router = APIRouter(tags=["Mails"], route_class=BelegRoute)
READ, WRITE = "mails:read", "mails:write"
MailId = Annotated[uuid.UUID, Path(description="The mail's id")]
Kind = Annotated[str, Path(max_length=50, description="invoice, credit_note, ...")]
Language = Annotated[str, Path(max_length=5, description="de or en")]
STATUS_HELP = "QUEUED (waiting for the worker or a retry), SENT, FAILED"


class AttachmentOut(ApiModel):
    name: str
    media_type: str
    size: int = Field(description="Bytes")


class ReceiptRefOut(ApiModel):
    cash_register: int
    number: str = Field(description="The receipt's number (2026.0002)")


class MailListItem(ApiModel):
    id: uuid.UUID
    kind: str
    language: str
    status: str = Field(description=STATUS_HELP)
    sender: str
    reply_to: str | None
    recipients: list[str] = Field(description="To")
    cc: list[str]
    bcc: list[str] = Field(description="Blind copies: in the envelope, not in the message")
    subject: str
    document_id: uuid.UUID | None
    receipt: ReceiptRefOut | None = Field(
        None, description="The cash receipt it carries (a receipt mail)"
    )
    attempts: int
    next_attempt_at: datetime | None = Field(description="On the tenant's clock")
    last_error: str | None = Field(description="The server's last answer, or why it waits")
    message_id: str | None
    created_at: datetime
    sent_at: datetime | None


class MailOut(MailListItem):
    body: str
    attachments: list[AttachmentOut] = Field(description="As sent (empty until then)")


class MailSettingsOut(ApiModel):
    sender_address: str | None = Field(description="None: the platform's BELEG_MAIL_FROM")
    sender_name: str | None
    reply_to: str | None
    invoice_mails: bool = Field(description="Finalised invoices of contracts are mailed")


class MailSettingsIn(ApiInput):
    sender_address: str | None = Field(None, description="name@domain; None: the platform's")
    sender_name: str | None = Field(None, description="Up to 200 characters")
    reply_to: str | None = Field(None, description="name@domain")
    invoice_mails: bool = Field(True, description="Mail finalised invoices of contracts")


class MailTemplateOut(ApiModel):
    kind: str
    language: str
    subject: str
    body: str
    custom: bool = Field(description="The tenant's own (false: the built-in one)")
    variables: list[str] = Field(description="What the template may use")
    updated_at: datetime | None


class MailTemplateIn(ApiInput):
    subject: str = Field(description="Jinja2, one line, up to 500 characters")
    body: str = Field(description="Jinja2, plain text, up to 20,000 characters")


CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": Problem,
        "description": "The mail is not FAILED, or has no address",
        "content": {"application/problem+json": {}},
    }
}


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get("/mails", response_model=Page[MailListItem], responses=CSV_RESPONSE, summary="Mails")
def list_mails(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires(READ),
    rt: Runtime = Depends(runtime),
) -> Any:
    spec = read.mail_list(_tenant(actor), rt.settings.mail_from)
    return list_response(request, spec, params, rt, "mails.csv")


@router.get("/mails/{mail_id}", response_model=MailOut, summary="A mail with its text")
def read_mail(
    mail_id: MailId, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    return read.mail_view(
        db=rt.db, tenant_id=_tenant(actor), mail_id=mail_id, default_sender=rt.settings.mail_from
    )


@router.post(
    "/mails/{mail_id}/retry",
    response_model=MailOut,
    responses=CONFLICT,
    summary="Queue a failed mail again (audited)",
)
def retry_mail(
    mail_id: MailId, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    tenant_id = _tenant(actor)
    service.retry_mail(db=rt.db, actor=actor, tenant_id=tenant_id, mail_id=mail_id, clock=rt.clock)
    return read.mail_view(
        db=rt.db, tenant_id=tenant_id, mail_id=mail_id, default_sender=rt.settings.mail_from
    )


@router.get("/tenant-config/mail", response_model=MailSettingsOut, summary="Mail sender")
def read_settings(actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return _settings_out(service.read_mail_settings(db=rt.db, tenant_id=_tenant(actor)))


@router.put(
    "/tenant-config/mail", response_model=MailSettingsOut, summary="Set the mail sender (audited)"
)
def put_settings(
    body: MailSettingsIn, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    settings = service.set_mail_settings(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        sender_address=body.sender_address,
        sender_name=body.sender_name,
        reply_to=body.reply_to,
        invoice_mails=body.invoice_mails,
        clock=rt.clock,
    )
    return _settings_out(settings)


@router.get("/mail-templates", response_model=list[MailTemplateOut], summary="Mail templates")
def list_templates(actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return [_template_out(t) for t in service.list_templates(db=rt.db, tenant_id=_tenant(actor))]


@router.get(
    "/mail-templates/{kind}/{language}", response_model=MailTemplateOut, summary="A mail template"
)
def read_template(
    kind: Kind, language: Language, actor: Actor = requires(READ), rt: Runtime = Depends(runtime)
) -> Any:
    found = service.read_template(db=rt.db, tenant_id=_tenant(actor), kind=kind, language=language)
    return _template_out(found)


@router.put(
    "/mail-templates/{kind}/{language}",
    response_model=MailTemplateOut,
    summary="Set the tenant's own template (checked, audited)",
)
def put_template(
    kind: Kind,
    language: Language,
    body: MailTemplateIn,
    actor: Actor = requires(WRITE),
    rt: Runtime = Depends(runtime),
) -> Any:
    saved = service.put_template(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        kind=kind,
        language=language,
        subject=body.subject,
        body=body.body,
        clock=rt.clock,
    )
    return _template_out(saved)


@router.delete(
    "/mail-templates/{kind}/{language}",
    response_model=MailTemplateOut,
    summary="Back to the built-in template (audited); answers it",
)
def delete_template(
    kind: Kind, language: Language, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    built_in = service.delete_template(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        kind=kind,
        language=language,
        clock=rt.clock,
    )
    return _template_out(built_in)


def _settings_out(settings: MailSettings) -> dict[str, Any]:
    return settings.snapshot()


def _template_out(template: MailTemplate) -> dict[str, Any]:
    return {
        "kind": template.kind.value,
        "language": template.language,
        "subject": template.subject,
        "body": template.body,
        "custom": template.custom,
        "variables": list(VARIABLES[MailKind(template.kind)]),
        "updatedAt": template.updated_at,
    }
