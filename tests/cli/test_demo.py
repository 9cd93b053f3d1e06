"""`beleg demo` run as a user runs it: a subprocess on a fresh SQLite database, then `beleg
serve` on the same database answering with the key the demo printed."""

from __future__ import annotations

import csv
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BELEG = str(Path(sys.executable).with_name("beleg"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_beleg_demo_bills_a_year_and_serve_shows_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
    env |= {"BELEG_DATABASE_URL": f"sqlite:///{tmp_path / 'beleg.db'}", "COLUMNS": "200"}
    done = subprocess.run(
        [BELEG, "demo", "--customers", "60"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"trial balance\s*│\s*0\.00 EUR", done.stdout), done.stdout
    assert "verified" in done.stdout
    opened = re.search(r"open receivables \(open items\)\s*│\s*([0-9.]+) EUR", done.stdout)
    balance = re.search(r"receivables account balance\s*│\s*([0-9.]+) EUR", done.stdout)
    assert opened and balance and opened.group(1) == balance.group(1)
    documents = int(re.search(r"documents\s*│\s*(\d+)", done.stdout).group(1))  # type: ignore[union-attr]
    out = tmp_path / "demo-out"
    with (out / "documents.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.reader(handle))) == documents + 1
    assert list(out.glob("*.pdf"))
    token = done.stdout.strip().splitlines()[-1]
    port = _free_port()
    env |= {"BELEG_EMBEDDED_WORKER": "false"}
    server = subprocess.Popen(
        [BELEG, "serve", "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        page = httpx.get(
            f"{base}/v2/contracts", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert page.status_code == 200, page.text
        assert page.json()["total"] == 60
    finally:
        server.terminate()
        server.wait(timeout=30)
