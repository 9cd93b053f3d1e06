"""TEMPORARY: numbering and invoicing setup tables (replaced by one generated migration
before landing)."""

from alembic import op

from beleg.db.tables import metadata

revision = "0006b"
down_revision = "0005"
branch_labels = None
depends_on = None

# In dependency order (foreign keys).
NAMES = ("payment_terms", "layout_setups", "dunning_levels", "sequence_groups",
         "document_counters", "document_counter_values", "sequence_group_counters",
         "number_strategies", "number_rules")


def upgrade() -> None:
    metadata.create_all(op.get_bind(), tables=[metadata.tables[n] for n in NAMES])


def downgrade() -> None:
    metadata.drop_all(op.get_bind(), tables=[metadata.tables[n] for n in reversed(NAMES)])
