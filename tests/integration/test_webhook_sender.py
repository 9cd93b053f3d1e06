"""The webhook sender (adapters/webhooks.py) against a real receiver on 127.0.0.1: it keeps
4 KiB of an answer, follows no redirect, times out, connects only to the address it checked
(the Host header stays the URL's), and signs so that standardwebhooks verifies."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime

import httpx2
import pytest
from standardwebhooks import Webhook

from beleg.adapters.webhooks import (
    WebhookSender,
    check_destination,
    signed_headers,
)
from beleg.domain.delivery.webhooks import new_secret
from beleg.domain.errors import ValidationFailed
from tests.receiver import running_receiver

BODY = '{"id":"1","type":"webhook.test","data":{}}'


def _headers(secret: str) -> dict[str, str]:
    return signed_headers(secret=secret, message_id="msg_1", body=BODY, at=datetime.now(UTC))


def test_a_signed_post_verifies_and_keeps_4_kib_of_the_answer() -> None:
    secret = new_secret()
    with running_receiver(body=b"x" * 10_000) as receiver, WebhookSender() as sender:
        result = sender.send(
            url=receiver.url, headers=_headers(secret), body=BODY, loopback_allowed=True
        )
    assert (result.status_code, result.ok, result.error) == (200, True, None)
    assert result.body == b"x" * 4096
    (got,) = receiver.requests
    assert Webhook(secret).verify(got.body, got.headers) == {
        "id": "1",
        "type": "webhook.test",
        "data": {},
    }
    assert got.headers["Host"] == f"127.0.0.1:{receiver.port}"


def test_redirects_are_not_followed() -> None:
    with (
        running_receiver() as target,
        running_receiver(default=307, location=target.url) as hop,
        WebhookSender() as sender,
    ):
        result = sender.send(
            url=hop.url, headers=_headers(new_secret()), body=BODY, loopback_allowed=True
        )
    assert (result.status_code, result.ok) == (307, False)
    assert len(hop.requests) == 1 and target.requests == []


def test_a_slow_receiver_times_out() -> None:
    with running_receiver(delay=1.0) as receiver, WebhookSender(timeout=0.2) as sender:
        result = sender.send(
            url=receiver.url, headers=_headers(new_secret()), body=BODY, loopback_allowed=True
        )
    assert result.status_code is None and result.error is not None
    assert result.error.startswith("ReadTimeout")


def test_the_connection_goes_to_the_checked_address_with_the_urls_host() -> None:
    resolved = {"hooks.example.com": ["93.184.216.34"]}
    with running_receiver() as receiver:
        url = f"http://hooks.example.com:{receiver.port}/hook"
        with pytest.raises(ValidationFailed) as refused:
            check_destination(url, loopback_allowed=True, resolver=lambda h, p: resolved[h])
        assert refused.value.code == "delivery.webhook_url_not_https"  # http needs a literal
        https = f"https://hooks.example.com:{receiver.port}/hook"
        checked = check_destination(
            https, loopback_allowed=False, resolver=lambda h, p: resolved[h]
        )
        assert (checked.address, checked.target.host) == ("93.184.216.34", "hooks.example.com")
        resolved["hooks.example.com"] = ["10.1.2.3", "93.184.216.34"]  # one private is enough
        with pytest.raises(ValidationFailed) as refused:
            check_destination(https, loopback_allowed=False, resolver=lambda h, p: resolved[h])
        assert refused.value.params == {"address": "10.1.2.3", "kind": "private"}
        resolved["hooks.example.com"] = []
        with pytest.raises(ValidationFailed) as refused:
            check_destination(https, loopback_allowed=False, resolver=lambda h, p: resolved[h])
        assert refused.value.code == "delivery.webhook_host_unresolvable"


def test_the_pinned_backend_connects_to_the_pin_and_to_nothing_else() -> None:
    with running_receiver() as receiver, WebhookSender() as sender:
        url = f"http://hooks.example.com:{receiver.port}/hook"
        # what send() does after checking: pin the checked address for the URL's host
        sender._backend.pins[("hooks.example.com", receiver.port)] = "127.0.0.1"
        pinned = sender._post(url, {}, b"{}", time.monotonic())
        unpinned = f"http://elsewhere.example.com:{receiver.port}/hook"
        with pytest.raises(httpx2.ConnectError, match="was not checked"):
            sender._post(unpinned, {}, b"{}", time.monotonic())
    assert pinned.status_code == 200
    (got,) = receiver.requests
    assert got.headers["Host"] == f"hooks.example.com:{receiver.port}"


def test_one_pool_serves_a_batch() -> None:
    with running_receiver() as receiver, WebhookSender() as sender:
        results = [
            sender.send(
                url=receiver.url, headers=_headers(new_secret()), body=BODY, loopback_allowed=True
            )
            for _ in range(5)
        ]
    assert [r.status_code for r in results] == [200] * 5
    assert len(receiver.requests) == 5


def test_a_receiver_dribbling_its_answer_is_cut_off_at_the_whole_posts_deadline() -> None:
    """Every byte arrives within the per-read timeout, but the POST as a whole may take at
    most twice the timeout: a receiver cannot hold a worker for hours."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Padding: " + b"x" * 200 + b"\r\n\r\nok"

    def dribble() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in answer:
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return  # the sender gave up
                time.sleep(0.05)

    server = threading.Thread(target=dribble, daemon=True)
    server.start()
    with WebhookSender(timeout=0.3) as sender:
        result = sender.send(
            url=f"http://127.0.0.1:{port}/hook",
            headers=_headers(new_secret()),
            body=BODY,
            loopback_allowed=True,
        )
    listener.close()
    # without the deadline every byte would come in time and the answer be a 200
    assert result.status_code is None and result.error is not None
    assert "Timeout" in result.error
