"""What every CLI command shares: settings, database, clock, the operator as actor, errors."""

from __future__ import annotations

import gc
import getpass
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.domain.errors import DomainError
from beleg.domain.identity.principal import Actor, ActorType, Origin, Principal
from beleg.domain.identity.scopes import PLATFORM_SCOPES, TENANT_SCOPES
from beleg.settings import get_settings

console = Console()
errors = Console(stderr=True)
T = TypeVar("T")


def database() -> Database:
    return Database(get_settings().database_url)


clock = SystemClock()
# The operator creating a tenant acts before that tenant exists, outside any tenant.
OUTSIDE_ANY_TENANT = uuid.UUID(int=0)


def operator(
    tenant_id: uuid.UUID,
    *,
    scopes: frozenset[str] | None = None,
    user_id: uuid.UUID | None = None,
    name: str | None = None,
) -> Actor:
    """The person at the server's command line: trusted like the platform administrator."""
    login = getpass.getuser()
    return Actor(
        Principal(
            tenant_id=tenant_id,
            actor_type=ActorType.CLI,
            actor_id=login,
            name=name or f"cli:{login}",
            scopes=scopes or TENANT_SCOPES | PLATFORM_SCOPES,
            platform_tenant=True,
            user_id=user_id,
        ),
        Origin(ip_address="local", request_id=None),
    )


@contextmanager
def failures() -> Iterator[None]:
    """Turn rule violations into a one-line error and exit code 2."""
    try:
        yield
    except DomainError as exc:
        where = f"{exc.field}: " if exc.field else ""
        errors.print(f"[red]error:[/red] {where}{exc.message}")
        raise typer.Exit(code=2) from None


def run(action: Callable[[], T]) -> T:
    with failures():
        return action()


def as_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def settle_start_up_objects() -> None:
    """Move what start-up made (modules, table metadata, settings) out of the garbage
    collector's generations (``gc.freeze``), before a long-running process starts its work:
    a billing chunk allocates hundreds of thousands of short-lived objects, and every full
    collection would otherwise walk all of start-up's as well (a fifth of a chunk's time,
    measured with ``bench/billing_run.py``). Cycles made later are collected as before."""
    gc.collect()
    gc.freeze()
