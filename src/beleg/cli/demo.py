"""`beleg demo`: the README's first command. A German test-mode tenant lives a year of
subscriptions on its test clock (``services/onboarding/demo``); the command prints what the
billing runs did, checks the books, writes sample PDFs and a CSV of every document into the
output folder, and prints the API key to look at it with `beleg serve`."""

from __future__ import annotations

import csv
import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beleg.cli.context import clock, console, database, run
from beleg.db.schema import upgrade_to_head
from beleg.domain.numbering.counters import DocumentType
from beleg.money import round_to_places, with_scale
from beleg.queries.onboarding.demo_summary import (
    CSV_COLUMNS,
    DemoSummary,
    demo_summary,
    document_rows,
    sample_documents,
)
from beleg.services.documents.pdf import store_pdf
from beleg.services.onboarding.demo import run_demo

SAMPLE_PDFS = 4
CENTS = 2  # the demo tenant bills in EUR


def _eur(amount: Decimal) -> str:
    return f"{with_scale(amount, CENTS)} EUR"


def demo(
    out: Annotated[Path, typer.Option(help="Folder for sample PDFs and documents.csv")] = Path(
        "demo-out"
    ),
    customers: Annotated[int, typer.Option(min=1, max=5000, help="Customers to create")] = 200,
) -> None:
    """Create a demo tenant, bill a year of subscriptions, print the summary (exit 1 when
    the books do not balance or the audit chain is broken)."""
    started = time.monotonic()
    db = database()
    upgrade_to_head(db=db)
    done = run(lambda: run_demo(db=db, customers=customers, clock=clock))
    tenant_id = done.tenant.id
    summary = demo_summary(db=db, tenant_id=tenant_id, mrr_on=done.today)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "documents.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(document_rows(db=db, tenant_id=tenant_id))
    for doc_id, doc_type, number in sample_documents(db=db, tenant_id=tenant_id, count=SAMPLE_PDFS):
        pdf = store_pdf(db=db, tenant_id=tenant_id, doc_id=doc_id, clock=clock)
        kind = "invoice" if doc_type == DocumentType.INVOICE.value else "credit-note"
        (out / f"{kind}-{number}.pdf").write_bytes(pdf)
    _print(summary, done.contracts, time.monotonic() - started)
    console.print(f"demo tenant {done.tenant.number} ({tenant_id}); clock at {done.today}")
    console.print(f"files in {out.resolve()}")
    console.print("API key for `beleg serve` (shown once):")
    console.print(done.token, markup=False, highlight=False)
    if summary.trial_balance != 0 or not summary.chain_intact:
        raise typer.Exit(code=1)


def _print(summary: DemoSummary, contracts: int, seconds: float) -> None:
    table = Table(title=f"a year of billing: {contracts} contracts")
    for column in ("month", "invoices", "credit notes", "revenue (net)"):
        table.add_column(column, justify="left" if column == "month" else "right")
    for month in summary.months:
        table.add_row(
            month.month, str(month.invoices), str(month.credit_notes), _eur(month.revenue)
        )
    console.print(table)
    checks = Table(title="the books")
    checks.add_column("figure")
    checks.add_column("value", justify="right")
    for name, value in (
        ("documents", summary.documents),
        ("revenue (net)", _eur(summary.revenue)),
        (f"MRR on {summary.mrr_on}", _eur(round_to_places(summary.mrr, CENTS))),
        ("open receivables (open items)", _eur(summary.open_items)),
        ("receivables account balance", _eur(summary.receivables_balance)),
        ("trial balance", _eur(summary.trial_balance)),
        (
            "audit chain",
            f"verified, {summary.audit_entries} entries" if summary.chain_intact else "BROKEN",
        ),
        ("seconds", f"{seconds:.1f}"),
    ):
        checks.add_row(name, str(value))
    console.print(checks)
