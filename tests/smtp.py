"""A real SMTP server for the mail tests (aiosmtpd on 127.0.0.1): a handler that keeps what
it receives and refuses chosen addresses, and a free port to run it on."""

from __future__ import annotations

import email
import socket
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any


class Recorder:
    """An SMTP server's handler: keeps every message, refuses the addresses in ``refused``
    with 550 like a real server that does not know the mailbox."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refused: set[str] = set()
        self.sessions: list[Any] = []  # the SMTP session of each message (connection reuse)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        self.sessions.append(session.peer)  # (address, port): one per connection
        return "250 2.0.0 Ok: queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
