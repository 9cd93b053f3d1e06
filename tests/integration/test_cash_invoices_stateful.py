"""Random sequences of invoice operations (create, pay, partial pay, pay_rest, cancel a
payment, cancel an invoice, rebook) in both accounting modes keep the ledger's invariants
after every step: each journal balances, the trial balance is zero, no number repeats, open
amounts equal the receivable/payable balances (DE) and every invoice's active journals book
exactly the paid part of it (EA), and the whole of it once paid."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.tables import cb_invoices, ledger_journals, ledger_postings
from beleg.domain.accounting.components import cumulative_targets
from beleg.domain.accounting.lines import Direction, LineInput
from beleg.domain.errors import DomainError
from beleg.queries.audit.verification import verify_tenant_chain
from beleg.services.accounting import invoices as cash_invoices
from beleg.services.accounting import payments as cash_payments
from beleg.services.accounting.bookings import WorkingInvoice, booked_so_far, load_invoice
from beleg.services.ledger import rebooks
from tests.conftest import make_tenant, system_actor

DAY = date(2025, 3, 1)
amounts = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))
line = st.tuples(
    amounts,
    st.sampled_from(["N", "T"]),
    st.sampled_from(["020", "010", "013"]),
    st.sampled_from([None, Decimal(50), Decimal("33.333")]),
)
LineSpec = tuple[Decimal, str, str, Decimal | None]  # amount, amount type, tax code, private %
InvoiceRef = tuple[Direction, uuid.UUID]
days = st.integers(min_value=0, max_value=60).map(lambda d: DAY + timedelta(d))


def _lines(direction: Direction, specs: list[LineSpec]) -> list[LineInput]:
    account = "7200" if direction is Direction.INCOMING else "4000"
    return [
        LineInput(
            account,
            amount,
            kind,
            code,
            private_part=private if direction is Direction.INCOMING else None,
            private_part_type="P" if private and direction is Direction.INCOMING else None,
        )
        for amount, kind, code, private in specs
    ]


class InvoiceMachine(RuleBasedStateMachine):
    """Set ``db`` and ``mode`` on a subclass (the fixture does)."""

    db: Database
    mode: str
    invoices = Bundle("invoices")

    def __init__(self) -> None:
        super().__init__()
        self.tenant = make_tenant(self.db, mode=self.mode)
        self.actor = system_actor(self.tenant.id)
        self.clock = SystemClock()

    def _do(self, operation: Callable[[], object]) -> object | None:
        try:
            return operation()
        except DomainError:  # refused: nothing may be half-written (checked by invariants)
            return None

    @rule(
        target=invoices,
        direction=st.sampled_from(list(Direction)),
        specs=st.lists(line, min_size=1, max_size=3),
        day=days,
        paid=st.sampled_from([None, 0, 10]),
    )
    def create(
        self,
        direction: Direction,
        specs: list[LineSpec],
        day: date,
        paid: int | None,
    ) -> tuple[Direction, uuid.UUID]:
        data = cash_invoices.InvoiceInput(
            invoice_date=day,
            lines=_lines(direction, specs),
            paid_date=None if paid is None else day + timedelta(paid),
            paid_contra_account=None if paid is None else "2800",
            description="x",
        )
        outcome = cash_invoices.create_invoice(
            db=self.db,
            actor=self.actor,
            tenant_id=self.tenant.id,
            direction=direction,
            data=data,
            clock=self.clock,
        )
        return direction, outcome.invoice.id

    @rule(
        invoice=invoices,
        share=st.sampled_from([None, Decimal("0.3"), Decimal("0.5")]),
        day=days,
        account=st.sampled_from(["2700", "2800"]),
    )
    def pay(
        self,
        invoice: InvoiceRef,
        share: Decimal | None,
        day: date,
        account: str,
    ) -> None:
        direction, invoice_id = invoice
        amount = None
        if share is not None:
            remaining = self._row(invoice_id).remaining
            amount = (remaining * share).quantize(Decimal("0.01")) or Decimal("0.01")
        payment = cash_payments.PaymentInput(
            payment_date=day, contra_account=account, amount=amount
        )
        self._do(
            lambda: cash_payments.pay(
                db=self.db,
                actor=self.actor,
                tenant_id=self.tenant.id,
                direction=direction,
                invoice_id=invoice_id,
                payment=payment,
                clock=self.clock,
            )
        )

    @rule(invoice=invoices, day=days, kind=st.sampled_from(["DISCOUNT", "IRRECOVERABLE"]))
    def pay_rest(self, invoice: InvoiceRef, day: date, kind: str) -> None:
        direction, invoice_id = invoice
        self._do(
            lambda: cash_payments.pay_rest(
                db=self.db,
                actor=self.actor,
                tenant_id=self.tenant.id,
                direction=direction,
                invoice_id=invoice_id,
                rest_type=kind,
                payment_date=day,
                rate=None,
                description=None,
                clock=self.clock,
            )
        )

    @rule(invoice=invoices, pick=st.integers(min_value=0, max_value=5), day=days)
    def cancel_payment(self, invoice: InvoiceRef, pick: int, day: date) -> None:
        direction, invoice_id = invoice
        with self.db.reader() as session:
            books = load_books(session, self.tenant.id)
            active = load_invoice(
                session, books=books, invoice_id=invoice_id, direction=direction
            ).invoice.active_payments()
        if not active:
            return
        booking = active[pick % len(active)].id
        self._do(
            lambda: cash_payments.cancel_payment(
                db=self.db,
                actor=self.actor,
                tenant_id=self.tenant.id,
                direction=direction,
                invoice_id=invoice_id,
                booking_id=booking,
                cancel_date=day,
                reason="r",
                clock=self.clock,
            )
        )

    @rule(invoice=invoices, day=days)
    def cancel_invoice(self, invoice: InvoiceRef, day: date) -> None:
        direction, invoice_id = invoice
        self._do(
            lambda: cash_invoices.cancel_invoice(
                db=self.db,
                actor=self.actor,
                tenant_id=self.tenant.id,
                direction=direction,
                invoice_id=invoice_id,
                cancel_date=day,
                reason="r",
                clock=self.clock,
            )
        )

    @rule(amount=amounts, day=days)
    def rebook(self, amount: Decimal, day: date) -> None:
        rebooks.create_rebook(
            db=self.db,
            actor=self.actor,
            tenant_id=self.tenant.id,
            rebook_type="REBOOK",
            account="2800",
            contra_account="2700",
            amount=amount,
            booking_date=day,
            description="",
            reference="",
            clock=self.clock,
        )

    def _row(self, invoice_id: uuid.UUID) -> Row[Any]:
        with self.db.reader() as session:
            return session.execute(
                select(cb_invoices).where(
                    cb_invoices.c.tenant_id == self.tenant.id, cb_invoices.c.id == invoice_id
                )
            ).one()

    @invariant()
    def journals_balance_and_numbers_are_unique(self) -> None:
        check_journals(self.db, self.tenant.id)

    @invariant()
    def open_amounts_match_the_books(self) -> None:
        check_open_amounts(self.db, self.tenant.id, self.mode)


@pytest.fixture(params=["EA", "DE"])
def machine_class(
    request: pytest.FixtureRequest, db: Database, platform: dict[str, object]
) -> type[InvoiceMachine]:
    return type(f"{request.param}Machine", (InvoiceMachine,), {"db": db, "mode": request.param})


def test_invoice_state_machine(machine_class: type[InvoiceMachine]) -> None:
    case = machine_class.TestCase
    case.settings = settings(
        max_examples=15,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    case().runTest()


def check_journals(db: Database, tenant: uuid.UUID) -> None:
    with db.reader() as session:
        unbalanced = session.execute(
            select(ledger_postings.c.journal_id)
            .where(ledger_postings.c.tenant_id == tenant)
            .group_by(ledger_postings.c.journal_id)
            .having(
                (func.sum(ledger_postings.c.amount_main) != 0)
                | (func.sum(ledger_postings.c.amount) != 0)
            )
        ).all()
        total = session.execute(
            select(func.sum(ledger_postings.c.amount_main)).where(
                ledger_postings.c.tenant_id == tenant
            )
        ).scalar()
        numbers = (
            session.execute(
                select(ledger_journals.c.number).where(ledger_journals.c.tenant_id == tenant)
            )
            .scalars()
            .all()
        )
        sequences = (
            session.execute(
                select(cb_invoices.c.sequence).where(
                    cb_invoices.c.tenant_id == tenant, cb_invoices.c.sequence.is_not(None)
                )
            )
            .scalars()
            .all()
        )
    assert unbalanced == [] and (total or 0) == 0
    assert verify_tenant_chain(db=db, tenant_id=tenant).intact  # audited, chain unbroken
    assert len(numbers) == len(set(numbers))
    assert len(sequences) == len(set(sequences))


def check_open_amounts(db: Database, tenant: uuid.UUID, mode: str) -> None:
    with db.reader() as session:
        books = load_books(session, tenant)
        rows = session.execute(select(cb_invoices).where(cb_invoices.c.tenant_id == tenant)).all()
        balances = dict(
            session.execute(
                select(ledger_postings.c.account_code, func.sum(ledger_postings.c.amount_main))
                .where(ledger_postings.c.tenant_id == tenant)
                .group_by(ledger_postings.c.account_code)
            ).all()
        )
        for row in rows:
            invoice = load_invoice(
                session, books=books, invoice_id=row.id, direction=Direction(row.direction)
            )
            assert row.remaining == (
                0 if row.cancelled_date else row.total - invoice.invoice.paid()
            )
            if mode == "EA":
                check_ea_journals(session, invoice, row, tenant)
    if mode == "DE":
        open_out = sum((r.remaining_main for r in rows if r.direction == "OUT"), Decimal(0))
        open_in = sum((r.remaining_main for r in rows if r.direction == "IN"), Decimal(0))
        assert balances.get("2000", Decimal(0)) == open_out
        assert -balances.get("3300", Decimal(0)) == open_in


def check_ea_journals(
    session: Session, invoice: WorkingInvoice, row: Row[Any], tenant: uuid.UUID
) -> None:
    """The active journals book exactly the paid part; all of the invoice once it is paid."""
    booked = booked_so_far(session, tenant_id=tenant, work=invoice)
    assert sum(booked.values(), Decimal(0)) == invoice.side.sign * invoice.invoice.paid()
    if row.remaining == 0 and row.cancelled_date is None:
        whole = cumulative_targets(invoice.side, invoice.side.total)
        assert {k: v for k, v in booked.items() if v} == {k: v for k, v in whole.items() if v}
