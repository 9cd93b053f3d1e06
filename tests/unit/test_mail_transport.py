"""The mail adapter (ADR 0021): the MIME message it builds, the ``.eml`` files of the file
transport, the transports the settings name, and a server that cannot be reached."""

from __future__ import annotations

import email
import smtplib
import socket
import ssl
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from beleg.adapters.mail import (
    Attachment,
    FileTransport,
    MailRefused,
    MailUnavailable,
    OutgoingMail,
    SmtpSession,
    SmtpTransport,
    build_message,
    transport_for,
)
from beleg.jobs.worker import settings_mailer
from beleg.services.delivery.mail_sending import Mailer
from beleg.settings import get_settings
from tests.smtp import free_port

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
        self.sessions: list[Any] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.logins.append(auth_data.login)
        return AuthResult(success=auth_data.password == b"p@ss", handled=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.content)
        self.sessions.append(session.peer)  # (address, port): one per connection
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


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (key, cert) in PEM files."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def _contexts(certificate: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key, cert = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def test_starttls_when_the_server_offers_it_and_smtps(certificate: tuple[Path, Path]) -> None:
    """The server insists on STARTTLS (it refuses mail before it): the mail goes through, so
    the transport upgraded; smtps speaks TLS from the first byte; a certificate the client
    does not trust is a MailUnavailable."""
    server_tls, client_tls = _contexts(certificate)
    handler = Accepting()
    port = free_port()
    starttls = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_tls,
                          require_starttls=True)  # fmt: skip
    starttls.start()
    try:
        plain = SmtpTransport("127.0.0.1", port, implicit_tls=False, tls=client_tls, timeout=5)
        assert plain.send(build_message(outgoing()), recipients=["a@kunde.example"]) == {}
        untrusted = SmtpTransport("127.0.0.1", port, implicit_tls=False, timeout=5)
        with pytest.raises(MailUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
            untrusted.send(build_message(outgoing()), recipients=["a@kunde.example"])
    finally:
        starttls.stop()
    port = free_port()
    smtps = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=server_tls)
    smtps.start()
    try:
        implicit = SmtpTransport("127.0.0.1", port, implicit_tls=True, tls=client_tls, timeout=5)
        assert implicit.send(build_message(outgoing()), recipients=["a@kunde.example"]) == {}
    finally:
        smtps.stop()
    assert len(handler.received) == 2


def test_a_session_sends_a_batch_on_one_connection_and_reconnects_when_dropped() -> None:
    handler = Accepting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        transport = SmtpTransport("127.0.0.1", port, implicit_tls=False, timeout=5)
        with transport.session() as channel:
            for _ in range(3):
                assert channel.send(build_message(outgoing()), recipients=["a@k.example"]) == {}
            assert isinstance(channel, SmtpSession) and channel._smtp is not None
            channel._smtp.sock.shutdown(socket.SHUT_RDWR)  # as an idle timeout leaves it
            assert channel.send(build_message(outgoing()), recipients=["a@k.example"]) == {}
    finally:
        controller.stop()
    assert len(handler.received) == 4
    assert len(handler.sessions) == 4 and len(set(handler.sessions[:3])) == 1
    assert handler.sessions[3] != handler.sessions[0]


def test_a_password_is_not_sent_in_clear_to_another_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server (or an attacker in between) that offers no STARTTLS does not get the
    password; a relay on this machine may take it without TLS."""
    logins: list[str] = []

    class PlainServer:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            self.sock = socket.socket()  # a plain socket: no TLS was negotiated

        def ehlo(self) -> None: ...

        def has_extn(self, name: str) -> bool:
            return False  # STARTTLS is not offered (or was stripped)

        def login(self, user: str, password: str) -> None:
            logins.append(user)

        def close(self) -> None:
            self.sock.close()

    monkeypatch.setattr("beleg.adapters.mail.smtplib.SMTP", PlainServer)
    remote = transport_for(smtp_url="smtp://beleg:secret@mail.example:587", mail_dir="x")
    assert isinstance(remote, SmtpTransport)
    with pytest.raises(smtplib.SMTPException, match="offers no STARTTLS"):
        remote.connect()
    assert logins == []
    local = transport_for(smtp_url="smtp://beleg:secret@127.0.0.1:25", mail_dir="x")
    assert isinstance(local, SmtpTransport)
    local.connect().close()
    assert logins == ["beleg"]
