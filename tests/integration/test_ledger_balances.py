"""The maintained balances (ADR 0017) always equal the sums of the postings per account,
month and currency, whatever batches of journals and reversals are posted, also when two
transactions post to the same accounts at once (PostgreSQL); the reports that read them give
what a scan of the postings gives; a batch costs the same statements whatever its size."""

import random
import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import case, event, func, select

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.ledger_balances import period_of
from beleg.db.tables import ledger_balances, ledger_journals, ledger_postings
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.money import Currency
from beleg.queries.ledger.accounts import BalanceQuery, balances
from beleg.queries.ledger.reports import trial_balance
from beleg.services.ledger.posting import post_journals, reversal_of
from tests.conftest import TenantFixture, make_tenant, system_actor

ACCOUNTS = ["2000", "2700", "2800", "3500", "4000", "7200"]
FOREIGN = {"EUR": Decimal(1), "USD": Decimal("1.0837"), "JPY": Decimal("0.0061")}
START = date(2025, 11, 1)

cents = st.integers(min_value=1, max_value=10_000_000)
journal = st.tuples(
    st.integers(min_value=0, max_value=150),  # day offset: 2025-11 .. 2026-03
    st.sampled_from(sorted(FOREIGN)),
    st.lists(st.tuples(st.sampled_from(ACCOUNTS), cents), min_size=1, max_size=3),
    st.sampled_from(ACCOUNTS),
    st.sampled_from(["000", "020", None]),
)
batch = st.tuples(st.lists(journal, min_size=1, max_size=6), st.lists(st.integers(0, 50)))


def _draft(day: int, code: str, debits: list, credit: str, tax: str | None) -> JournalDraft:  # type: ignore[type-arg]
    currency = Currency.of(code)
    amounts = [
        Decimal(c).scaleb(-2).quantize(currency.quantum) or currency.quantum for _, c in debits
    ]
    postings = (
        *(Posting(a, x, tax) for (a, _), x in zip(debits, amounts, strict=True)),
        Posting(credit, -sum(amounts)),
    )
    return JournalDraft(
        JournalType.REBOOK, START + timedelta(days=day), currency, postings, FOREIGN[code]
    )


def _post(db: Database, tenant_id: uuid.UUID, drafts: list, reverses: list | None = None) -> list:  # type: ignore[type-arg]
    with db.transaction() as session:
        return post_journals(
            session,
            actor=system_actor(tenant_id),
            tenant_id=tenant_id,
            drafts=drafts,
            clock=SystemClock(),
            reverses=reverses,
        )


def _reverse(db: Database, tenant_id: uuid.UUID, journal_ids: list[uuid.UUID]) -> None:
    with db.transaction() as session:
        drafts = [
            reversal_of(
                session,
                tenant_id=tenant_id,
                journal_id=j,
                booking_date=date(2026, 3, 31),
                reason="",
            )
            for j in journal_ids
        ]
    _post(db, tenant_id, drafts, list(journal_ids))


def _from_balances(db: Database, tenant_id: uuid.UUID) -> dict:  # type: ignore[type-arg]
    b = ledger_balances.c
    with db.reader() as session:
        rows = session.execute(select(ledger_balances).where(b.tenant_id == tenant_id)).all()
    return {
        (r.account_code, r.period, r.currency): (
            r.debit,
            r.credit,
            r.debit_main,
            r.credit_main,
            r.debit_gross,
            r.credit_gross,
            r.postings,
        )
        for r in rows
    }


def _split(value):  # type: ignore[no-untyped-def]
    return (
        func.sum(case((value > 0, value), else_=Decimal(0))),
        func.sum(case((value < 0, -value), else_=Decimal(0))),
    )


def _from_postings(db: Database, tenant_id: uuid.UUID) -> dict:  # type: ignore[type-arg]
    """The same sums by scanning the postings (grouped per posting's day, summed per month)."""
    p, j = ledger_postings.c, ledger_journals.c
    statement = (
        select(
            p.account_code,
            p.booking_date,
            j.currency,
            *_split(p.amount),
            *_split(p.amount_main),
            *_split(p.amount_main + p.tax_main),
            func.count(),
        )
        .join(ledger_journals, (j.tenant_id == p.tenant_id) & (j.id == p.journal_id))
        .where(p.tenant_id == tenant_id)
        .group_by(p.account_code, p.booking_date, j.currency)
    )
    with db.reader() as session:
        rows = session.execute(statement).all()
    found: dict = {}  # type: ignore[type-arg]
    for code, day, currency, *sums in rows:
        key = (code, period_of(day), currency)
        before = found.get(key, (Decimal(0),) * 6 + (0,))
        found[key] = tuple(a + b for a, b in zip(before, sums, strict=True))
    return found


@given(
    batches=st.lists(batch, min_size=1, max_size=4),
    cut=st.tuples(st.integers(0, 150), st.integers(0, 150)),
)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_balances_equal_the_sums_of_the_postings(
    db: Database, platform: dict, batches: list, cut: tuple
) -> None:  # type: ignore[type-arg]
    tenant = make_tenant(db)
    posted: list[uuid.UUID] = []
    for journals, to_reverse in batches:
        posted += [p.id for p in _post(db, tenant.id, [_draft(*j) for j in journals])]
        chosen = sorted({posted[i % len(posted)] for i in to_reverse})
        reversible = [j for j in chosen if j not in _reversed(db, tenant.id)]
        if reversible:
            _reverse(db, tenant.id, reversible)
        assert _from_balances(db, tenant.id) == _from_postings(db, tenant.id)
    start, end = sorted(START + timedelta(days=d) for d in cut)
    _assert_reports_match_a_scan(db, tenant, start, end)


def _reversed(db: Database, tenant_id: uuid.UUID) -> set[uuid.UUID]:
    j = ledger_journals.c
    with db.reader() as session:
        return set(
            session.execute(
                select(j.reverses_id).where(j.tenant_id == tenant_id, j.reverses_id.is_not(None))
            ).scalars()
        )


def _assert_reports_match_a_scan(
    db: Database, tenant: TenantFixture, start: date, end: date
) -> None:
    """A range cutting months (or not) gives the sums of the postings dated in it."""
    p = ledger_postings.c
    with db.reader() as session:
        scan = {
            code: (debit, credit)
            for code, debit, credit in session.execute(
                select(p.account_code, *_split(p.amount_main))
                .where(p.tenant_id == tenant.id, p.booking_date.between(start, end))
                .group_by(p.account_code)
            )
        }
    rows = trial_balance(db=db, tenant_id=tenant.id, date_from=start, date_to=end)
    assert {r.account: (r.debit, r.credit) for r in rows} == scan
    items = balances(db=db, tenant_id=tenant.id, query=BalanceQuery(start, end))
    assert {i["accountCode"]: (i["debit"], i["credit"]) for i in items} == scan


def test_a_batch_costs_the_same_statements_whatever_its_size(
    db: Database, tenant: TenantFixture
) -> None:
    opening = [_draft(d, "EUR", [("2000", 100)], "4000", None) for d in (0, 100)]
    _post(db, tenant.id, opening)  # opens the number series of both years
    counts = []
    for size in (10, 200):
        drafts = [
            _draft(
                i * 37 % 120, ("EUR", "USD")[i % 2], [("2000", i + 1), ("7200", 5)], "4000", "020"
            )
            for i in range(size)
        ]
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, seen=statements) -> None:  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            _post(db, tenant.id, drafts)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_concurrent_batches_to_the_same_accounts_keep_balances_exact(
    db: Database, tenant: TenantFixture
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer: concurrent posting transactions are PostgreSQL's")
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(15):
                _post(
                    db,
                    tenant.id,
                    [
                        _draft(
                            rng.randrange(150),
                            rng.choice(["EUR", "USD"]),
                            [(rng.choice(ACCOUNTS), rng.randrange(1, 10**6))],
                            rng.choice(ACCOUNTS),
                            None,
                        )
                        for _ in range(40)
                    ],
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _from_balances(db, tenant.id) == _from_postings(db, tenant.id)
    assert sum(r[6] for r in _from_balances(db, tenant.id).values()) == 3 * 15 * 40 * 2
