"""DESIGN.md invariant 4: document numbers are unique and gapless per counter under concurrent
issuance. 2,000 invoices from 8 threads against one counter; on PostgreSQL the counter row lock
serialises the allocations, on SQLite the single writer does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import sales_documents
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.create import DocumentInput, create_document
from beleg.services.documents.lines import DocLineInput
from tests.conftest import make_tenant, system_actor

THREADS = 8
PER_THREAD = 250


def _invoice() -> DocumentInput:
    line = DocLineInput(
        amount=Decimal(1),
        item_price=Decimal(10),
        item_price_type="N",
        account="4000",
        tax_class_entry="020",
        net_price=Decimal("10.00"),
        tax_price=Decimal("2.00"),
        total_price=Decimal("12.00"),
        name="Abo",
    )
    return DocumentInput(
        doc_type=DocumentType.INVOICE,
        state="FINALIZED",
        doc_date=date(2026, 11, 2),
        lines=[line],
        customer_name="Kunde",
        totals=(Decimal("10.00"), Decimal("2.00"), Decimal("12.00")),
    )


def test_2000_invoices_from_8_threads_are_numbered_without_gaps(
    db: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(db)
    actor = system_actor(tenant.id)
    clock = SystemClock()

    def issue(_: int) -> None:
        for _ in range(PER_THREAD):
            create_document(db=db, actor=actor, tenant_id=tenant.id, data=_invoice(), clock=clock)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(issue, range(THREADS)))
    with db.reader() as session:
        numbers = (
            session.execute(
                select(sales_documents.c.number).where(sales_documents.c.tenant_id == tenant.id)
            )
            .scalars()
            .all()
        )
    assert len(numbers) == THREADS * PER_THREAD
    assert all(n.startswith("R 2026 ") for n in numbers)
    assert sorted(int(n.rsplit(" ", 1)[1]) for n in numbers) == list(
        range(1, THREADS * PER_THREAD + 1)
    )
