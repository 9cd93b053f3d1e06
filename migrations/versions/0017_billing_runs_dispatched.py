"""Billing runs remember whether their chunks were handed to the workers as jobs.

``billing_runs.dispatched`` is true for a run started with ``wait: false``: its chunks are
task-queue jobs (outbox events ``billing.chunk``), which the queue retries when a worker dies,
so the worker's due work does not resume such a run itself (ADR 0019). Existing runs were
all worked in-process: false.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("billing_runs") as batch:
        batch.add_column(
            sa.Column("dispatched", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("billing_runs") as batch:
        batch.drop_column("dispatched")
