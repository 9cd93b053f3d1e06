"""Outgoing webhooks over HTTP (ADR 0021): resolve and check the receiver's address, sign
with Standard Webhooks, POST with httpx2, keep at most 4 KiB of the answer. Knows nothing of
tenants or tables.

No server-side request forgery: the host is resolved here (``resolve_host``, replaceable in
tests), every address must pass ``domain/delivery/addresses.py``, and the connection goes to
the address that was checked (``_PinnedBackend``), with the URL's Host header and TLS server
name, so that a DNS answer changing between check and connect cannot redirect it. Redirects
are not followed, proxies from the environment are not used, each phase (connect, write, read)
times out after 10 s and the whole answer after 10 s more.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

import httpcore2
import httpx2
from standardwebhooks import Webhook

from beleg.domain.delivery.addresses import Target, address_refusal, checked_url
from beleg.domain.delivery.webhooks import RESPONSE_BODY_KEPT
from beleg.domain.errors import ValidationFailed

TIMEOUT = 10.0  # seconds per phase (issue: "timeouts of 10 s")
RESOLVE_TIMEOUT = 5.0  # seconds: a name that does not resolve by then is refused
Resolver = Callable[[str, int], list[str]]  # (host, port) -> IP addresses
_resolving = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (getaddrinfo), or ``OSError`` when it does not resolve
    within RESOLVE_TIMEOUT."""
    future = _resolving.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=RESOLVE_TIMEOUT)
    except FutureTimeout:
        raise OSError(f"resolving {host} took longer than {RESOLVE_TIMEOUT:.0f} s") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a checked URL goes: its target and the checked address to connect to."""

    target: Target
    address: str


def check_destination(
    url: str, *, loopback_allowed: bool, resolver: Resolver | None = None
) -> Destination:
    """``url`` checked and its host resolved and checked: ValidationFailed naming ``url``
    otherwise (not https, user info, an unresolvable host, a non-global address)."""
    target = checked_url(url, loopback_allowed=loopback_allowed)
    if target.literal is not None:
        return Destination(target, str(target.literal))
    try:
        found = (resolver or resolve_host)(target.host, target.port)
    except (OSError, UnicodeError):
        found = []
    if not found:
        raise ValidationFailed("delivery.webhook_host_unresolvable", field="url", host=target.host)
    for text in found:
        address = ipaddress.ip_address(text.split("%")[0])
        refused = address_refusal(address)  # a *name* resolving to loopback: always refused
        if refused is not None:
            raise ValidationFailed(
                "delivery.webhook_address_refused", field="url", address=text, kind=refused
            )
    return Destination(target, found[0])


def signed_headers(*, secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of ``body`` signed at ``at`` (the real time: receivers
    compare it with their own clock)."""
    signature = Webhook(secret).sign(message_id, at, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "Beleg-Webhooks/1",
    }


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one POST came to: the answer's status and first 4 KiB, or why there is none."""

    status_code: int | None
    body: bytes | None
    duration_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _DeadlineStream(httpcore2.NetworkStream):
    """A connection whose every read and write ends by the backend's current ``deadline``:
    httpcore's timeouts hold per socket operation, so a receiver dribbling its headers one
    byte every 9 s would otherwise keep a POST (and the worker) busy for hours."""

    def __init__(self, stream: httpcore2.NetworkStream, backend: _PinnedBackend) -> None:
        self._stream = stream
        self._backend = backend

    def _left(self, timeout: float | None) -> float:
        left = self._backend.deadline - time.monotonic()
        if left <= 0:
            raise httpcore2.ReadTimeout("the receiver took longer than the whole POST may")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        wrapped = self._stream.start_tls(ssl_context, server_hostname, self._left(timeout))
        return _DeadlineStream(wrapped, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore2.SyncBackend):
    """Connects to the address checked for (host, port), never to what the host resolves to
    now; a host that was not checked is not connected to at all. Its streams end by
    ``deadline`` (``time.monotonic()``), which the sender sets for each POST."""

    def __init__(self) -> None:
        self.pins: dict[tuple[str, int], str] = {}
        self.deadline = float("inf")

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore2.NetworkStream:
        pinned = self.pins.get((host.lower(), port))
        if pinned is None:
            raise httpcore2.ConnectError(f"{host}:{port} was not checked")
        stream = super().connect_tcp(pinned, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream, self)


class WebhookSender:
    """POSTs a batch of webhooks over one connection pool (a context manager)."""

    def __init__(self, *, timeout: float = TIMEOUT, resolver: Resolver | None = None) -> None:
        self._backend = _PinnedBackend()
        self._resolver = resolver
        self._timeout = timeout
        transport = httpx2.HTTPTransport(trust_env=False)
        # the transport's pool, rebuilt on the pinning backend (httpx2 takes no backend)
        transport._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(),
            max_connections=20,
            max_keepalive_connections=20,
            network_backend=self._backend,
        )
        self._client = httpx2.Client(
            transport=transport,
            timeout=httpx2.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
        )

    def __enter__(self) -> WebhookSender:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def send(
        self, *, url: str, headers: Mapping[str, str], body: str, loopback_allowed: bool
    ) -> SendResult:
        """Check ``url`` again (the name may resolve elsewhere by now), then POST ``body``."""
        started = time.monotonic()
        try:
            destination = check_destination(
                url, loopback_allowed=loopback_allowed, resolver=self._resolver
            )
        except ValidationFailed as refused:
            return SendResult(None, None, _ms(started), f"refused: {refused.text()}")
        target = destination.target
        self._backend.pins[(target.host, target.port)] = destination.address
        try:
            return self._post(url, headers, body.encode("utf-8"), started)
        except httpx2.HTTPError as failed:
            return SendResult(None, None, _ms(started), f"{type(failed).__name__}: {failed}"[:2000])

    def _post(
        self, url: str, headers: Mapping[str, str], body: bytes, started: float
    ) -> SendResult:
        deadline = started + 2 * self._timeout
        self._backend.deadline = deadline
        # identity: the kept 4 KiB are the answer's text, and no compressed answer can expand
        sent = {**headers, "accept-encoding": "identity"}
        with self._client.stream("POST", url, headers=sent, content=body) as answer:
            kept = bytearray()
            for chunk in answer.iter_raw():
                kept += chunk
                if len(kept) >= RESPONSE_BODY_KEPT or time.monotonic() > deadline:
                    break
            return SendResult(
                answer.status_code, bytes(kept[:RESPONSE_BODY_KEPT]), _ms(started), None
            )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
