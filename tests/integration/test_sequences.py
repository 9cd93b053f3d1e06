"""The one number allocator under concurrency, on both databases: every kind of series
(journals, cash-invoice sequences, document counters, receipts, receipt positions, statement
lines, tenant numbers) stays gapless and unique when 8 threads allocate single numbers and
blocks at once, and a rolled-back transaction gives its numbers back."""

from __future__ import annotations

import threading
import uuid

import pytest

from beleg.db import sequences
from beleg.db.database import Database
from tests.conftest import TenantFixture

THREADS, ROUNDS = 8, 12
BLOCK = 3  # every third round takes a block


class _Rollback(Exception):
    pass


SERIES = [
    (sequences.journal_series("E"), "2026"),
    (sequences.cash_invoice_series("AR"), "2026"),
    (sequences.document_counter_series(uuid.uuid4()), "2026-12"),
    (sequences.receipt_series(1, "R"), "2026"),
    (sequences.receipt_position_series(1), sequences.NO_PERIOD),
    (sequences.statement_line_series(uuid.uuid4()), sequences.NO_PERIOD),
]


def _allocate_concurrently(
    db: Database, tenant_id: uuid.UUID, series: str, period: str
) -> list[int]:
    taken: list[list[int]] = [[] for _ in range(THREADS)]
    failures: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for round_no in range(ROUNDS):
                count = BLOCK if round_no % 3 == 0 else 1
                try:
                    with db.transaction() as session:
                        first = sequences.allocate(
                            session, tenant_id=tenant_id, series=series, period=period, count=count
                        )
                        if round_no % 5 == 4:  # given back: must not leave a gap
                            raise _Rollback
                except _Rollback:
                    continue
                taken[index].extend(range(first, first + count))
        except BaseException as error:  # reported below, not swallowed
            failures.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    return sorted(v for values in taken for v in values)


@pytest.mark.parametrize(("series", "period"), SERIES, ids=[s for s, _ in SERIES])
def test_every_series_is_gapless_under_8_threads(
    db: Database, tenant: TenantFixture, series: str, period: str
) -> None:
    values = _allocate_concurrently(db, tenant.id, series, period)
    assert values == list(range(1, len(values) + 1))
    kept_rounds = ROUNDS - ROUNDS // 5
    blocks = len([r for r in range(ROUNDS) if r % 3 == 0 and r % 5 != 4])
    assert len(values) == THREADS * (kept_rounds + blocks * (BLOCK - 1))
    with db.reader() as session:
        assert sequences.last_values(session, tenant_id=tenant.id, series=series) == {
            period: len(values)
        }


def test_a_series_starts_at_its_start_and_periods_are_separate(
    db: Database, tenant: TenantFixture
) -> None:
    series = sequences.document_counter_series(uuid.uuid4())
    with db.transaction() as session:
        first = sequences.allocate(
            session, tenant_id=tenant.id, series=series, period="2026", start=1000, count=5
        )
        again = sequences.allocate(
            session, tenant_id=tenant.id, series=series, period="2026", start=1000
        )
        other = sequences.allocate(
            session, tenant_id=tenant.id, series=series, period="2027", start=1000
        )
    assert (first, again, other) == (1000, 1005, 1000)
    with db.reader() as session:
        assert sequences.last_values(session, tenant_id=tenant.id, series=series) == {
            "2026": 1005,
            "2027": 1000,
        }
    with pytest.raises(ValueError, match="count"), db.transaction() as session:
        sequences.allocate(session, tenant_id=tenant.id, series=series, count=0)


def test_series_of_two_tenants_are_independent(
    db: Database, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    series = sequences.journal_series("U")
    with db.transaction() as session:
        mine = [
            sequences.allocate(session, tenant_id=tenant.id, series=series, period="2030")
            for _ in range(3)
        ]
        theirs = sequences.allocate(
            session, tenant_id=other_tenant.id, series=series, period="2030"
        )
    assert (mine, theirs) == ([1, 2, 3], 1)
