"""Filling the ledger benchmark's journal fast, and exporting it for ledger-cli.

``load_more`` appends invoice journals shaped like ``ledger._invoice`` with COPY in text
format (rows formatted here, in chunks), adds their sums to the maintained balances with the
same upsert as posting does (``db/ledger_balances.py``) and writes no audit entries: it fills
a benchmark database, it is not a way to post. On PostgreSQL the load's transaction skips the
foreign-key triggers (``session_replication_role = replica``, superuser only): the rows are
valid by construction, and the checks would be most of the load's time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.ledger_balances import BalanceDelta, add_to_balances
from beleg.db.tables import ledger_journals, ledger_postings
from beleg.formats.ledger_cli import LedgerTransaction, write_ledger

START = date(2026, 1, 1)
CHUNK = 50_000  # invoices per COPY chunk
ACCOUNTS = ("2000", "4000", "4001", "3500")


def _cents(value: int) -> str:
    sign, value = ("-", -value) if value < 0 else ("", value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def _invoice_cents(i: int) -> tuple[int, int, int, int]:
    """The amounts of ``ledger._invoice(i)`` in cents: receivable, two revenues, VAT."""
    net_a, net_b = (100 + i % 900) * 7, (i % 50 + 1) * 100
    tax = (2 * (net_a + net_b) + 5) // 10  # 20 %, half up (positive amounts)
    return net_a + net_b + tax, -net_a, -net_b, -tax


def load_more(db: Database, tenant_id: uuid.UUID, *, first: int, count: int) -> None:
    """Append invoices ``first`` .. ``first + count - 1`` (numbers ``E2026 first+1`` on)."""
    if db.dialect != "postgresql":
        raise SystemExit("the large journal is loaded with COPY: PostgreSQL only")
    sums: dict[tuple[str, date], list[int]] = {}
    created = datetime.now(UTC).isoformat()
    tenant = str(tenant_id)
    with db.transaction() as session:
        driver = session.connection().connection.driver_connection
        assert driver is not None
        driver.execute("SET LOCAL session_replication_role = replica")
        with driver.cursor() as cursor:
            for offset in range(first, first + count, CHUNK):
                journals, postings = [], []
                for i in range(offset, min(offset + CHUNK, first + count)):
                    journal, day = str(uuid.uuid4()), START + timedelta(days=i % 365)
                    journals.append(
                        f"{tenant}\t{journal}\tE2026 {i + 1}\tE\t{day}\tEUR\t1\tAR2026 {i + 1}"
                        f"\t\\N\t{created}\n"
                    )
                    month = day.replace(day=1)
                    for line, (account, cents) in enumerate(
                        zip(ACCOUNTS, _invoice_cents(i), strict=True), start=1
                    ):
                        amount, tax_code = _cents(cents), "020" if line == 4 else "\\N"
                        postings.append(
                            f"{tenant}\t{journal}\t{line}\t{day}\t{account}\t{amount}\t{amount}"
                            f"\t0\t{tax_code}\t\n"
                        )
                        entry = sums.setdefault((account, month), [0, 0, 0])
                        entry[0 if cents > 0 else 1] += abs(cents)
                        entry[2] += 1
                _copy(cursor, "ledger_journals", ledger_journals, journals)
                _copy(cursor, "ledger_postings", ledger_postings, postings)
        add_to_balances(session, _deltas(tenant_id, sums))


def _copy(cursor: object, name: str, table: object, lines: list[str]) -> None:
    columns = ", ".join(c.name for c in table.columns)  # type: ignore[attr-defined]
    with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        copy.write("".join(lines))


def _deltas(tenant_id: uuid.UUID, sums: dict) -> dict:  # type: ignore[type-arg]
    found = {}
    for (account, month), (debit, credit, postings) in sums.items():
        delta = BalanceDelta()
        d, c = Decimal(debit).scaleb(-2), Decimal(credit).scaleb(-2)
        delta.sums = [d, c, d, c, d, c, postings]  # EUR main currency, no VAT on top
        found[(tenant_id, account, month, "EUR")] = delta
    return found


def _transactions(db: Database, tenant_id: uuid.UUID) -> Iterator[LedgerTransaction]:
    j, p = ledger_journals.c, ledger_postings.c
    statement = (
        select(j.id, j.booking_date, j.number, j.description, p.account_code, p.amount_main)
        .join(ledger_postings, (p.tenant_id == j.tenant_id) & (p.journal_id == j.id))
        .where(j.tenant_id == tenant_id)
        .order_by(j.id, p.line_no)
        .execution_options(yield_per=20_000)
    )
    with db.reader() as session:
        current, head, lines = None, None, []
        for row in session.execute(statement):
            if row.id != current:
                if head is not None:
                    yield LedgerTransaction(*head, lines)
                current, head, lines = row.id, (row.booking_date, row.number, row.description), []
            lines.append((row.account_code, row.amount_main))
        if head is not None:
            yield LedgerTransaction(*head, lines)


def export_ledger(db: Database, tenant_id: uuid.UUID, path: str) -> int:
    """Write the tenant's journal (main currency) to ``path``; return the postings written."""
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        return write_ledger(out, _transactions(db, tenant_id), "EUR")
