"""The `beleg` command."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from beleg.api.app import create_app
from beleg.cli.admin import key_app, oauth_app, tenant_app, user_app
from beleg.cli.billing import billing_app
from beleg.cli.context import clock, console, database, errors, run, settle_start_up_objects
from beleg.cli.demo import demo
from beleg.cli.ledger import ledger_app
from beleg.cli.worker_process import embedded_worker, run_worker
from beleg.db.schema import upgrade_to_head
from beleg.jobs.worker import run_round
from beleg.queries.audit.verification import verify_tenant_chain
from beleg.queries.identity.lists import all_tenant_ids, find_tenant
from beleg.services.onboarding.bootstrap import bootstrap_if_empty
from beleg.settings import get_settings

app = typer.Typer(help="Beleg: billing, invoicing, payments and bookkeeping.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="apikey")
app.add_typer(ledger_app, name="ledger")
app.add_typer(oauth_app, name="oauth")
app.add_typer(billing_app, name="billing")
app.command()(demo)
audit_app = typer.Typer(help="Audit trail tools.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.command()
def migrate() -> None:
    """Bring the database schema to the latest migration."""
    upgrade_to_head(db=database())
    console.print("database is at the latest migration")


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Run one round in this process and exit")] = False,
    interval: Annotated[float, typer.Option(help="Seconds to wait when idle")] = 2.0,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1, help="Jobs run at once on PostgreSQL (default: BELEG_WORKER_CONCURRENCY)"
        ),
    ] = None,
) -> None:
    """Work the outbox (PDFs) and issue due subscription invoices. On PostgreSQL any number
    may run on any machines (a task-queue worker each); on SQLite the work runs in-process."""
    db = database()
    upgrade_to_head(db=db)
    if once:
        done = run_round(db=db, clock=clock)
        console.print(f"rendered {done.events} PDFs, issued {done.invoices} invoices")
        return
    run_worker(db=db, settings=get_settings(), interval=interval, concurrency=concurrency)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (BELEG_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (BELEG_PORT)")] = None,
) -> None:
    """Migrate, create a first tenant and admin key on an empty database, and serve the API
    (with one worker process beside it on SQLite: BELEG_EMBEDDED_WORKER)."""
    settings = get_settings()
    db = database()
    upgrade_to_head(db=db)
    first = bootstrap_if_empty(db=db, clock=clock)
    if first is not None:
        console.print(
            f"Created platform tenant {first.tenant.number} "
            f"({first.tenant.id}) and an unlimited admin API key."
        )
        console.print("Store this token now; it is not shown again:")
        console.print(first.admin_key.token, markup=False, highlight=False)
    api = create_app(settings=settings, db=db, clock=clock)
    worker_beside = embedded_worker(settings) if settings.runs_embedded_worker else nullcontext()
    with worker_beside, _exit_on_sigterm():
        settle_start_up_objects()
        uvicorn.run(
            api,
            host=host or settings.host,
            port=port or settings.port,
            log_level=settings.log_level.lower(),
            access_log=False,
        )


@contextmanager
def _exit_on_sigterm() -> Iterator[None]:
    """Let SIGTERM end the process through ``SystemExit`` (uvicorn shuts down gracefully and
    then re-raises the signal it caught), so that the embedded worker is stopped too."""

    def leave(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@audit_app.command("verify")
def audit_verify(
    tenant: Annotated[
        str | None, typer.Option("--tenant", "-t", help="Number or UUID; default all")
    ] = None,
) -> None:
    """Recompute the hash chains; exit 1 if any entry was altered or deleted."""
    db = database()
    ids = (
        [run(lambda: find_tenant(db=db, reference=tenant))["id"]]
        if tenant
        else all_tenant_ids(db=db)
    )
    broken = 0
    for tenant_id in ids:
        result = run(partial(verify_tenant_chain, db=db, tenant_id=tenant_id))
        if result.intact:
            console.print(f"tenant {tenant_id}: {result.entries} entries, chain intact")
            continue
        broken += 1
        for chain_break in result.breaks:
            errors.print(
                f"[red]tenant {tenant_id}: entry {chain_break.seq}: {chain_break.reason}[/red]"
            )
    if broken:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
