"""Billing runs and what they billed (spec/billing-api.md "Billing group", "Billing run";
DESIGN.md invariant 3).

``billed_lines`` is the billed side of the charge calculation: one row per charge a run
issued, the slice of a contract item's service period it covers and the document line that
carries it. Its unique key (contract, item, grid period, variant, credit, first served day,
revision) is what makes a second run, a retry or a concurrent run bill nothing twice: the
revision counts the equal slices billed before, so a legitimate re-charge after a credit is
revision 1, while two runs computing the same charge both write revision 0 and one of them
fails and rolls back its chunk.

A run is split into chunks of contracts (a customer's contracts stay in one chunk, so that
one invoice per customer and currency is possible); each chunk commits whole with its
documents, billed lines and per-contract results, so a killed run resumes at the first chunk
not done.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)

from beleg.db.tables.base import metadata
from beleg.db.types import ExactDecimal, JsonDocument, UtcDateTime

AMOUNT_SCALE = 2

billing_groups = Table(
    "billing_groups",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("code", String(50), primary_key=True),
    Column("name", String(200), nullable=True),
    Column("split_by_original_period", Boolean, nullable=False),
    Column("late_usage_handling", String(12), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

billing_settings = Table(
    "billing_settings",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("scheduled_runs", Boolean, nullable=False),
    # the as-of date of the last scheduled run: the next one bills from the day after
    Column("scheduled_through", Date, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

billing_runs = Table(
    "billing_runs",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("status", String(10), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("dated_from", Date, nullable=False),  # charges due earlier are dated this day
    Column("billing_group", String(50), nullable=True),
    Column("scheduled", Boolean, nullable=False),
    # chunks handed to the workers as task-queue jobs (wait: false): not resumed by due work
    Column("dispatched", Boolean, nullable=False, server_default=false()),
    Column("contracts_total", Integer, nullable=False),
    Column("chunks_total", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_billing_runs_created", "tenant_id", "created_at"),
)

billing_run_chunks = Table(
    "billing_run_chunks",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("run_id", Uuid, primary_key=True),
    Column("chunk_no", Integer, primary_key=True),
    Column("contract_ids", JsonDocument, nullable=False),  # ids as strings, in billing order
    Column("done", Boolean, nullable=False),
    Column("contracts_done", Integer, nullable=False),
    Column("contracts_failed", Integer, nullable=False),
    Column("documents", Integer, nullable=False),
    Column("net_amount", ExactDecimal(AMOUNT_SCALE), nullable=False),  # main currency
    Column("finished_at", UtcDateTime, nullable=True),
    ForeignKeyConstraint(["tenant_id", "run_id"], ["billing_runs.tenant_id", "billing_runs.id"]),
)

billing_run_results = Table(
    "billing_run_results",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("run_id", Uuid, primary_key=True),
    Column("contract_id", Uuid, primary_key=True),
    Column("chunk_no", Integer, nullable=False),
    Column("failed", Boolean, nullable=False),
    Column("reason", Text, nullable=True),  # the error's code and message when failed
    Column("documents", JsonDocument, nullable=False),  # ids of the documents it is on
    ForeignKeyConstraint(["tenant_id", "run_id"], ["billing_runs.tenant_id", "billing_runs.id"]),
)

billed_lines = Table(
    "billed_lines",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("contract_id", Uuid, nullable=False),
    Column("item_key", String(60), nullable=False),
    Column("option_code", String(50), nullable=False),
    Column("description", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("grid_start", Date, nullable=False),
    Column("grid_end", Date, nullable=False),
    Column("served_start", Date, nullable=False),
    Column("served_end", Date, nullable=False),
    Column("variant", String(200), nullable=False),
    # exact values of any scale (a tier's 6-decimal price times a usage quantity, a
    # discount) as decimal text: what the next calculation credits or compares them with
    Column("base_amount", String(60), nullable=False),
    Column("quantity", String(60), nullable=False),
    Column("unit_price", String(60), nullable=True),
    Column("net_amount", ExactDecimal(AMOUNT_SCALE), nullable=False),
    Column("tax_rate", ExactDecimal(2), nullable=False),
    Column("credit", Boolean, nullable=False),
    Column("explanation", JsonDocument, nullable=False),  # the preview's, decimals as text
    Column("revision", Integer, nullable=False),
    Column("document_id", Uuid, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("run_id", Uuid, nullable=True),  # None: issued outside a run (a termination)
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint(
        "tenant_id",
        "contract_id",
        "item_key",
        "grid_start",
        "variant",
        "credit",
        "served_start",
        "revision",
        name="uq_billed_lines_once",
    ),
    ForeignKeyConstraint(
        ["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]
    ),
    Index("ix_billed_lines_contract", "tenant_id", "contract_id"),
)
