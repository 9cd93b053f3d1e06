"""The ledger on a real database: numbering, balance, reversal, trial balance, tenancy."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import ledger_journals
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.money import Currency
from beleg.queries.ledger.reports import journal_lines, trial_balance
from beleg.queries.listing import ListRequest, fetch_page
from beleg.services.ledger.accounts import create_account
from beleg.services.ledger.journals import book_journal, reverse_journal
from tests.conftest import TenantFixture, system_actor

D = Decimal
EUR, USD = Currency.of("EUR"), Currency.of("USD")
YEAR = (date(2020, 1, 1), date(2020, 12, 31))


@pytest.fixture
def chart(db: Database, tenant: TenantFixture) -> TenantFixture:
    """An AT tenant: its EKR chart holds every account these tests post to."""
    return tenant


def _book(
    db: Database,
    tenant: TenantFixture,
    kind: JournalType,
    day: date,
    *postings: tuple[str, str],
    currency: Currency = EUR,
    rate: str = "1",
):  # type: ignore[no-untyped-def]
    draft = JournalDraft(
        kind, day, currency, tuple(Posting(a, D(x)) for a, x in postings), D(rate), "test"
    )
    return book_journal(
        db=db, actor=system_actor(tenant.id), tenant_id=tenant.id, draft=draft, clock=SystemClock()
    )


def _sale(db: Database, tenant: TenantFixture, day: date = date(2020, 5, 4)):  # type: ignore[no-untyped-def]
    return _book(
        db,
        tenant,
        JournalType.INCOME,
        day,
        ("2000", "14.40"),
        ("4000", "-12.00"),
        ("3500", "-2.40"),
    )


def test_numbers_per_prefix_and_year_interleave(db: Database, chart: TenantFixture) -> None:
    numbers = [
        _sale(db, chart).number,
        _sale(db, chart).number,
        _book(
            db, chart, JournalType.REBOOK, date(2020, 5, 5), ("2800", "14.40"), ("2000", "-14.40")
        ).number,
        _sale(db, chart).number,
        _sale(db, chart, date(2021, 1, 2)).number,
    ]
    assert numbers == ["E2020 1", "E2020 2", "U2020 1", "E2020 3", "E2021 1"]


def test_trial_balance_sums_to_zero(db: Database, chart: TenantFixture) -> None:
    _sale(db, chart)
    _book(db, chart, JournalType.REBOOK, date(2020, 6, 1), ("2700", "10.00"), ("2000", "-10.00"))
    _book(
        db,
        chart,
        JournalType.OUTGO,
        date(2020, 6, 2),
        ("7200", "12.00"),
        ("2500", "2.40"),
        ("3300", "-14.40"),
    )
    rows = {
        r.account: r
        for r in trial_balance(db=db, tenant_id=chart.id, date_from=YEAR[0], date_to=YEAR[1])
    }
    assert rows["2000"].debit == D("14.40") and rows["2000"].credit == D("10.00")
    assert rows["2000"].balance == D("4.40") and rows["4000"].balance == D("-12.00")
    assert sum(r.balance for r in rows.values()) == 0
    assert str(rows["3500"].credit) == "2.40"


def test_foreign_currency_is_converted_residue_free(db: Database, chart: TenantFixture) -> None:
    _book(
        db,
        chart,
        JournalType.REBOOK,
        date(2020, 7, 1),
        ("2800", "14.40"),
        ("2000", "-14.40"),
        currency=USD,
        rate="2",
    )
    page = fetch_page(db=db, spec=journal_lines(chart.id), request=ListRequest())
    assert [(i["amount"], i["amountMain"]) for i in page.items] == [
        (D("14.40"), D("28.80")),
        (D("-14.40"), D("-28.80")),
    ]


def test_reversal_cancels_once(db: Database, chart: TenantFixture) -> None:
    sale = _sale(db, chart)
    storno = reverse_journal(
        db=db,
        actor=system_actor(chart.id),
        tenant_id=chart.id,
        number=sale.number,
        booking_date=date(2020, 5, 10),
        reason="Fehlbuchung",
        clock=SystemClock(),
    )
    assert storno.number == "E2020 2"
    assert all(
        r.balance == 0
        for r in trial_balance(db=db, tenant_id=chart.id, date_from=YEAR[0], date_to=YEAR[1])
    )
    with pytest.raises(Conflict, match="already cancelled by E2020 2"):
        reverse_journal(
            db=db,
            actor=system_actor(chart.id),
            tenant_id=chart.id,
            number=sale.number,
            booking_date=date(2020, 5, 11),
            reason="",
            clock=SystemClock(),
        )
    with pytest.raises(Conflict, match="itself a cancellation"):
        reverse_journal(
            db=db,
            actor=system_actor(chart.id),
            tenant_id=chart.id,
            number=storno.number,
            booking_date=date(2020, 5, 11),
            reason="",
            clock=SystemClock(),
        )
    lines = fetch_page(
        db=db, spec=journal_lines(chart.id), request=ListRequest(search=f"number=='{sale.number}'")
    ).items
    assert {line["cancelledBy"] for line in lines} == {"E2020 2"}


def test_bad_journals_write_nothing(db: Database, chart: TenantFixture) -> None:
    with pytest.raises(ValidationFailed, match="unknown account"):
        _book(db, chart, JournalType.INCOME, date(2020, 1, 1), ("9999", "1"), ("4000", "-1"))
    with pytest.raises(ValidationFailed, match="does not balance"):
        _book(db, chart, JournalType.INCOME, date(2020, 1, 1), ("2000", "1"), ("4000", "-0.99"))
    with db.reader() as session:
        assert (
            session.execute(
                select(ledger_journals).where(ledger_journals.c.tenant_id == chart.id)
            ).first()
            is None
        )
    assert _sale(db, chart).number == "E2020 1"  # no number was used up


def test_other_tenants_see_nothing(
    db: Database, chart: TenantFixture, other_tenant: TenantFixture
) -> None:
    _sale(db, chart)
    assert trial_balance(db=db, tenant_id=other_tenant.id, date_from=YEAR[0], date_to=YEAR[1]) == []
    create_account(
        db=db,
        actor=system_actor(chart.id),
        tenant_id=chart.id,
        code="4999",
        name="only in the first tenant",
        account_type="E",
        clock=SystemClock(),
    )
    with pytest.raises(ValidationFailed, match="unknown account"):
        _book(
            db,
            other_tenant,
            JournalType.INCOME,
            date(2020, 5, 1),
            ("2000", "1.00"),
            ("4999", "-1.00"),
        )


def test_concurrent_posting_is_gapless(db: Database, chart: TenantFixture) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(10):
                _sale(db, chart)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.reader() as session:
        numbers = (
            session.execute(
                select(ledger_journals.c.number).where(ledger_journals.c.tenant_id == chart.id)
            )
            .scalars()
            .all()
        )
    assert sorted(int(n.split()[1]) for n in numbers) == list(range(1, 41))


def test_new_tenants_get_their_chart_and_accounts_are_unique(
    db: Database, tenant: TenantFixture
) -> None:
    actor = system_actor(tenant.id)
    with pytest.raises(Conflict, match="account 4000 already exists"):
        create_account(
            db=db,
            actor=actor,
            tenant_id=tenant.id,
            code="4000",
            name="dup",
            account_type="E",
            clock=SystemClock(),
        )
    with pytest.raises(ValidationFailed, match="3 to 10 digits"):
        create_account(
            db=db,
            actor=actor,
            tenant_id=tenant.id,
            code="40a",
            name="x",
            account_type="E",
            clock=SystemClock(),
        )
    row = create_account(
        db=db,
        actor=actor,
        tenant_id=tenant.id,
        code="4002",
        name="Neu",
        account_type="E",
        clock=SystemClock(),
    )
    assert row.code == "4002"
