"""The mail adapter (ADR 0021): the MIME message it builds, the ``.eml`` files of the file
transport, the transports the settings name, and a server that cannot be reached."""

from __future__ import annotations

import email
import socket
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from beleg.adapters.mail import (
    Attachment,
    FileTransport,
    MailRefused,
    MailUnavailable,
    OutgoingMail,
    SmtpTransport,
    build_message,
    transport_for,
)
from beleg.jobs.worker import settings_mailer
from beleg.services.delivery.sending import Mailer
from beleg.settings import get_settings

MAIL_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
PDF = b"%PDF-1.7\n% a document\n"
XML = b"<?xml version='1.0'?><Invoice/>"


def outgoing() -> OutgoingMail:
    return OutgoingMail(
        id=MAIL_ID,
        sender="rechnung@muster.example",
        sender_name="Muster GmbH",
        reply_to="fragen@muster.example",
        recipients=("a@kunde.example", "b@kunde.example"),
        subject="Rechnung RE-1 von Müller & Söhne",
        body="Guten Tag,\nanbei Ihre Rechnung.\n",
        date=datetime(2026, 5, 1, 12, tzinfo=UTC),
        attachments=(
            Attachment("Rechnung-RE-1.pdf", "application/pdf", PDF),
            Attachment("Rechnung-RE-1.xml", "application/xml", XML),
        ),
    )


def test_the_file_transport_writes_a_parseable_eml_named_by_the_mail(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    refused = FileTransport(folder).send(
        build_message(outgoing()), recipients=outgoing().recipients
    )
    assert refused == {}
    assert sorted(p.name for p in folder.iterdir()) == [f"{MAIL_ID}.eml"]  # no temporary left
    parsed = email.message_from_bytes(
        (folder / f"{MAIL_ID}.eml").read_bytes(), policy=default_policy
    )
    assert isinstance(parsed, EmailMessage)
    assert parsed["Message-ID"] == f"<{MAIL_ID}@muster.example>"
    assert parsed["From"] == "Muster GmbH <rechnung@muster.example>"
    assert parsed["To"] == "a@kunde.example, b@kunde.example"
    assert parsed["Reply-To"] == "fragen@muster.example"
    assert parsed["Subject"] == "Rechnung RE-1 von Müller & Söhne"
    assert parsed["Date"] == "Fri, 01 May 2026 12:00:00 +0000"
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content() == "Guten Tag,\nanbei Ihre Rechnung.\n"
    files = [
        (p.get_filename(), p.get_content_type(), p.get_content()) for p in parsed.iter_attachments()
    ]
    assert files == [
        ("Rechnung-RE-1.pdf", "application/pdf", PDF),
        ("Rechnung-RE-1.xml", "application/xml", XML),
    ]


def test_the_settings_name_the_transport(tmp_path: Path) -> None:
    assert transport_for(smtp_url=None, mail_dir=str(tmp_path)) == FileTransport(tmp_path)
    assert transport_for(smtp_url="smtp://mail.example", mail_dir="x") == SmtpTransport(
        "mail.example", 25, implicit_tls=False
    )
    assert transport_for(
        smtp_url="smtp://beleg:p%40ss@mail.example:587", mail_dir="x"
    ) == SmtpTransport("mail.example", 587, implicit_tls=False, user="beleg", password="p@ss")
    assert transport_for(smtp_url="smtps://u:pw@mail.example", mail_dir="x") == SmtpTransport(
        "mail.example", 465, implicit_tls=True, user="u", password="pw"
    )
    for bad in ("http://mail.example", "smtp://"):
        with pytest.raises(ValueError, match="BELEG_SMTP_URL"):
            transport_for(smtp_url=bad, mail_dir="x")


def test_a_server_that_cannot_be_reached_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = SmtpTransport("127.0.0.1", port, implicit_tls=False, timeout=2)
    with pytest.raises(MailUnavailable) as raised:
        transport.send(build_message(outgoing()), recipients=["a@kunde.example"])
    assert raised.value.code is None
    assert raised.value.answer.startswith("ConnectionRefusedError: ")


class Accepting:
    def __init__(self) -> None:
        self.logins: list[bytes] = []
        self.received: list[bytes] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.logins.append(auth_data.login)
        return AuthResult(success=auth_data.password == b"p@ss", handled=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.content)
        return "250 2.0.0 Ok"


def test_smtp_authenticates_with_the_urls_user_and_names_a_refused_login() -> None:
    server = Accepting()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=port,
        authenticator=server,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],  # smtplib would try it after PLAIN failed
    )
    controller.start()
    try:
        good = transport_for(smtp_url=f"smtp://beleg:p%40ss@127.0.0.1:{port}", mail_dir="x")
        assert good.send(build_message(outgoing()), recipients=["a@kunde.example"]) == {}
        assert server.logins == [b"beleg"] and len(server.received) == 1
        bad = transport_for(smtp_url=f"smtp://beleg:wrong@127.0.0.1:{port}", mail_dir="x")
        with pytest.raises(MailRefused) as raised:
            bad.send(build_message(outgoing()), recipients=["a@kunde.example"])
        assert raised.value.code == 535
        assert raised.value.answer.startswith("535 5.7.8 Authentication credentials invalid")
    finally:
        controller.stop()
    assert len(server.received) == 1


def test_the_worker_takes_its_transport_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed BELEG_SMTP_URL stops no billing: the worker logs it and mails wait."""
    for url, expected in (
        ("smtps://mail.example", SmtpTransport("mail.example", 465, implicit_tls=True)),
        ("http://mail.example", None),
    ):
        monkeypatch.setenv("BELEG_SMTP_URL", url)
        monkeypatch.setenv("BELEG_MAIL_FROM", "noreply@platform.example")
        get_settings.cache_clear()
        try:
            mailer = settings_mailer()
        finally:
            get_settings.cache_clear()
        if expected is None:
            assert mailer is None
        else:
            assert mailer == Mailer(transport=expected, default_sender="noreply@platform.example")
