"""`beleg ledger`: trial balance and journal, as rich tables or CSV."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from beleg.cli.context import as_text, clock, console, database, operator, run
from beleg.clock import today_in
from beleg.formats.csv_export import csv_chunks
from beleg.queries.identity.lists import find_tenant
from beleg.queries.ledger.reports import journal_lines, trial_balance
from beleg.queries.listing import ListRequest, prepare_stream, stream_rows
from beleg.services.ledger.journals import close_books

ledger_app = typer.Typer(help="Ledger reports.", no_args_is_help=True)
TenantRef = Annotated[str, typer.Option("--tenant", "-t", help="Tenant number or UUID")]
DateFrom = Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD (default 1 Jan)")]
DateTo = Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD (default 31 Dec)")]
AsCsv = Annotated[bool, typer.Option("--csv", help="RFC 4180 CSV on standard output")]


def _date(text: str | None, default: date, option: str) -> date:
    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint=option) from None


def _period(date_from: str | None, date_to: str | None, timezone: str) -> tuple[date, date]:
    year = today_in(clock, timezone).year
    return (
        _date(date_from, date(year, 1, 1), "--from"),
        _date(date_to, date(year, 12, 31), "--to"),
    )


def _emit(rows: list[dict[str, object]], columns: list[str], title: str, as_csv: bool) -> None:
    if as_csv:
        for chunk in csv_chunks(rows, columns):
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(
            column,
            justify="right"
            if column in ("debit", "credit", "balance", "amount", "amountMain")
            else "left",
        )
    for row in rows:
        table.add_row(*(as_text(row[c]) for c in columns))
    console.print(table)


@ledger_app.command("trial-balance")
def trial_balance_command(
    tenant: TenantRef, date_from: DateFrom = None, date_to: DateTo = None, as_csv: AsCsv = False
) -> None:
    """Debit, credit and balance per account (main currency); the totals balance to zero."""
    db = database()
    row = run(lambda: find_tenant(db=db, reference=tenant))
    start, end = _period(date_from, date_to, row["timezone"])
    balances = trial_balance(db=db, tenant_id=row["id"], date_from=start, date_to=end)
    rows: list[dict[str, object]] = [
        {
            "account": b.account,
            "name": b.name,
            "type": b.account_type,
            "debit": b.debit,
            "credit": b.credit,
            "balance": b.balance,
        }
        for b in balances
    ]
    rows.append(
        {
            "account": "",
            "name": "Summe",
            "type": "",
            "debit": sum((b.debit for b in balances), start=0),
            "credit": sum((b.credit for b in balances), start=0),
            "balance": sum((b.balance for b in balances), start=0),
        }
    )
    _emit(
        rows,
        ["account", "name", "type", "debit", "credit", "balance"],
        f"Saldenliste {row['number']} {start} - {end} ({row['currency']})",
        as_csv,
    )


@ledger_app.command("journal")
def journal_command(
    tenant: TenantRef, date_from: DateFrom = None, date_to: DateTo = None, as_csv: AsCsv = False
) -> None:
    """Every posting of the period in booking order (Buchungsjournal)."""
    db = database()
    row = run(lambda: find_tenant(db=db, reference=tenant))
    start, end = _period(date_from, date_to, row["timezone"])
    spec = journal_lines(row["id"])
    request = ListRequest(search=f"bookingDate=ge={start};bookingDate=le={end}")
    statement = run(lambda: prepare_stream(spec=spec, request=request))
    columns = [
        "number",
        "type",
        "bookingDate",
        "account",
        "amount",
        "currency",
        "amountMain",
        "taxCode",
        "description",
        "cancelledBy",
    ]
    _emit(
        list(stream_rows(db=db, spec=spec, statement=statement)),
        columns,
        f"Journal {row['number']} {start} - {end}",
        as_csv,
    )


@ledger_app.command("close")
def close_command(
    tenant: TenantRef,
    until: Annotated[
        str, typer.Option("--until", help="Last day of the closed period, YYYY-MM-DD")
    ],
) -> None:
    """Close the books up to a day: later bookings dated there are refused (GoBD)."""
    db = database()
    row = run(lambda: find_tenant(db=db, reference=tenant))
    day = _date(until, today_in(clock, row["timezone"]), "--until")
    run(
        lambda: close_books(
            db=db, actor=operator(row["id"]), tenant_id=row["id"], until=day, clock=clock
        )
    )
    console.print(f"books of tenant {row['number']} closed until {day.isoformat()}")
