"""Every command the README lists, run as a user runs it: the installed ``beleg`` script in
its own process against the test database (a command only unit tests call can crash on start
unnoticed, as ``beleg worker`` did). ``beleg serve`` is in tests/scenarios/test_serve.py."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import (
    mails,
    outbox_events,
    sales_document_files,
    sales_documents,
    webhook_deliveries,
)
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.create import DocumentInput, create_document
from beleg.services.documents.lines import DocLineInput
from beleg.services.documents.templates import TemplateInput, save_template
from tests.conftest import make_tenant, system_actor

BELEG = Path(sys.executable).with_name("beleg")
PASSWORD = "a long enough password\n"


def settle_other_tenants(db: Database) -> None:
    """The session's database holds every earlier test's tenants, with their undelivered
    events and queued mails (each mail renders its PDF and e-invoice when sent): a worker
    started here would work all of them first. They are set aside, so that the worker
    test measures the worker, not the backlog of other tests."""
    now = SystemClock().now()
    with db.transaction() as session:
        session.execute(
            update(outbox_events).where(outbox_events.c.done_at.is_(None)).values(done_at=now)
        )
        session.execute(update(mails).where(mails.c.status == "QUEUED").values(status="FAILED"))
        session.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.status == "PENDING")
            .values(status="FAILED")
        )


def beleg(database_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """``beleg ARGS`` in a new session (no controlling terminal: prompts read stdin)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
    env |= {"BELEG_DATABASE_URL": database_url, "COLUMNS": "250", "BELEG_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [str(BELEG), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
        check=False,
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _line(account: str = "4000") -> DocLineInput:
    return DocLineInput(
        amount=Decimal(1),
        name="Wartung",
        item_price=Decimal("100.00"),
        item_price_type="N",
        account=account,
        tax_class_entry="020",
        net_price=Decimal("100.00"),
        tax_price=Decimal("20.00"),
        total_price=Decimal("120.00"),
    )


def _invoice(doc_date: date) -> DocumentInput:
    return DocumentInput(
        doc_type=DocumentType.INVOICE,
        state="FINALIZED",
        doc_date=doc_date,
        lines=[_line()],
        customer_name="Worker GmbH",
        totals=(Decimal("100.00"), Decimal("20.00"), Decimal("120.00")),
    )


def _issued(db: Database, tenant_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    with db.reader() as session:
        return [
            tuple(r)
            for r in session.execute(
                select(sales_documents.c.id, sales_documents.c.number)
                .where(
                    sales_documents.c.tenant_id == tenant_id, sales_documents.c.number.is_not(None)
                )
                .order_by(sales_documents.c.number)
            )
        ]


def _pdf_count(db: Database, tenant_id: uuid.UUID) -> int:
    with db.reader() as session:
        return session.execute(
            select(func.count())
            .select_from(sales_document_files)
            .where(sales_document_files.c.tenant_id == tenant_id)
        ).scalar_one()


def test_worker_once_renders_queued_pdfs_and_issues_due_invoices(
    db: Database, database_url: str, platform: dict[str, object]
) -> None:
    settle_other_tenants(db)
    tenant = make_tenant(db)
    actor, clock = system_actor(tenant.id), SystemClock()
    today = clock.now().date()
    create_document(db=db, actor=actor, tenant_id=tenant.id, data=_invoice(today), clock=clock)
    save_template(
        db=db,
        actor=actor,
        tenant_id=tenant.id,
        clock=clock,
        data=TemplateInput(
            name="Wartungsvertrag",
            document=_invoice(today),
            raw={},
            interval=1,
            interval_type="MONTH",
            next_invoice_date=today,
        ),
    )
    assert len(_issued(db, tenant.id)) == 1 and _pdf_count(db, tenant.id) == 0

    first = ok(beleg(database_url, "worker", "--once"))
    assert "issued" in first and "rendered" in first
    year = today.year  # the due subscription invoice takes the second number
    assert [n for _, n in _issued(db, tenant.id)] == [f"R {year} 1", f"R {year} 2"]
    assert _pdf_count(db, tenant.id) == 1  # the queued PDF of the first invoice

    ok(beleg(database_url, "worker", "--once"))  # the new invoice's PDF; nothing issued twice
    assert len(_issued(db, tenant.id)) == 2
    assert _pdf_count(db, tenant.id) == 2
    with db.reader() as session:
        pending = session.execute(
            select(func.count())
            .select_from(outbox_events)
            .where(
                outbox_events.c.tenant_id == tenant.id,
                outbox_events.c.topic == "render.pdf",
                outbox_events.c.done_at.is_(None),
            )
        ).scalar_one()
    assert pending == 0


@pytest.mark.slow
def test_every_readme_command_runs_as_a_process(
    database_url: str, db: Database, platform: dict[str, object]
) -> None:
    assert "latest migration" in ok(beleg(database_url, "migrate"))
    created = ok(
        beleg(
            database_url,
            "tenant",
            "create",
            "--name",
            "Prozess GmbH",
            "--country",
            "DE",
            "--mode",
            "DE",
            "--chart",
            "SKR04",
        )
    )
    number = created.split()[1]
    assert "Prozess GmbH" in ok(beleg(database_url, "tenant", "list"))
    assert "updated" in ok(beleg(database_url, "tenant", "update", number, "--name", "Prozess AG"))
    ok(
        beleg(
            database_url,
            "user",
            "create",
            "-t",
            number,
            "--username",
            "paula",
            "--role",
            "ACCOUNTANT",
            stdin=PASSWORD * 2,
        )
    )
    assert "paula" in ok(beleg(database_url, "user", "list", "-t", number))
    token = ok(
        beleg(
            database_url,
            "apikey",
            "create",
            "-t",
            number,
            "--name",
            "export",
            "-s",
            "documents:read",
            "--validity",
            "30",
            "--user",
            "paula",
        )
    )
    assert token.strip().splitlines()[-1].startswith("blg_")
    assert "export" in ok(beleg(database_url, "apikey", "list", "-t", number))
    assert "1 API key(s) kept" in ok(beleg(database_url, "user", "delete", "-t", number, "paula"))
    assert "chain intact" in ok(beleg(database_url, "audit", "verify", "-t", number))
    period = ["-t", number, "--from", "2026-01-01", "--to", "2026-12-31"]
    assert (
        ok(beleg(database_url, "ledger", "trial-balance", *period, "--csv")).splitlines()[0]
        == "account,name,type,debit,credit,balance"
    )
    assert "Journal" in ok(beleg(database_url, "ledger", "journal", *period))
    assert "closed until 2025-12-31" in ok(
        beleg(database_url, "ledger", "close", "-t", number, "--until", "2025-12-31")
    )
    rotated = ok(beleg(database_url, "oauth", "rotate-key"))
    kid = rotated.split()[3].rstrip(";")
    assert kid in ok(beleg(database_url, "oauth", "retire-key", kid))
    bad = beleg(database_url, "tenant", "create", "--name", "X", "--country", "FR")
    assert bad.returncode == 2 and "country" in bad.stderr + bad.stdout
