"""TEMPORARY: sales documents tables (replaced by one generated migration before landing)."""

from alembic import op

from beleg.db.tables import metadata

revision = "0006c"
down_revision = "0005"
branch_labels = None
depends_on = None

NAMES = ("sales_documents", "sales_document_lines", "sales_document_history",
         "sales_document_files", "document_templates", "outbox_events")


def upgrade() -> None:
    metadata.create_all(op.get_bind(), tables=[metadata.tables[n] for n in NAMES])


def downgrade() -> None:
    metadata.drop_all(op.get_bind(), tables=[metadata.tables[n] for n in NAMES])
