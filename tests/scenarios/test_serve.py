"""`beleg serve` from a clean directory: creates the SQLite database, bootstraps, answers."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_on_the_embedded_default(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
    env |= {"BELEG_PORT": str(port), "BELEG_LOG_FORMAT": "json"}
    process = subprocess.Popen(
        [sys.executable, "-m", "beleg.cli.main", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.2)
        assert httpx2.get(f"{base}/healthz").json() == {"status": "ok"}
        assert httpx2.get(f"{base}/readyz").status_code == 200
        assert httpx2.get(f"{base}/openapi.json").json()["info"]["title"] == "Beleg"
        assert (tmp_path / "beleg.db").exists()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    token = next(line for line in output.splitlines() if line.startswith("blg_"))
    assert "not shown again" in output and token not in output.split(token, 1)[1]
