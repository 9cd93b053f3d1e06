"""audit entries are append-only: the database refuses UPDATE and DELETE

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 20:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_entries is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""")
        op.execute("""
            CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
            FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} ON audit_entries
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER audit_entries_no_{event}")
