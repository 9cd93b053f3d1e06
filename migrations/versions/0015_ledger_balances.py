"""Maintained ledger balances per (tenant, account, month, currency), backfilled from the
postings (issue 14, ADR 0017).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMOUNTS = ("debit", "credit", "debit_main", "credit_main", "debit_gross", "credit_gross")


def upgrade() -> None:
    op.create_table(
        "ledger_balances",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_code", sa.String(length=10), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *(
            sa.Column(name, beleg.db.types.ExactDecimal(scale=4, precision=18), nullable=False)
            for name in AMOUNTS
        ),
        sa.Column("postings", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_code"],
            ["ledger_accounts.tenant_id", "ledger_accounts.code"],
            name=op.f("fk_ledger_balances_tenant_id_ledger_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_ledger_balances_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "account_code", "period", "currency", name=op.f("pk_ledger_balances")
        ),
    )
    op.execute(_backfill(op.get_bind().dialect.name))


def _backfill(dialect: str) -> str:
    """The balances of the postings stored so far, as ``db/ledger_balances.py`` adds them."""
    month = (
        "CAST(date_trunc('month', p.booking_date) AS date)"
        if dialect == "postgresql"
        else "substr(p.booking_date, 1, 8) || '01'"
    )
    gross = "(p.amount_main + p.tax_main)"
    parts = []
    for column in ("p.amount", "p.amount_main", gross):
        parts.append(f"SUM(CASE WHEN {column} > 0 THEN {column} ELSE 0 END)")
        parts.append(f"SUM(CASE WHEN {column} < 0 THEN -{column} ELSE 0 END)")
    # Built from the constants above only, no input.
    sql = (
        "INSERT INTO ledger_balances (tenant_id, account_code, period, currency, "  # noqa: S608
        f"{', '.join(AMOUNTS)}, postings) "
        f"SELECT p.tenant_id, p.account_code, {month}, j.currency, {', '.join(parts)}, COUNT(*) "
        "FROM ledger_postings p JOIN ledger_journals j "
        "ON j.tenant_id = p.tenant_id AND j.id = p.journal_id "
        f"GROUP BY p.tenant_id, p.account_code, {month}, j.currency"
    )
    return sql


def downgrade() -> None:
    op.drop_table("ledger_balances")
