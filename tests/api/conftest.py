"""Fixtures of the API tests beside the shared ones (``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from beleg.adapters.mail import SmtpTransport
from beleg.services.delivery.mail_sending import Mailer
from tests.smtp import Recorder, free_port


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, Mailer]]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        transport = SmtpTransport("127.0.0.1", port, implicit_tls=False, timeout=5)
        yield recorder, Mailer(transport=transport, default_sender="beleg@localhost")
    finally:
        controller.stop()
