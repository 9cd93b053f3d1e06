"""Customer numbers under concurrency: customers created from several threads, some with a
number given by hand, never share a number; the counter skips the numbers given; a number
given twice at once is one customer and a Conflict naming ``customerNumber`` for the others."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import contacts
from beleg.domain.contacts.customers import CustomerDraft, CustomerType
from beleg.domain.errors import Conflict
from beleg.services.contacts.customers import create_customer
from tests.conftest import make_tenant, system_actor

THREADS = 6
PER_THREAD = 10


def test_customers_from_several_threads_get_distinct_numbers(
    db: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(db)
    actor = system_actor(tenant.id)
    clock = SystemClock()

    def create(number: str | None) -> str | None:
        draft = CustomerDraft(CustomerType.B2B, company_name="Acme", customer_number=number)
        try:
            made = create_customer(
                db=db, actor=actor, tenant_id=tenant.id, draft=draft, clock=clock
            )
        except Conflict as error:
            assert error.field == "customerNumber"
            return None
        return made.contact.number

    def work(thread: int) -> list[str | None]:
        given = [str(5 + thread), "K-1"]  # numbers the counter would reach, and one for all
        return [create(given[i] if i < len(given) else None) for i in range(PER_THREAD)]

    with ThreadPoolExecutor(THREADS) as pool:
        made = [n for numbers in pool.map(work, range(THREADS)) for n in numbers]
    with db.reader() as session:
        stored = (
            session.execute(select(contacts.c.number).where(contacts.c.tenant_id == tenant.id))
            .scalars()
            .all()
        )
    assert sorted(n for n in made if n) == sorted(stored)
    assert len(set(stored)) == len(stored)
    assert stored.count("K-1") == 1
    # every refusal was a number given by hand that another thread had taken first
    assert made.count(None) >= THREADS - 1
    assert len(stored) == THREADS * PER_THREAD - made.count(None)
