"""`beleg demo` run as a user runs it: a subprocess on a fresh SQLite database, then `beleg
serve` on the same database answering with the key the demo printed; what its usage became is
read from that database (issue 14 item 7: a free quota and a cap, late usage in both modes)."""

from __future__ import annotations

import csv
import os
import re
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from beleg.db.database import Database
from beleg.db.tables import billed_lines, contracts, sales_document_lines, sales_documents
from beleg.db.tables import usage_events as usage_events_table

BELEG = str(Path(sys.executable).with_name("beleg"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _figure(output: str, name: str) -> str:
    found = re.search(rf"{re.escape(name)}\s*│\s*([^│]+?)\s*│", output)
    assert found, output
    return found.group(1)


def _usage_lines(db: Database, *, group: str, doc_type: str, credit: bool) -> list[Decimal]:
    """The document-line nets of the usage lines of ``group``'s contracts on finalized
    documents of ``doc_type`` (billed credits or charges)."""
    b, d, c, line = billed_lines.c, sales_documents.c, contracts.c, sales_document_lines.c
    query = (
        select(line.net)
        .select_from(billed_lines)
        .join(sales_documents, (d.tenant_id == b.tenant_id) & (d.id == b.document_id))
        .join(contracts, (c.tenant_id == b.tenant_id) & (c.id == b.contract_id))
        .join(
            sales_document_lines,
            (line.tenant_id == b.tenant_id)
            & (line.document_id == b.document_id)
            & (line.line_no == b.line_no),
        )
        .where(
            b.kind.in_(("USAGE", "TIME_BASED_USAGE")),
            b.credit == credit,
            d.doc_type == doc_type,
            d.state == "FINALIZED",
            c.billing_group == group,
        )
    )
    with db.reader() as session:
        return [Decimal(net) for net in session.execute(query).scalars()]


def _assert_usage(db: Database, output: str) -> None:
    """Usage recorded and billed: within and above the cap, late usage corrected by a credit
    note (CORRECTION) and carried over as a negative invoice line (CARRY_OVER)."""
    with db.reader() as session:
        events = session.execute(select(func.count()).select_from(usage_events_table)).scalar_one()
        capped = session.execute(
            select(func.count())
            .select_from(billed_lines)
            .where(
                billed_lines.c.option_code == "CPU_HOURS",
                billed_lines.c.credit.is_(False),
                billed_lines.c.quantity == "600",  # 600 of 700+ hours less 10 free: the cap
                billed_lines.c.net_amount == Decimal("30.00"),  # 600 x 0.05
            )
        ).scalar_one()
    assert events > 0
    assert _figure(output, "usage events recorded") == str(events)
    assert capped > 0
    assert _figure(output, "usage lines at the cap") == str(capped)
    corrected = _usage_lines(db, group="CORRECTION", doc_type="CREDIT_MEMO", credit=True)
    assert any(net > 0 for net in corrected)  # a credit note's lines are positive
    assert all(net >= 0 for net in corrected)
    assert _usage_lines(db, group="CARRY_OVER", doc_type="CREDIT_MEMO", credit=True) == []
    carried = _usage_lines(db, group="CARRY_OVER", doc_type="INVOICE", credit=True)
    # negative on the invoice (0.00 for a line of free calls credited with its new quantity)
    assert any(net < 0 for net in carried)
    assert all(net <= 0 for net in carried)
    assert _usage_lines(db, group="CORRECTION", doc_type="INVOICE", credit=True) == []
    assert int(_figure(output, "late usage: lines carried over")) == len(carried)


@pytest.mark.slow
def test_beleg_demo_bills_a_year_and_serve_shows_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELEG_")}
    url = f"sqlite:///{tmp_path / 'beleg.db'}"
    env |= {"BELEG_DATABASE_URL": url, "COLUMNS": "200"}
    started = time.monotonic()
    done = subprocess.run(
        [BELEG, "demo", "--customers", "60"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(f"beleg demo --customers 60: {time.monotonic() - started:.1f} s")
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
    _assert_usage(Database(url), done.stdout)
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
