"""Sales document benchmark: finalisations per second (number allocation + validation + DE
ledger booking + audit + outbox, one transaction each) from 1 and from several threads, PDFs
rendered per second per core, signed cash receipts per second (RKSV signature, chain,
turnover counter, DE booking, daily closing; all receipts of one register queue on its row),
numbers per second from the one allocator (``db/sequences.py``), one per transaction and
in blocks, against a bare counter-row ``UPDATE ... RETURNING`` per transaction, and
documents per second issued as typed drafts in batches (``issue_documents``: one block of
numbers, one ``post_journals``, one statement per table; the path of billing runs).

    .venv/bin/python bench/documents.py [--database-url URL] [--invoices 400] [--threads 4]
                                        [--pdfs 10]

The baseline, measured in the same run, is the rate of bare one-row transactions (insert an
audit-sized row and commit) on the same database: what a single-row-per-transaction writer
gets at all. Rendering runs in one process, so its rate is per core. The allocator's second
baseline is the bare counter-row update of a scratch table, one per transaction: what any
gapless row-locked counter costs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    insert,
    select,
    update,
)

from beleg.clock import SystemClock
from beleg.db import sequences
from beleg.db.database import Database
from beleg.db.schema import upgrade_to_head
from beleg.db.tables import bank_accounts
from beleg.domain.documents.drafts import DocumentDraft, DraftLine
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.create import DocumentInput, create_document
from beleg.services.documents.issue import issue_documents
from beleg.services.documents.lines import DocLineInput
from beleg.services.documents.pdf import render_pending
from beleg.services.onboarding.tenants import TenantInput, create_tenant
from beleg.services.pos.receipts import ReceiptInput, create_receipt
from beleg.services.pos.registers import RegisterInput, activate_register, create_register
from bench_support import system_actor

CLOCK = SystemClock()


def _invoice() -> DocumentInput:
    lines = [
        DocLineInput(
            amount=Decimal(qty),
            item_price=Decimal("19.90"),
            item_price_type="N",
            account="4000",
            tax_class_entry="020",
            name=f"Position {qty}",
            net_price=Decimal("19.90") * qty,
            tax_price=(Decimal("19.90") * qty * Decimal("0.2")).quantize(Decimal("0.01")),
            total_price=Decimal("19.90") * qty
            + (Decimal("19.90") * qty * Decimal("0.2")).quantize(Decimal("0.01")),
        )
        for qty in range(1, 6)
    ]
    net = sum((ln.net_price for ln in lines), Decimal(0))  # type: ignore[misc]
    tax = sum((ln.tax_price for ln in lines), Decimal(0))  # type: ignore[misc]
    return DocumentInput(
        doc_type=DocumentType.INVOICE,
        state="FINALIZED",
        doc_date=date(2026, 11, 2),
        lines=lines,
        customer_name="Kunde GmbH",
        totals=(net, tax, net + tax),
    )


def _baseline(db: Database, count: int) -> float:
    scratch = Table(
        f"bench_rows_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("id", Uuid, primary_key=True),
        Column("n", Integer),
        Column("payload", String(200)),
    )
    scratch.create(db.engine)
    try:
        start = time.perf_counter()
        for n in range(count):
            with db.transaction() as session:
                session.execute(insert(scratch).values(id=uuid.uuid4(), n=n, payload="x" * 150))
        return count / (time.perf_counter() - start)
    finally:
        scratch.drop(db.engine)


def _bare_counter(db: Database, count: int) -> float:
    """One ``UPDATE ... RETURNING`` of one counter row per transaction."""
    scratch = Table(
        f"bench_counter_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("last_value", BigInteger, nullable=False),
    )
    scratch.create(db.engine)
    try:
        with db.transaction() as session:
            session.execute(insert(scratch).values(id=1, last_value=0))
        bump = (
            update(scratch)
            .where(scratch.c.id == 1)
            .values(last_value=scratch.c.last_value + 1)
            .returning(scratch.c.last_value)
        )
        start = time.perf_counter()
        for _ in range(count):
            with db.transaction() as session:
                session.execute(bump).scalar_one()
        return count / (time.perf_counter() - start)
    finally:
        scratch.drop(db.engine)


def _allocations(db: Database, tenant_id: uuid.UUID, count: int, block: int) -> float:
    """Numbers per second from the allocator, ``block`` numbers per transaction."""
    series = sequences.document_counter_series(uuid.uuid4())
    start = time.perf_counter()
    for _ in range(count):
        with db.transaction() as session:
            sequences.allocate(
                session, tenant_id=tenant_id, series=series, period="2026", count=block
            )
    return count * block / (time.perf_counter() - start)


def _batches(db: Database, tenant_id: uuid.UUID, count: int, batch: int) -> float:
    """Invoices of 5 lines per second, issued from drafts ``batch`` at a time."""
    actor = system_actor(tenant_id)
    lines = tuple(
        DraftLine(f"Position {qty}", Decimal(qty), Decimal("19.90"), "4000", "020")
        for qty in range(1, 6)
    )
    draft = DocumentDraft(
        DocumentType.INVOICE, date(2026, 11, 2), lines, customer_name="Kunde GmbH"
    )
    start = time.perf_counter()
    for _ in range(count // batch):
        with db.transaction() as session:
            issue_documents(
                session, actor=actor, tenant_id=tenant_id, drafts=[draft] * batch, clock=CLOCK
            )
    return count // batch * batch / (time.perf_counter() - start)


def _finalise(db: Database, tenant_id: uuid.UUID, count: int, threads: int) -> float:
    actor = system_actor(tenant_id)
    data = _invoice()

    def work(n: int) -> None:
        for _ in range(n):
            create_document(db=db, actor=actor, tenant_id=tenant_id, data=data, clock=CLOCK)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, [count // threads] * threads))
    return (count // threads * threads) / (time.perf_counter() - start)


def _register(db: Database, tenant_id: uuid.UUID) -> None:
    """Register 1 on the cash account 2700, commissioned."""
    actor = system_actor(tenant_id)
    with db.reader() as session:
        bank = session.execute(
            select(bank_accounts.c.id).where(
                bank_accounts.c.tenant_id == tenant_id, bank_accounts.c.account_code == "2700"
            )
        ).scalar_one()
    create_register(
        db=db,
        actor=actor,
        tenant_id=tenant_id,
        clock=CLOCK,
        data=RegisterInput(number=1, name="Bench", bank_account_id=str(bank)),
    )
    activate_register(
        db=db, actor=actor, tenant_id=tenant_id, number=1, key_id="U:ATU12345678-K1", clock=CLOCK
    )


def _receipts(db: Database, tenant_id: uuid.UUID, count: int, threads: int) -> float:
    actor = system_actor(tenant_id)
    line = DocLineInput(
        amount=None,
        item_price=Decimal("4.20"),
        item_price_type="T",
        account="4000",
        tax_class_entry="020",
        total_price=Decimal("4.20"),
    )
    sale = ReceiptInput(receipt_type="INCOME", total_amount=Decimal("4.20"), lines=[line])

    def work(n: int) -> None:
        for _ in range(n):
            create_receipt(
                db=db, actor=actor, tenant_id=tenant_id, register_no=1, data=sale, clock=CLOCK
            )

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, [count // threads] * threads))
    return (count // threads * threads) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--invoices", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--pdfs", type=int, default=10)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    db = Database(url)
    upgrade_to_head(db=db)
    tenant = create_tenant(
        db=db,
        actor=system_actor(uuid.UUID(int=0)),
        clock=CLOCK,
        spec=TenantInput(name="Bench", country="AT", accounting_mode="DE"),
    )
    baseline = _baseline(db, args.invoices)
    counter = _bare_counter(db, args.invoices)
    numbers_single = _allocations(db, tenant.id, args.invoices, 1)
    numbers_block = _allocations(db, tenant.id, args.invoices, 100)
    single = _finalise(db, tenant.id, args.invoices, 1)
    parallel = _finalise(db, tenant.id, args.invoices, args.threads)
    batched = _batches(db, tenant.id, max(args.invoices, 100), 100)
    start = time.perf_counter()
    rendered = render_pending(db=db, tenant_id=tenant.id, clock=CLOCK, limit=args.pdfs)
    pdf_rate = rendered / (time.perf_counter() - start)
    _register(db, tenant.id)
    receipts = _receipts(db, tenant.id, args.invoices, 1)
    receipts_parallel = _receipts(db, tenant.id, args.invoices, args.threads)
    rows = [
        ("one-row transactions (baseline)", baseline, 1.0),
        ("finalisations, 1 thread", single, single / baseline),
        (f"finalisations, {args.threads} threads", parallel, parallel / baseline),
        ("drafts issued in batches of 100", batched, batched / baseline),
        ("PDFs rendered, 1 process", pdf_rate, pdf_rate / baseline),
        ("signed receipts, 1 thread", receipts, receipts / baseline),
        (
            f"signed receipts, {args.threads} threads",
            receipts_parallel,
            receipts_parallel / baseline,
        ),
    ]
    print(f"database: {db.engine.url.get_backend_name()}, invoices of 5 lines, DE booking")
    print(f"{'measure':40} {'per second':>12} {'vs baseline':>12}")
    for name, rate, ratio in rows:
        print(f"{name:40} {rate:12.1f} {ratio:12.3f}")
    print()
    print(f"{'numbers (one allocator)':40} {'per second':>12} {'vs counter':>12}")
    for name, rate in (
        ("bare counter-row update (baseline)", counter),
        ("allocate, 1 number per transaction", numbers_single),
        ("allocate, blocks of 100", numbers_block),
    ):
        print(f"{name:40} {rate:12.1f} {rate / counter:12.3f}")


if __name__ == "__main__":
    main()
