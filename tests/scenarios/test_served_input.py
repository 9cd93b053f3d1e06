"""Issue 12, findings 3 and 4, over real sockets: the application served by uvicorn (both of
its HTTP implementations) keeps a keep-alive connection usable after a server error, and
answers a declared 200 MB body with 413 before the client sent any of it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from beleg.api import ops
from beleg.api.app import create_app
from beleg.db.database import Database
from tests import conftest


@pytest.fixture(params=["httptools", "h11"])
def served(request: pytest.FixtureRequest, db: Database, database_url: str) -> Iterator[int]:
    """The app under uvicorn on a free port; yields the port."""
    app = create_app(settings=conftest.test_settings(database_url), db=db)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, http=request.param, log_level="critical", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(10)
    listener.close()


def read_response(connection: socket.socket) -> tuple[int, bytes]:
    """One HTTP/1.1 response with a Content-Length: (status, body); (0, b"") when the server
    closed or reset the connection instead."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return 0, b""
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        length = next(
            int(line.split(":", 1)[1])
            for line in lines
            if line.lower().startswith("content-length")
        )
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return 0, b""
            body += chunk
    except (ConnectionResetError, TimeoutError):
        return 0, b""
    return int(lines[0].split()[1]), body


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def test_the_request_after_a_server_error_on_the_same_connection_is_answered(
    served: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> object:
        raise RuntimeError("forced server error")

    monkeypatch.setattr(ops, "schema_status", broken)  # /readyz now fails inside the endpoint
    with socket.create_connection(("127.0.0.1", served), timeout=10) as connection:
        connection.sendall(get("/readyz"))
        status, body = read_response(connection)
        assert status == 500 and b"internal-error" in body
        connection.sendall(get("/healthz"))  # the same connection, kept alive
        assert read_response(connection) == (200, b'{"status":"ok"}')


def test_a_declared_200_mb_body_is_refused_before_it_is_sent(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=10) as connection:
        connection.sendall(
            b"POST /v2/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 209715200\r\n\r\n"
        )  # headers only: not one byte of the body
        started = time.monotonic()
        status, body = read_response(connection)
        assert status == 413 and b"body-too-large" in body
        assert time.monotonic() - started < 5
