"""TEMPORARY: items and item categories (replaced by one generated migration before landing)."""

from alembic import op

from beleg.db.tables import metadata

revision = "0006d"
down_revision = "0005"
branch_labels = None
depends_on = None

# In dependency order (items refer to their category).
NAMES = ("item_categories", "items")


def upgrade() -> None:
    metadata.create_all(op.get_bind(), tables=[metadata.tables[n] for n in NAMES])


def downgrade() -> None:
    metadata.drop_all(op.get_bind(), tables=[metadata.tables[n] for n in reversed(NAMES)])
