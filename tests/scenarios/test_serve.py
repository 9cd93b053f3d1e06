"""`beleg serve` from a clean directory: creates the SQLite database, bootstraps, answers;
renders PDFs through its embedded worker process, never in a request (issue 12, finding 5)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select

from beleg.db.database import Database
from beleg.db.tables import outbox_events, sales_document_files

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


INVOICE = {
    "state": "FINALIZED",
    "date": "2026-11-02",
    "customerName": "Kunde GmbH",
    "netAmount": "100.00",
    "taxAmount": "20.00",
    "totalAmount": "120.00",
    "lines": [
        {
            "name": "Beratung",
            "itemPrice": 100,
            "itemPriceType": "N",
            "account": "4000",
            "taxClassEntry": "020",
            "amount": 1,
            "netPrice": "100.00",
            "taxPrice": "20.00",
            "totalPrice": "120.00",
        }
    ],
}


class Served:
    """``beleg serve`` in a clean directory, its output in a file beside ``beleg.db``."""

    def __init__(self, directory: Path, **env: str) -> None:
        self.directory = directory
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = directory / "serve.log"
        clean = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
        clean |= {"BELEG_PORT": str(self.port), "BELEG_LOG_FORMAT": "json", **env}
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "beleg.cli.main", "serve"],
                cwd=directory,
                env=clean,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # a process group of its own, as in a terminal
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx2.get(f"{self.base}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.2)
        token = next(ln for ln in self.output().splitlines() if ln.startswith("blg_"))
        self.headers = {"Authorization": f"Bearer {token}"}
        self.db = Database(f"sqlite:///{directory / 'beleg.db'}")

    def output(self) -> str:
        return self.log.read_text()

    def events(self, name: str) -> list[dict[str, Any]]:
        found = []
        for line in self.output().splitlines():
            if line.startswith("{") and f'"{name}"' in line:
                found.append(json.loads(line))
        return found

    def finalise_invoice(self) -> str:
        response = httpx2.post(
            f"{self.base}/api/1.1/invoices", json=INVOICE, headers=self.headers, timeout=30
        )
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def pdfs(self) -> tuple[int, int]:
        """(stored PDFs, pending render events)."""
        with self.db.reader() as session:
            stored = session.execute(
                select(func.count()).select_from(sales_document_files)
            ).scalar_one()
            pending = session.execute(
                select(func.count()).where(
                    outbox_events.c.topic == "render.pdf", outbox_events.c.done_at.is_(None)
                )
            ).scalar_one()
        return stored, pending

    def stop(self, sig: int = signal.SIGTERM, *, group: bool = False) -> int:
        """Send ``sig`` to the server (or, like Ctrl-C in a terminal, to its whole group)."""
        self.db.dispose()
        if self.process.poll() is None:
            if group:
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def _running(pid: int) -> bool:
    """Whether the process runs (a zombie left to a non-reaping init does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _running(pid)


@pytest.mark.parametrize(
    ("sig", "group", "exit_code"),
    [(signal.SIGTERM, False, 128 + signal.SIGTERM), (signal.SIGINT, True, 0)],
    ids=["SIGTERM", "Ctrl-C"],
)
def test_serve_renders_pdfs_through_its_embedded_worker(
    tmp_path: Path, sig: int, group: bool, exit_code: int
) -> None:
    served = Served(tmp_path)
    try:
        [started] = served.events("worker.embedded_started")
        worker = int(started["pid"])
        assert worker != served.process.pid and _running(worker)
        number = served.finalise_invoice()
        finalised = time.monotonic()
        while served.pdfs() != (1, 0) and time.monotonic() - finalised < 20:
            time.sleep(0.1)
        assert served.pdfs() == (1, 0), served.output()  # rendered by the worker, within seconds
        pdf = httpx2.get(
            f"{served.base}/api/1.1/invoices/{number}/document", headers=served.headers
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    finally:
        code = served.stop(sig, group=group)
    assert code == exit_code, served.output()
    [stopped] = served.events("worker.embedded_stopped")
    assert stopped["exitcode"] == 0 and not _running(worker)  # asked to stop, not killed
    assert "Traceback" not in served.output()


def test_serve_without_the_embedded_worker_leaves_pdfs_to_beleg_worker(tmp_path: Path) -> None:
    served = Served(tmp_path, BELEG_EMBEDDED_WORKER="false")
    try:
        assert served.events("worker.embedded_started") == []
        number = served.finalise_invoice()
        time.sleep(5)
        assert served.pdfs() == (0, 1)  # nobody rendered it: no worker, and not the request
        pdf = httpx2.get(
            f"{served.base}/api/1.1/invoices/{number}/document",
            headers=served.headers,
            timeout=30,
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")  # on demand
        assert served.pdfs()[0] == 1
    finally:
        served.stop(signal.SIGTERM)


def test_the_embedded_worker_ends_when_the_server_is_killed(tmp_path: Path) -> None:
    served = Served(tmp_path)
    try:
        [started] = served.events("worker.embedded_started")
        worker = int(started["pid"])
        assert _running(worker)
    finally:
        served.stop(signal.SIGKILL)
    assert _gone_within(worker, 15)
