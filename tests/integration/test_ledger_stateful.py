"""Random sequences of postings and cancellations keep the ledger's invariants (DESIGN 1, 4):
the trial balance sums to zero, every journal balances, numbers are unique and gapless per
prefix and year, and a journal is cancelled at most once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import ledger_journals, ledger_postings
from beleg.domain.errors import Conflict
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.money import Currency
from beleg.queries.ledger.reports import trial_balance
from beleg.services.ledger.journals import book_journal, reverse_journal
from tests.conftest import make_tenant, system_actor

ACCOUNTS = ["2000", "2700", "2800", "3300", "4000", "7200"]
cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2))
days = st.integers(min_value=0, max_value=700).map(lambda d: date(2025, 1, 1) + timedelta(d))


@pytest.fixture
def machine_class(db: Database, platform: dict):  # type: ignore[no-untyped-def]
    class LedgerMachine(RuleBasedStateMachine):
        journals = Bundle("journals")

        def __init__(self) -> None:
            super().__init__()
            self.tenant = make_tenant(db)
            self.actor = system_actor(self.tenant.id)
            self.cancelled: set[str] = set()

        @rule(
            target=journals,
            kind=st.sampled_from(list(JournalType)),
            day=days,
            debits=st.lists(st.tuples(st.sampled_from(ACCOUNTS), cents), min_size=1, max_size=3),
            credit=st.sampled_from(ACCOUNTS),
            foreign=st.sampled_from([None, ("USD", "1.0837"), ("JPY", "0.0061")]),
        )
        def post(
            self,
            kind: JournalType,
            day: date,
            debits: list,
            credit: str,
            foreign: tuple[str, str] | None,
        ) -> str:
            currency = Currency.of(foreign[0]) if foreign else Currency.of("EUR")
            amounts = [a.quantize(currency.quantum) or currency.quantum for _, a in debits]
            postings = (
                *(Posting(acc, amt) for (acc, _), amt in zip(debits, amounts, strict=True)),
                Posting(credit, -sum(amounts)),
            )
            draft = JournalDraft(
                kind, day, currency, postings, Decimal(foreign[1]) if foreign else Decimal(1)
            )
            return book_journal(
                db=db, actor=self.actor, tenant_id=self.tenant.id, draft=draft, clock=SystemClock()
            ).number

        @rule(number=journals, day=days)
        def cancel(self, number: str, day: date) -> None:
            try:
                reverse_journal(
                    db=db,
                    actor=self.actor,
                    tenant_id=self.tenant.id,
                    number=number,
                    booking_date=day,
                    reason="test",
                    clock=SystemClock(),
                )
            except Conflict:
                assert number in self.cancelled
                return
            assert number not in self.cancelled
            self.cancelled.add(number)

        @invariant()
        def trial_balance_is_zero(self) -> None:
            rows = trial_balance(
                db=db,
                tenant_id=self.tenant.id,
                date_from=date(2025, 1, 1),
                date_to=date(2027, 12, 31),
            )
            assert sum(r.balance for r in rows) == 0
            assert sum(r.debit for r in rows) == sum(r.credit for r in rows)

        @invariant()
        def journals_balance_and_numbers_are_gapless(self) -> None:
            with db.reader() as session:
                unbalanced = session.execute(
                    select(ledger_postings.c.journal_id)
                    .where(ledger_postings.c.tenant_id == self.tenant.id)
                    .group_by(ledger_postings.c.journal_id)
                    .having(func.sum(ledger_postings.c.amount_main) != 0)
                ).all()
                numbers = (
                    session.execute(
                        select(ledger_journals.c.number).where(
                            ledger_journals.c.tenant_id == self.tenant.id
                        )
                    )
                    .scalars()
                    .all()
                )
            assert unbalanced == []
            series: dict[str, list[int]] = {}
            for number in numbers:
                key, sequence = number.split()
                series.setdefault(key, []).append(int(sequence))
            for values in series.values():
                assert sorted(values) == list(range(1, len(values) + 1))

    return LedgerMachine


def test_ledger_state_machine(machine_class) -> None:  # type: ignore[no-untyped-def]
    case = machine_class.TestCase
    case.settings = settings(
        max_examples=8,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    case().runTest()
