"""One number allocator: the ``sequences`` table replaces ``ledger_counters`` and
``document_counter_values``; receipt numbers and positions, tenant numbers and bank statement
line numbers, so far derived as MAX + 1, start from what the tables hold (issue 11).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 03:00:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLATFORM = uuid.UUID(int=0)  # series outside any tenant (db/sequences.py)
JOURNAL_PREFIXES = ("E", "A", "U")

sequences = sa.table(
    "sequences",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("series", sa.String()),
    sa.column("period", sa.String()),
    sa.column("last_value", sa.BigInteger()),
)
ledger_counters = sa.table(
    "ledger_counters",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("prefix", sa.String()),
    sa.column("year", sa.Integer()),
    sa.column("last_value", sa.Integer()),
)
counter_values = sa.table(
    "document_counter_values",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("counter_id", sa.Uuid()),
    sa.column("period", sa.String()),
    sa.column("last_value", sa.BigInteger()),
)
receipts = sa.table(
    "cash_receipts",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("register_no", sa.Integer()),
    sa.column("series", sa.String()),
    sa.column("year", sa.Integer()),
    sa.column("sequence", sa.Integer()),
    sa.column("position", sa.Integer()),
)
tenants = sa.table("tenants", sa.column("number", sa.Integer()))
statement_lines = sa.table(
    "bank_statement_lines",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("statement_id", sa.Uuid()),
    sa.column("line_no", sa.Integer()),
)


def _create_sequences() -> None:
    op.create_table(
        "sequences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("series", sa.String(length=80), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "series", "period", name=op.f("pk_sequences")),
    )


def _journal_series(prefix: str) -> str:
    return f"journal:{prefix}" if prefix in JOURNAL_PREFIXES else f"cash-invoice:{prefix}"


def _existing_values(bind: sa.Connection) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for tenant_id, prefix, year, last in bind.execute(sa.select(ledger_counters)):
        rows.append(
            {
                "tenant_id": tenant_id,
                "series": _journal_series(prefix),
                "period": f"{year:04d}",
                "last_value": last,
            }
        )
    for tenant_id, counter_id, period, last in bind.execute(sa.select(counter_values)):
        rows.append(
            {
                "tenant_id": tenant_id,
                "series": f"document-counter:{counter_id}",
                "period": period,
                "last_value": last,
            }
        )
    r = receipts.c
    numbered = sa.select(r.tenant_id, r.register_no, r.series, r.year, sa.func.max(r.sequence))
    for tenant_id, register_no, series, year, last in bind.execute(
        numbered.group_by(r.tenant_id, r.register_no, r.series, r.year)
    ):
        rows.append(
            {
                "tenant_id": tenant_id,
                "series": f"receipt:{register_no}:{series}",
                "period": f"{year:04d}",
                "last_value": last,
            }
        )
    placed = sa.select(r.tenant_id, r.register_no, sa.func.max(r.position))
    for tenant_id, register_no, last in bind.execute(placed.group_by(r.tenant_id, r.register_no)):
        rows.append(
            {
                "tenant_id": tenant_id,
                "series": f"receipt-position:{register_no}",
                "period": "",
                "last_value": last,
            }
        )
    s = statement_lines.c
    lines = sa.select(s.tenant_id, s.statement_id, sa.func.max(s.line_no))
    for tenant_id, statement_id, last in bind.execute(lines.group_by(s.tenant_id, s.statement_id)):
        rows.append(
            {
                "tenant_id": tenant_id,
                "series": f"statement-line:{statement_id}",
                "period": "",
                "last_value": last,
            }
        )
    last_tenant = bind.execute(sa.select(sa.func.max(tenants.c.number))).scalar()
    if last_tenant is not None:
        rows.append(
            {
                "tenant_id": PLATFORM,
                "series": "tenant-number",
                "period": "",
                "last_value": last_tenant,
            }
        )
    return rows


def upgrade() -> None:
    _create_sequences()
    bind = op.get_bind()
    rows = _existing_values(bind)
    if rows:
        bind.execute(sa.insert(sequences), rows)
    op.drop_table("document_counter_values")
    op.drop_table("ledger_counters")


def downgrade() -> None:
    op.create_table(
        "ledger_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_ledger_counters_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "prefix", "year", name=op.f("pk_ledger_counters")),
    )
    op.create_table(
        "document_counter_values",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("counter_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "counter_id"],
            ["document_counters.tenant_id", "document_counters.id"],
            name=op.f("fk_document_counter_values_tenant_id_document_counters"),
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "counter_id", "period", name=op.f("pk_document_counter_values")
        ),
    )
    bind = op.get_bind()
    for tenant_id, series, period, last in bind.execute(sa.select(sequences)):
        kind, _, rest = series.partition(":")
        if kind in ("journal", "cash-invoice"):
            bind.execute(
                sa.insert(ledger_counters).values(
                    tenant_id=tenant_id, prefix=rest, year=int(period), last_value=last
                )
            )
        elif kind == "document-counter":
            bind.execute(
                sa.insert(counter_values).values(
                    tenant_id=tenant_id, counter_id=uuid.UUID(rest), period=period, last_value=last
                )
            )
    op.drop_table("sequences")
