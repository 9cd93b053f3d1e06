"""Sending due mails (ADR 0021), outside any transaction: a short transaction leases a batch
(``claimed_until``, ``SKIP LOCKED``), the mails go to the transport one by one, and each
outcome is recorded in its own short transaction.

Attachments are gathered at send time (``mail_attachments.py``). An e-invoice in ERROR holds
the mail back without spending an attempt (its customer needs it; fixing or ignoring the
e-invoice releases the mail) and says so in ``lastError``; the e-invoice a SENT mail carried
is SENT with it. A refusal or an unreachable server is an attempt: it is tried again after
``retries.delay_after`` on the tenant's clock, and FAILED once ``retries.GIVE_UP_AFTER`` has
passed since the first attempt. Recipients refused while others were accepted are named in
``lastError`` of the SENT mail (sending again would mail the others twice).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from beleg.adapters.mail import (
    Attachment,
    Channel,
    MailError,
    OutgoingMail,
    Transport,
    build_message,
)
from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.delivery import mails as repo
from beleg.db.documents import einvoices as einvoices_db
from beleg.db.tenancy import business_clock
from beleg.domain.delivery.mails import Mail, MailSettings, MailStatus
from beleg.domain.delivery.retries import next_attempt
from beleg.domain.documents.einvoices import EInvoiceRecord, EInvoiceState, sent
from beleg.services.delivery.mail_attachments import HeldBack, gathered

log = structlog.get_logger("beleg.mail")
LEASE = timedelta(minutes=10)  # a batch's mails are a worker's for this long (system time)
# No mail of a batch is begun later than this after the lease: with 30 s per SMTP command a
# slow server cannot make a worker send a mail whose lease another worker has taken over.
SEND_WITHIN = timedelta(minutes=5)
WAIT_FOR_FILES = timedelta(minutes=10)  # a held-back mail looks again after this
BATCH = 20


@dataclass(frozen=True, slots=True)
class Mailer:
    """Where mails go and who sends them when the tenant has set no sender."""

    transport: Transport
    default_sender: str


def send_due_mails(
    *, db: Database, tenant_id: uuid.UUID, clock: Clock, mailer: Mailer, limit: int = 200
) -> int:
    """Attempt up to ``limit`` of the tenant's due mails; return how many were attempted."""
    attempted = 0
    while attempted < limit:
        with db.transaction() as session:
            due_by = business_clock(session, tenant_id=tenant_id, system=clock).now()
            now = clock.now()
            leased = repo.lease_due(
                session, tenant_id=tenant_id, due_by=due_by, now=now, until=now + LEASE,
                limit=min(BATCH, limit - attempted),
            )  # fmt: skip
            settings = repo.load_settings(session, tenant_id)
        if not leased:
            break
        deadline = now + SEND_WITHIN
        with mailer.transport.session() as channel:  # one SMTP connection per batch
            for mail in leased:
                if clock.now() >= deadline:
                    return attempted  # the rest waits for its lease to end
                _attempt(
                    db, mail, tenant_id=tenant_id, settings=settings, mailer=mailer,
                    channel=channel, clock=clock, deadline=deadline,
                )  # fmt: skip
                attempted += 1
    return attempted


def _attempt(
    db: Database,
    mail: Mail,
    *,
    tenant_id: uuid.UUID,
    settings: MailSettings,
    mailer: Mailer,
    channel: Channel,
    clock: Clock,
    deadline: datetime,
) -> None:
    """Gather, build and send one leased mail and record the outcome. Past ``deadline`` (a
    slow PDF) nothing is sent: the lease may be another worker's by then."""
    try:
        prepared = gathered(db, tenant_id, mail, clock)
        files = prepared.files
        outgoing = _outgoing(mail, files, settings, mailer, clock)
        message = build_message(outgoing)
    except HeldBack as reason:
        _held_back(db, tenant_id, mail, clock, str(reason))
        return
    except Exception as error:  # a PDF that does not render: an attempt that failed
        log.exception("mail.attachments_failed", mail_id=str(mail.id))
        _failed(db, tenant_id, mail, clock, f"{type(error).__name__}: {error}")
        return
    if clock.now() >= deadline:
        log.info("mail.lease_too_short", mail_id=str(mail.id))
        return
    try:
        refused = channel.send(message, recipients=outgoing.envelope)
    except MailError as error:
        _failed(db, tenant_id, mail, clock, error.answer)
        return
    except Exception as error:  # a transport's own fault: an attempt, never a stuck lease
        log.exception("mail.send_failed", mail_id=str(mail.id))
        _failed(db, tenant_id, mail, clock, f"{type(error).__name__}: {error}")
        return
    partly = "; ".join(f"{address}: {answer}" for address, answer in refused.items())
    _sent(
        db, tenant_id, mail, clock, attempts=mail.attempts + 1,
        message_id=str(message["Message-ID"]), last_error=partly or None,
        first_attempt_at=mail.first_attempt_at, einvoice=prepared.einvoice,
        attachments=[{"name": f.name, "mediaType": f.media_type, "size": len(f.content)}
                     for f in files],
    )  # fmt: skip


def _outgoing(
    mail: Mail,
    files: tuple[Attachment, ...],
    settings: MailSettings,
    mailer: Mailer,
    clock: Clock,
) -> OutgoingMail:
    return OutgoingMail(
        id=mail.id,
        sender=mail.sender or mailer.default_sender,
        sender_name=settings.sender_name,
        reply_to=mail.reply_to,
        recipients=mail.recipients,
        cc=mail.cc,
        bcc=mail.bcc,
        subject=mail.subject,
        body=mail.body,
        date=clock.now(),
        attachments=files,
    )


def _failed(db: Database, tenant_id: uuid.UUID, mail: Mail, clock: Clock, answer: str) -> None:
    """A failed attempt: queued again after the backoff, or FAILED after the give-up."""
    with db.transaction() as session:
        now = business_clock(session, tenant_id=tenant_id, system=clock).now()
        first = mail.first_attempt_at or now
        attempt = mail.attempts + 1
        due = next_attempt(first_attempt_at=first, attempt=attempt, failed_at=now)
        repo.record_outcome(
            session, tenant_id, mail.id, leased_attempts=mail.attempts,
            status=(MailStatus.QUEUED if due else MailStatus.FAILED).value,
            attempts=attempt, first_attempt_at=first, next_attempt_at=due, last_error=answer,
        )  # fmt: skip
    log.info("mail.attempt_failed", mail_id=str(mail.id), attempt=attempt, answer=answer)


def _held_back(db: Database, tenant_id: uuid.UUID, mail: Mail, clock: Clock, reason: str) -> None:
    """Look again after ``WAIT_FOR_FILES``; no attempt spent."""
    with db.transaction() as session:
        now = business_clock(session, tenant_id=tenant_id, system=clock).now()
        repo.record_outcome(
            session, tenant_id, mail.id, leased_attempts=mail.attempts,
            next_attempt_at=now + WAIT_FOR_FILES, last_error=reason,
        )  # fmt: skip


def _sent(
    db: Database,
    tenant_id: uuid.UUID,
    mail: Mail,
    clock: Clock,
    *,
    einvoice: EInvoiceRecord | None,
    **values: object,
) -> None:
    """The mail SENT, and the e-invoice it carried with it (seed 001 workflow state SENT)."""
    with db.transaction() as session:
        now: datetime = business_clock(session, tenant_id=tenant_id, system=clock).now()
        values.update(status=MailStatus.SENT.value, sent_at=now, next_attempt_at=None)
        values["first_attempt_at"] = values.get("first_attempt_at") or now
        recorded = repo.record_outcome(
            session, tenant_id, mail.id, leased_attempts=mail.attempts, **values
        )
        if recorded and einvoice is not None:
            current = einvoices_db.find_einvoice(
                session, tenant_id, einvoice.document_id, lock=True
            )
            if current is not None and current.state is EInvoiceState.VALIDATED:
                after = sent(current, now=now)
                einvoices_db.save_einvoice(session, tenant_id, after, now=after.updated_at)
