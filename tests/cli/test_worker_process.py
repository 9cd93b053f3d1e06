"""The worker as a process (issue 12, finding 5): the child process ``beleg serve`` starts
beside the server (``BELEG_EMBEDDED_WORKER``) renders PDFs and stops cleanly with the server;
``beleg worker`` stops cleanly on SIGTERM. Both on the test database (SQLite or PostgreSQL);
``beleg serve`` itself is in tests/scenarios/test_serve.py."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

import pytest
from sqlalchemy import select

from beleg.cli.worker_process import embedded_worker
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import outbox_events, sales_document_files
from beleg.services.documents.create import create_document
from beleg.settings import Settings
from tests.cli.test_commands import BELEG, _invoice, settle_other_tenants
from tests.conftest import make_tenant, system_actor


@pytest.mark.parametrize(
    ("value", "url", "runs"),
    [
        ("auto", "sqlite:///./beleg.db", True),
        ("auto", "postgresql+psycopg://beleg@db/beleg", False),
        ("true", "postgresql+psycopg://beleg@db/beleg", True),
        ("false", "sqlite:///./beleg.db", False),
        ("0", "sqlite:///./beleg.db", False),
    ],
)
def test_the_embedded_worker_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, url: str, runs: bool
) -> None:
    monkeypatch.setenv("BELEG_EMBEDDED_WORKER", value)
    monkeypatch.setenv("BELEG_DATABASE_URL", url)
    assert Settings().runs_embedded_worker is runs


def test_the_default_is_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BELEG_EMBEDDED_WORKER", raising=False)
    assert Settings().embedded_worker == "auto"
    monkeypatch.setenv("BELEG_EMBEDDED_WORKER", "sometimes")
    with pytest.raises(ValueError, match="embedded_worker"):
        Settings()


def _finalised_invoice(db: Database) -> uuid.UUID:
    tenant = make_tenant(db)
    clock = SystemClock()
    return create_document(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        data=_invoice(clock.now().date()),
        clock=clock,
    )


def _wait_for_pdf(db: Database, doc_id: uuid.UUID, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with db.reader() as session:
            found = session.execute(
                select(sales_document_files.c.document_id).where(
                    sales_document_files.c.document_id == doc_id
                )
            ).first()
        if found is not None:
            return True
        time.sleep(0.1)
    return False


def test_the_embedded_worker_renders_beside_the_server_and_stops_with_it(
    db: Database, database_url: str, platform: dict[str, object]
) -> None:
    settle_other_tenants(db)
    settings = Settings(database_url=database_url, log_level="WARNING")
    with embedded_worker(settings, interval=0.2) as process:
        assert process.pid != os.getpid()
        doc_id = _finalised_invoice(db)
        assert _wait_for_pdf(db, doc_id, seconds=60)
        assert process.is_alive()
        started = time.monotonic()
    assert process.exitcode == 0  # stopped by its event, not killed
    assert time.monotonic() - started < 10


def test_beleg_worker_stops_cleanly_on_sigterm(
    db: Database, database_url: str, platform: dict[str, object]
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
    env |= {"BELEG_DATABASE_URL": database_url, "BELEG_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [str(BELEG), "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        doc_id = _finalised_invoice(db)
        assert _wait_for_pdf(db, doc_id, seconds=60)
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "Traceback" not in output


def _worker_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
    return env | {"BELEG_DATABASE_URL": database_url, "BELEG_LOG_LEVEL": "WARNING"}


def test_beleg_worker_renders_in_process_on_sqlite_and_through_the_queue_on_postgresql(
    db: Database, database_url: str, platform: dict[str, object]
) -> None:
    process = subprocess.Popen(
        [str(BELEG), "worker", "--interval", "0.2", "--concurrency", "2"],
        env=_worker_env(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        doc_id = _finalised_invoice(db)
        assert _wait_for_pdf(db, doc_id, seconds=60)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    with db.reader() as session:
        [event] = [
            row
            for row in session.execute(
                select(outbox_events).where(outbox_events.c.topic == "render.pdf")
            )
            if row.payload["id"] == str(doc_id)
        ]
    assert event.done_at is not None and event.attempts == 1
    # SQLite: claimed and rendered by the loop; PostgreSQL: relayed into one procrastinate job
    assert (event.relayed_at is not None) is (db.dialect == "postgresql")


def test_beleg_worker_concurrency_option(database_url: str, platform: dict[str, object]) -> None:
    env = _worker_env(database_url)
    refused = subprocess.run(
        [str(BELEG), "worker", "--concurrency", "0"],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "--concurrency" in refused.stderr
    once = subprocess.run(
        [str(BELEG), "worker", "--once", "--concurrency", "3"],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert once.returncode == 0, once.stderr
    assert "rendered" in once.stdout and "issued" in once.stdout


def test_the_worker_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BELEG_WORKER_CONCURRENCY", "8")
    monkeypatch.setenv("BELEG_WORKER_STALLED_SECONDS", "90")
    settings = Settings()
    assert settings.worker_concurrency == 8 and settings.worker_stalled_seconds == 90.0
    assert settings.worker_heartbeat_seconds == 10.0 and settings.fault_kill_in_job == 0
    monkeypatch.setenv("BELEG_WORKER_CONCURRENCY", "0")
    with pytest.raises(ValueError, match="worker_concurrency"):
        Settings()
