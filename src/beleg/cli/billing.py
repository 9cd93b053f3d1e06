"""`beleg billing run`: a billing run of one tenant with a progress bar (contracts done of
total, documents, failures, rate), or its dry run; `--resume` finishes a run that was cut off
(only what is missing is issued). On PostgreSQL, any number of these and of `beleg worker`
may work one run at once: each chunk is claimed by one process."""

from __future__ import annotations

import time
import uuid
from datetime import date
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from beleg.cli.context import (
    as_text,
    clock,
    console,
    database,
    errors,
    operator,
    run,
    settle_start_up_objects,
)
from beleg.db.billing.runs import RunCounters
from beleg.db.database import Database
from beleg.domain.identity.principal import Actor
from beleg.queries.billing.runs import run_view
from beleg.queries.identity.lists import find_tenant
from beleg.services.billing import runs as service
from beleg.settings import get_settings

billing_app = typer.Typer(help="Billing runs.", no_args_is_help=True)
TenantRef = Annotated[str, typer.Option("--tenant", "-t", help="Tenant number or UUID")]


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--as-of") from None


@billing_app.command("run")
def billing_run(
    tenant: TenantRef,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (required unless --resume)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the documents, write nothing")
    ] = False,
    billing_group: Annotated[
        str | None, typer.Option("--billing-group", help="Only this group")
    ] = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Finish this run (its id)")] = None,
) -> None:
    """Bill what is due as of a day; exits 1 when a contract failed (the table names it)."""
    db = database()
    tenant_id = run(lambda: find_tenant(db=db, reference=tenant))["id"]
    actor = operator(tenant_id)
    day = _as_of(as_of)
    if resume is None and day is None:
        raise typer.BadParameter("give --as-of or --resume", param_hint="--as-of")
    if dry_run:
        _dry_run(db, tenant_id, day or date.min, billing_group)
        return
    if resume is not None:
        run_id = _run_id(resume)
    else:
        started = run(
            lambda: service.start_run(
                db=db,
                actor=actor,
                tenant_id=tenant_id,
                as_of=day,  # type: ignore[arg-type]
                billing_group=billing_group,
                clock=clock,
                chunk_size=get_settings().billing_chunk_size,
            )
        )
        run_id = started.id
    _work(db, actor, tenant_id, run_id)


def _run_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise typer.BadParameter("expected a run id (UUID)", param_hint="--resume") from None


def _work(db: Database, actor: Actor, tenant_id: uuid.UUID, run_id: uuid.UUID) -> None:
    view = run(lambda: run_view(db=db, tenant_id=tenant_id, run_id=run_id))
    total = view["contracts"]["total"]
    console.print(f"billing run {run_id} as of {view['asOf']}: {total} contracts")
    settle_start_up_objects()
    started = time.monotonic()
    columns = (
        TextColumn("contracts"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[documents]} documents, {task.fields[failed]} failed"),
        TextColumn("{task.fields[rate]} contracts/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("run", total=total, documents=0, failed=0, rate="-")

        def progress(counters: RunCounters) -> None:
            done = counters.contracts_done + counters.contracts_failed
            rate = f"{done / max(time.monotonic() - started, 1e-6):,.0f}"
            bar.update(
                task,
                completed=done,
                documents=counters.documents,
                failed=counters.contracts_failed,
                rate=rate,
            )

        counters = run(
            lambda: service.execute_run(
                db=db,
                actor=actor,
                tenant_id=tenant_id,
                run_id=run_id,
                clock=clock,
                progress=progress,
            )
        )
        progress(counters)
    _summary(db, tenant_id, run_id)


def _summary(db: Database, tenant_id: uuid.UUID, run_id: uuid.UUID) -> None:
    view = run_view(db=db, tenant_id=tenant_id, run_id=run_id)
    table = Table(title=f"billing run {run_id}")
    for column in ("status", "contracts", "failed", "documents", "netAmount"):
        table.add_column(column, justify="left" if column == "status" else "right")
    counts = view["contracts"]
    table.add_row(
        view["status"],
        str(counts["total"]),
        str(counts["failed"]),
        str(view["documents"]),
        as_text(view["netAmount"]),
    )
    console.print(table)
    for failure in view["failures"]:
        errors.print(f"[red]contract {failure['contract']}:[/red] {failure['reason']}")
    if counts["failed"]:
        raise typer.Exit(code=1)


def _dry_run(db: Database, tenant_id: uuid.UUID, day: date, group: str | None) -> None:
    done = run(
        lambda: service.preview_run(
            db=db, tenant_id=tenant_id, as_of=day, billing_group=group, clock=clock
        )
    )
    table = Table(title=f"dry run as of {day}: {done.contracts} contracts (nothing written)")
    for column in ("type", "date", "customer", "lines", "netAmount", "taxAmount", "total"):
        table.add_column(column)
    for planned in done.documents:
        doc = planned.document
        table.add_row(
            doc.type.value,
            doc.date.isoformat(),
            str(planned.customer_id),
            str(len(doc.lines)),
            str(doc.net_amount),
            str(doc.tax_amount),
            str(doc.total_amount),
        )
    console.print(table)
    for contract, error in done.failures.items():
        errors.print(f"[red]contract {contract}:[/red] {error.message}")
