"""`beleg demo`: the README's first command. A German test-mode tenant lives a year of
subscriptions on its test clock (``services/onboarding/demo``); the command prints what the
billing runs did (its usage included), checks the books, writes sample PDFs and a CSV of every
document into the output folder, and prints the API key to look at it with `beleg serve`. The
console speaks English; the tenant's documents are German."""

from __future__ import annotations

import csv
import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beleg import messages
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
LANGUAGE = messages.ENGLISH  # the operator's console; the demo tenant's documents are German


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
    console.print(
        messages.text(
            "demo.tenant_line", LANGUAGE, number=done.tenant.number, id=tenant_id, day=done.today
        )
    )
    console.print(messages.text("demo.files_line", LANGUAGE, folder=out.resolve()))
    console.print(messages.text("demo.key_line", LANGUAGE), markup=False, highlight=False)
    console.print(done.token, markup=False, highlight=False)
    if summary.trial_balance != 0 or not summary.chain_intact:
        raise typer.Exit(code=1)


def _print(summary: DemoSummary, contracts: int, seconds: float) -> None:
    table = Table(title=messages.text("demo.summary_title", LANGUAGE, contracts=contracts))
    table.add_column(messages.text("demo.summary_month", LANGUAGE))
    for code in (
        "demo.summary_invoices",
        "demo.summary_credit_notes",
        "demo.summary_revenue",
        "demo.summary_usage",
    ):
        table.add_column(messages.text(code, LANGUAGE), justify="right")
    for month in summary.months:
        table.add_row(
            month.month,
            str(month.invoices),
            str(month.credit_notes),
            _eur(month.revenue),
            _eur(month.usage),
        )
    console.print(table)
    checks = Table(title=messages.text("demo.books_title", LANGUAGE))
    checks.add_column(messages.text("demo.books_figure", LANGUAGE))
    checks.add_column(messages.text("demo.books_value", LANGUAGE), justify="right")
    for name, value in _figures(summary, seconds):
        checks.add_row(name, value)
    console.print(checks)


def _figures(summary: DemoSummary, seconds: float) -> list[tuple[str, str]]:
    usage = summary.usage
    chain = (
        messages.text("demo.books_chain_verified", LANGUAGE, entries=summary.audit_entries)
        if summary.chain_intact
        else messages.text("demo.books_chain_broken", LANGUAGE)
    )
    return [
        (messages.text("demo.books_documents", LANGUAGE), str(summary.documents)),
        (messages.text("demo.summary_revenue", LANGUAGE), _eur(summary.revenue)),
        (messages.text("demo.books_usage_events", LANGUAGE), str(usage.events)),
        (messages.text("demo.books_usage_revenue", LANGUAGE), _eur(usage.revenue)),
        (messages.text("demo.books_capped", LANGUAGE), str(usage.capped)),
        (messages.text("demo.books_corrections", LANGUAGE), str(usage.corrections)),
        (messages.text("demo.books_carried_over", LANGUAGE), str(usage.carried_over)),
        (
            messages.text("demo.books_mrr", LANGUAGE, day=summary.mrr_on),
            _eur(round_to_places(summary.mrr, CENTS)),
        ),
        (messages.text("demo.books_open_items", LANGUAGE), _eur(summary.open_items)),
        (messages.text("demo.books_receivables", LANGUAGE), _eur(summary.receivables_balance)),
        (messages.text("demo.books_trial_balance", LANGUAGE), _eur(summary.trial_balance)),
        (messages.text("demo.books_audit_chain", LANGUAGE), chain),
        (messages.text("demo.books_seconds", LANGUAGE), f"{seconds:.1f}"),
    ]
