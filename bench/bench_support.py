"""What every benchmark needs: a database to fill, and an actor that may do everything."""

from __future__ import annotations

import tempfile
import uuid

from sqlalchemy import text
from sqlalchemy.engine import make_url

from beleg.db.database import Database
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.domain.identity.scopes import TENANT_SCOPES

SAFE_PREFIXES = ("beleg_bench", "beleg_test")


def fresh_database(url: str | None, workdir: str | None = None) -> Database:
    """A new SQLite file in ``workdir`` (a temporary folder if unset) without ``url``; else the
    PostgreSQL database ``url`` names, wiped first (refused unless its name starts with
    ``beleg_bench`` or ``beleg_test``)."""
    if url is None:
        return Database(f"sqlite:///{workdir or tempfile.mkdtemp()}/bench.db")
    name = make_url(url).database or ""
    if not name.startswith(SAFE_PREFIXES):
        raise SystemExit(f"refusing to wipe {name!r}: name it beleg_bench* or beleg_test*")
    db = Database(url)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return db


def system_actor(tenant_id: uuid.UUID) -> Actor:
    """The platform acting in ``tenant_id`` with every tenant scope."""
    return Actor(
        Principal(
            tenant_id=tenant_id,
            actor_type=ActorType.SYSTEM,
            actor_id=None,
            name="bench",
            scopes=TENANT_SCOPES,
        )
    )
