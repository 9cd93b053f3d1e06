"""The task queue's schema (procrastinate, PostgreSQL only) and the outbox's relay mark.

On PostgreSQL this applies procrastinate's own schema SQL (``SchemaManager.get_schema()``, the
version installed: 3.10) and drops every procrastinate object on downgrade; SQLite has no task
queue. ``outbox_events.relayed_at`` marks an event handed to the queue as a job (both engines:
the table is the same everywhere). A later procrastinate release with schema changes needs a
migration that applies its files from ``procrastinate/sql/migrations`` (ADR 0018).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager

import beleg.db.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every object procrastinate's schema creates is named procrastinate_*; dropped in this order.
DROP_PROCRASTINATE = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind = 'r'
                  AND c.relname LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.relname);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
    END LOOP;
    FOR item IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                  AND t.typtype IN ('e', 'c') LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
    END LOOP;
END $$;
"""


def upgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(
            sa.Column("relayed_at", beleg.db.types.UtcDateTime(timezone=True), nullable=True)
        )
    if op.get_bind().dialect.name == "postgresql":
        _run_script(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run_script(DROP_PROCRASTINATE)
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("relayed_at")


def _run_script(script: str) -> None:
    """A multi-statement script as it is: through the driver, without parameters, so that
    neither SQLAlchemy (``:name``) nor psycopg (``%``) reads placeholders into it."""
    driver = op.get_bind().connection.driver_connection
    if driver is None:  # the connection was invalidated; alembic would have failed before
        raise RuntimeError("no database connection")
    driver.execute(script)
