"""Database schema: migrate to the latest revision and report where a database stands."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from beleg.db.database import Database

# The Alembic scripts live in the source tree's migrations/ (installed with `pip install -e .`).
MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def upgrade_to_head(*, db: Database) -> None:
    """Apply every pending migration (creates the SQLite file on first start)."""
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    reachable: bool
    current: str | None
    head: str | None


def schema_status(*, db: Database) -> SchemaStatus:
    """Whether the database answers and which revision it is at, against the latest one."""
    head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    try:
        with db.read_engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError:
        return SchemaStatus(reachable=False, current=None, head=head)
    return SchemaStatus(reachable=True, current=current, head=head)
