"""Mail transports (ADR 0021): SMTP with the standard library, or ``.eml`` files for
development. They speak their protocol only and know nothing of tenants or tables.

``transport_for(smtp_url=..., mail_dir=...)`` picks one from the settings:

* ``smtp://[user:password@]host[:port]`` (port 25 by default): STARTTLS when the server
  offers it, then AUTH when a user is given;
* ``smtps://[user:password@]host[:port]`` (port 465): TLS from the first byte;
* None: ``FileTransport`` writes ``<message id>.eml`` atomically into ``mail_dir``.

A refusal by the server raises ``MailRefused`` with its code and answer (``550 5.1.1 ...``);
a server that cannot be reached or talked to raises ``MailUnavailable``. Both are worth a retry
(a refusal may be a full mailbox or greylisting); the caller decides when to give up.
"""

from __future__ import annotations

import ipaddress
import os
import smtplib
import ssl
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

TIMEOUT = 30.0  # seconds per SMTP command


class MailError(Exception):
    """A mail was not accepted. ``answer`` is what the server said (or the network error)."""

    def __init__(self, answer: str, code: int | None = None) -> None:
        super().__init__(answer)
        self.answer = answer
        self.code = code


class MailRefused(MailError):
    """The server answered with an error code (4xx: try later, 5xx: refused)."""


class MailUnavailable(MailError):
    """No conversation with the server: refused connection, timeout, TLS failure."""


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    media_type: str  # application/pdf, application/xml, ...
    content: bytes


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """A rendered mail as it leaves: addresses are plain ``local@domain``."""

    id: uuid.UUID
    sender: str
    sender_name: str | None
    reply_to: str | None
    recipients: tuple[str, ...]  # To
    subject: str
    body: str
    date: datetime  # aware
    attachments: tuple[Attachment, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()  # in the envelope only, never in a header

    @property
    def envelope(self) -> tuple[str, ...]:
        """Everyone the server is to deliver to."""
        return self.recipients + self.cc + self.bcc


def build_message(mail: OutgoingMail) -> EmailMessage:
    """The MIME message of ``mail``: plain-text body, attachments with their media types,
    ``message_id`` (so an answer can be matched to the mail)."""
    message = EmailMessage()
    message["Message-ID"] = message_id(mail)
    message["Date"] = format_datetime(mail.date)
    message["From"] = _address(mail.sender, mail.sender_name)
    message["To"] = ", ".join(mail.recipients)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    for item in mail.attachments:
        maintype, _, subtype = item.media_type.partition("/")
        message.add_attachment(item.content, maintype=maintype, subtype=subtype, filename=item.name)
    return message


def message_id(mail: OutgoingMail) -> str:
    """``<mail id@sender's domain>``: unique, as the mail's id is."""
    return f"<{mail.id}@{_domain(mail.sender)}>"


def _address(address: str, name: str | None) -> str:
    local, _, domain = address.rpartition("@")
    return str(Address(display_name=name or "", username=local, domain=domain))


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"


class Channel(Protocol):
    def send(self, message: EmailMessage, *, recipients: Sequence[str]) -> dict[str, str]:
        """Hand ``message`` over; return the recipients the server refused (address ->
        answer) while it accepted others. Raises ``MailError`` when nobody got it."""
        ...


class Transport(Channel, Protocol):
    def session(self) -> AbstractContextManager[Channel]:
        """A channel for many mails (one SMTP connection for a batch); ``send`` alone
        opens and closes its own."""
        ...


@dataclass(frozen=True, slots=True)
class SmtpTransport:
    host: str
    port: int
    implicit_tls: bool
    user: str | None = None
    password: str | None = None
    timeout: float = TIMEOUT
    tls: ssl.SSLContext | None = None  # None: the system's trusted CAs, host name checked

    def send(self, message: EmailMessage, *, recipients: Sequence[str]) -> dict[str, str]:
        with self.session() as channel:
            return channel.send(message, recipients=recipients)

    @contextmanager
    def session(self) -> Iterator[SmtpSession]:
        session = SmtpSession(self)
        try:
            yield session
        finally:
            session.close()

    def connect(self) -> smtplib.SMTP:
        """A connection ready for MAIL FROM: TLS (implicit, or STARTTLS when offered), then
        AUTH when the URL names a user. A password goes only over TLS, or to a relay on this
        machine (a loopback host): a server that does not offer STARTTLS, or an attacker who
        strips the offer, does not get it in clear."""
        context = self.tls or ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if not self.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.user is not None:
                if not isinstance(smtp.sock, ssl.SSLSocket) and not _on_this_machine(self.host):
                    raise smtplib.SMTPException(
                        f"{self.host} offers no STARTTLS: the password is not sent in clear"
                    )
                smtp.login(self.user, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


def _on_this_machine(host: str) -> bool:
    """``localhost`` or a literal loopback address (a local relay)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SmtpSession:
    """One connection, opened at the first mail and again after the server or the network
    dropped it: before a reused connection takes a mail, a NOOP asks whether it is still
    there (an idle timeout while a PDF rendered costs no attempt). A mail is never sent twice
    on the session's own account: a failure after the message went out (the server took it
    but its answer was lost) is an attempt, not a silent second try. A refused mail leaves
    the connection usable (smtplib resets the transaction)."""

    def __init__(self, transport: SmtpTransport) -> None:
        self._transport = transport
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, *, recipients: Sequence[str]) -> dict[str, str]:
        if self._smtp is not None and not self._alive(self._smtp):
            self._drop()
        return self._send(message, recipients)

    @staticmethod
    def _alive(smtp: smtplib.SMTP) -> bool:
        try:
            return bool(smtp.noop()[0] == 250)
        except (OSError, smtplib.SMTPException):
            return False

    def _send(self, message: EmailMessage, recipients: Sequence[str]) -> dict[str, str]:
        try:
            if self._smtp is None:
                self._smtp = self._transport.connect()
            refused = self._smtp.send_message(message, to_addrs=list(recipients))
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = next(iter(error.recipients.values()))
            raise MailRefused(_answer(code, answer), code) from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server closes the connection
                self._drop()
            raise MailRefused(
                _answer(error.smtp_code, error.smtp_error), error.smtp_code
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise MailUnavailable(f"{type(error).__name__}: {error}") from error
        return {address: _answer(*reply) for address, reply in refused.items()}

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None


def _answer(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {said}"


@dataclass(frozen=True, slots=True)
class FileTransport:
    """Development: every mail an ``.eml`` file, written to a temporary name and renamed, so a
    reader never sees half a message."""

    directory: Path

    def send(self, message: EmailMessage, *, recipients: Sequence[str]) -> dict[str, str]:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").partition("@")[0]
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(message.as_bytes())
            os.replace(temporary, self.directory / f"{name}.eml")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return {}

    @contextmanager
    def session(self) -> Iterator[FileTransport]:
        yield self


def transport_for(*, smtp_url: str | None, mail_dir: str) -> Transport:
    """The transport the settings name (see the module docstring)."""
    if not smtp_url:
        return FileTransport(Path(mail_dir))
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("BELEG_SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
    implicit = parts.scheme == "smtps"
    return SmtpTransport(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 25),
        implicit_tls=implicit,
        user=None if parts.username is None else unquote(parts.username),
        password=None if parts.password is None else unquote(parts.password),
    )
