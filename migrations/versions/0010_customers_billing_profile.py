"""Customers of the billing API (/v2/customers) on the accounting API's contacts: customer
type, VAT ID, currency, payment method and shipping address as columns, payment accounts in
their own table, and a customer (supplier) number that belongs to one contact per tenant.

Existing customers get their type once from the rule the accounting API uses for new ones (a
company name: B2B, else B2C) and BANK_TRANSFER as payment method; their currency stays NULL,
which reads as the tenant's currency. Empty numbers become NULL. Two contacts of one kind that
share a number stop the upgrade with a list of them: which one keeps the number is a
bookkeeping decision, so give the others a new number (PUT /api/1.1/customers/{id}) and
upgrade again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import beleg.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHOWN_DUPLICATES = 20


class DuplicateContactNumbers(RuntimeError):
    """Contacts of one kind share a number in a tenant; the unique index cannot be built."""


def _refuse_duplicates() -> None:
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT tenant_id, kind, number, COUNT(*) AS n FROM contacts "
                "WHERE number IS NOT NULL GROUP BY tenant_id, kind, number "
                "HAVING COUNT(*) > 1 ORDER BY tenant_id, kind, number"
            )
        )
        .all()
    )
    if rows:
        shown = "; ".join(
            f"tenant {r.tenant_id} {r.kind} number {r.number!r}: {r.n} contacts"
            for r in rows[:SHOWN_DUPLICATES]
        )
        more = f" (and {len(rows) - SHOWN_DUPLICATES} more)" if len(rows) > SHOWN_DUPLICATES else ""
        raise DuplicateContactNumbers(
            "contact numbers must be unique per tenant and kind before migration 0010; "
            f"give all but one of each a new number and upgrade again: {shown}{more}"
        )


def upgrade() -> None:
    op.execute("UPDATE contacts SET number = NULL WHERE number = ''")
    _refuse_duplicates()
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("customer_type", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("vat_id", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("payment_method", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column(
                "shipping_address",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch.drop_index("ix_contacts_number")
        batch.create_index("ux_contacts_number", ["tenant_id", "kind", "number"], unique=True)
    company = (
        "fields ->> 'companyName'"
        if op.get_bind().dialect.name == "postgresql"
        else "json_extract(fields, '$.companyName')"
    )
    customers = sa.table(
        "contacts",
        sa.column("kind", sa.String()),
        sa.column("customer_type", sa.String()),
        sa.column("payment_method", sa.String()),
    )
    has_company = sa.func.coalesce(sa.literal_column(company), "") != ""
    op.execute(
        customers.update()
        .where(customers.c.kind == "CUSTOMER")
        .values(
            payment_method="BANK_TRANSFER",
            customer_type=sa.case((has_company, "B2B"), else_="B2C"),
        )
    )
    op.create_table(
        "customer_payment_accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("account_holder", sa.String(length=200), nullable=False),
        sa.Column("created_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    op.create_index(
        "ix_customer_payment_accounts_contact",
        "customer_payment_accounts",
        ["tenant_id", "contact_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_customer_payment_accounts_contact", "customer_payment_accounts")
    op.drop_table("customer_payment_accounts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_index("ux_contacts_number")
        batch.create_index("ix_contacts_number", ["tenant_id", "kind", "number"])
        batch.drop_column("shipping_address")
        batch.drop_column("payment_method")
        batch.drop_column("currency")
        batch.drop_column("vat_id")
        batch.drop_column("customer_type")
