"""Document numbering on the configured database (invariant 4: unique and gapless per counter
under concurrent issuance), rule choice (seed 000), affixes (seed 001), resets, test mode."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    insert,
    select,
)

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.numbering import save_sequence_group as save_group
from beleg.db.tables import sequences
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.numbering.counters import (
    AffixSource,
    CounterConfig,
    CounterReset,
    CustomerType,
    DocumentType,
    NumberingContext,
    NumberRule,
    SequenceBase,
    SequenceGroup,
)
from beleg.services.numbering.allocation import allocate_document_number, allocate_document_numbers
from beleg.services.numbering.counters import (
    create_counter,
    put_strategy,
    save_sequence_group,
    update_counter,
)
from tests.conftest import TenantFixture, make_tenant, system_actor

THREADS, PER_THREAD = 8, 250
DAY = date(2026, 6, 1)
INVOICE = DocumentType.INVOICE

_test_metadata = MetaData()
issued = Table(  # stands in for the documents a finalisation writes with its number
    "numbering_test_documents",
    _test_metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("number", String(80), primary_key=True),
    Column("thread", Integer, nullable=False),
    UniqueConstraint("tenant_id", "number"),
)


def _allocate(
    db: Database,
    tenant: TenantFixture,
    doc_type: DocumentType = INVOICE,
    day: date = DAY,
    **context: object,
) -> str:
    with db.transaction() as session:
        return allocate_document_number(
            session,
            tenant_id=tenant.id,
            doc_type=doc_type,
            doc_date=day,
            context=NumberingContext(doc_type, **context),
        )  # type: ignore[arg-type]


def _counter(db: Database, tenant: TenantFixture, name: str, **config: object) -> uuid.UUID:
    row = create_counter(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        name=name,
        config=CounterConfig(**config),  # type: ignore[arg-type]
        clock=SystemClock(),
    )
    return row.id


def _rules(
    db: Database,
    tenant: TenantFixture,
    *rules: NumberRule,
    doc_type: DocumentType = INVOICE,
    prefix: str = "",
    suffix: str = "",
) -> None:
    put_strategy(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        doc_type=doc_type,
        prefix=prefix,
        suffix=suffix,
        rules=list(rules),
        clock=SystemClock(),
    )


@pytest.fixture
def issued_table(db: Database):  # type: ignore[no-untyped-def]
    _test_metadata.create_all(db.engine)
    yield issued
    _test_metadata.drop_all(db.engine)


def test_concurrent_issuance_is_unique_and_gapless(
    db: Database, tenant: TenantFixture, issued_table: Table
) -> None:
    """8 writers x 250 finalisations on one counter; every 7th transaction fails after taking
    its number, which must come back. The committed numbers are exactly 1..2000."""
    failures: list[BaseException] = []
    committed: list[list[str]] = [[] for _ in range(THREADS)]

    def worker(index: int) -> None:
        rng = random.Random(index)
        try:
            while len(committed[index]) < PER_THREAD:
                abort = rng.randrange(7) == 0
                try:
                    with db.transaction() as session:
                        number = allocate_document_number(
                            session, tenant_id=tenant.id, doc_type=INVOICE, doc_date=DAY
                        )
                        session.execute(
                            insert(issued_table).values(
                                tenant_id=tenant.id, number=number, thread=index
                            )
                        )
                        if abort:
                            raise _Abort
                except _Abort:
                    continue
                committed[index].append(number)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    numbers = [n for per_thread in committed for n in per_thread]
    assert all(n.startswith("R 2026 ") for n in numbers)
    assert sorted(int(n.rsplit(" ", 1)[1]) for n in numbers) == list(
        range(1, THREADS * PER_THREAD + 1)
    )
    with db.reader() as session:
        stored = (
            session.execute(
                select(issued_table.c.number).where(issued_table.c.tenant_id == tenant.id)
            )
            .scalars()
            .all()
        )
        last = session.execute(
            select(sequences.c.last_value).where(
                sequences.c.tenant_id == tenant.id,
                sequences.c.series.like("document-counter:%"),
                sequences.c.period == "2026",
            )
        ).scalar_one()
    assert sorted(stored) == sorted(numbers) and last == THREADS * PER_THREAD


class _Abort(Exception):
    pass


def test_default_group_numbers_per_type_and_year(
    db: Database, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    assert _allocate(db, tenant) == "R 2026 1"
    assert _allocate(db, tenant) == "R 2026 2"
    assert _allocate(db, tenant, day=date(2027, 1, 2)) == "R 2027 1"
    assert _allocate(db, tenant, DocumentType.CREDIT_MEMO) == "G 2026 1"
    assert _allocate(db, tenant, DocumentType.ORDER_CONFIRMATION) == "AB 2026 1"
    assert _allocate(db, other_tenant) == "R 2026 1"  # counters are per tenant


def test_a_block_of_numbers_is_consecutive(db: Database, tenant: TenantFixture) -> None:
    with db.transaction() as session:
        block = allocate_document_numbers(
            session, tenant_id=tenant.id, doc_type=INVOICE, doc_date=DAY, count=3
        )
    assert block == ["R 2026 1", "R 2026 2", "R 2026 3"]
    assert _allocate(db, tenant) == "R 2026 4"


def test_rules_pick_the_counter_by_country_and_customer_type(
    db: Database, tenant: TenantFixture
) -> None:
    germany = _counter(db, tenant, "Deutschland", prefix="DE-", width=4)
    companies = _counter(db, tenant, "Firmen DE", prefix="DEF-")
    swiss = _counter(db, tenant, "Schweiz", prefix="CH-{yy}-")
    _rules(
        db,
        tenant,
        NumberRule(10, germany, country="DE"),
        NumberRule(20, companies, country="DE", customer_type=CustomerType.COMPANY),
        NumberRule(10, swiss, country="CH"),
    )
    assert _allocate(db, tenant, country="DE") == "DE-0001"
    assert _allocate(db, tenant, country="DE", customer_type=CustomerType.PERSON) == "DE-0002"
    assert _allocate(db, tenant, country="DE", customer_type=CustomerType.COMPANY) == "DEF-1"
    assert _allocate(db, tenant, country="CH") == "CH-26-1"
    assert _allocate(db, tenant, country="AT") == "R 2026 1"  # no rule: the group's counter
    assert _allocate(db, tenant, DocumentType.OFFER, country="DE") == "AN 2026 1"


def test_monthly_reset_restarts_at_start(db: Database, tenant: TenantFixture) -> None:
    monthly = _counter(db, tenant, "Monatlich", prefix="M{yyyy}{mm}-", reset="MONTHLY", start=100)
    _rules(db, tenant, NumberRule(1, monthly))
    assert _allocate(db, tenant, day=date(2026, 1, 31)) == "M202601-100"
    assert _allocate(db, tenant, day=date(2026, 1, 5)) == "M202601-101"
    assert _allocate(db, tenant, day=date(2026, 2, 1)) == "M202602-100"
    assert _allocate(db, tenant, day=date(2026, 1, 9)) == "M202601-102"


def test_test_mode_tenant_numbers_start_with_test(
    db: Database, platform: dict[str, object]
) -> None:
    sandbox = make_tenant(db, test_mode=True)
    assert _allocate(db, sandbox) == "TEST-R 2026 1"


def test_affixes_from_the_counter_or_the_strategy(db: Database, tenant: TenantFixture) -> None:
    counter = _counter(db, tenant, "Eigen", prefix="OWN-", suffix="-{yy}")
    _rules(db, tenant, NumberRule(1, counter), prefix="STR-{yyyy}-", suffix="/S")
    assert _allocate(db, tenant) == "OWN-1-26"
    update_counter(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        counter_id=counter,
        name="Strategie",
        config=CounterConfig(prefix="OWN-", affix_source=AffixSource.STRATEGY),
        clock=SystemClock(),
    )
    assert _allocate(db, tenant) == "STR-2026-2/S"


def test_reset_and_start_are_fixed_once_used(db: Database, tenant: TenantFixture) -> None:
    counter = _counter(db, tenant, "Fix", reset="YEARLY")
    _rules(db, tenant, NumberRule(1, counter))
    _allocate(db, tenant)
    for change, field in (({"reset": CounterReset.NEVER}, "reset"), ({"start": 5}, "start")):
        with pytest.raises(Conflict) as caught:
            update_counter(
                db=db,
                actor=system_actor(tenant.id),
                tenant_id=tenant.id,
                counter_id=counter,
                name="Fix",
                config=CounterConfig(**{"reset": CounterReset.YEARLY, **change}),  # type: ignore[arg-type]
                clock=SystemClock(),
            )
        assert caught.value.field == field


def test_sequence_groups_choose_the_counter(db: Database, tenant: TenantFixture) -> None:
    group = save_sequence_group(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        values={"name": "Fortlaufend", "base": "PERMANENT"},
        clock=SystemClock(),
    )
    with db.transaction() as session:
        first = allocate_document_number(
            session,
            tenant_id=tenant.id,
            doc_type=INVOICE,
            doc_date=DAY,
            sequence_group_id=str(group.id),
        )
    assert first == "R 1"
    assert _allocate(db, tenant) == "R 2026 1"  # the default group is unchanged
    for wrong in (uuid.uuid4(), "not-a-group"):
        with pytest.raises(ValidationFailed) as caught, db.transaction() as session:
            allocate_document_number(
                session,
                tenant_id=tenant.id,
                doc_type=INVOICE,
                doc_date=DAY,
                sequence_group_id=wrong,
            )
        assert caught.value.field == "sequenceGroup"


def test_strategy_rules_must_name_known_counters(
    db: Database, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    foreign = _counter(db, other_tenant, "Fremd")
    with pytest.raises(ValidationFailed) as caught:
        _rules(db, tenant, NumberRule(1, foreign))
    assert caught.value.field == "rules.0.counterId"
    assert _allocate(db, tenant) == "R 2026 1"


def test_a_second_default_group_is_a_conflict(db: Database, tenant: TenantFixture) -> None:
    """What a concurrent change that made another group the default runs into: the unique
    default is kept by the database and reported as a Conflict naming defaultGroup."""
    now = SystemClock().now()
    second = SequenceGroup(uuid.uuid4(), "Zweite", SequenceBase.ANNUAL, True, now, now)
    with pytest.raises(Conflict) as caught, db.transaction() as session:
        save_group(session, tenant_id=tenant.id, group=second, new=True)
    assert caught.value.field == "defaultGroup"
    assert _allocate(db, tenant) == "R 2026 1"  # the default group is unchanged
