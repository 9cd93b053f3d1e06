"""The tenant's company as the seller of its documents (e-invoicing issue, item 0).

``tenant_companies`` holds one row per tenant once its company data (legal name, address,
VAT ID and tax number, contact, electronic address, bank account, SEPA creditor identifier)
has been filled in; a tenant without a row has none yet. Every field may be unset.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import beleg.db.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXTS = (
    ("legal_name", 200),
    ("trading_name", 200),
    ("street", 200),
    ("additional_street", 200),
    ("postcode", 20),
    ("city", 100),
    ("country", 2),
    ("vat_id", 20),
    ("tax_number", 30),
    ("registration_id", 200),
    ("contact_name", 200),
    ("contact_phone", 50),
    ("contact_email", 254),
    ("electronic_address", 254),
    ("electronic_address_scheme", 4),
    ("iban", 34),
    ("bic", 11),
    ("account_holder", 200),
    ("creditor_id", 35),
)


def upgrade() -> None:
    op.create_table(
        "tenant_companies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        *(sa.Column(name, sa.String(length=size), nullable=True) for name, size in _TEXTS),
        sa.Column("updated_at", beleg.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tenant_companies_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_companies")),
    )


def downgrade() -> None:
    op.drop_table("tenant_companies")
