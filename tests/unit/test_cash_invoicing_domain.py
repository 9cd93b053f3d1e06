"""Cash-invoice rules without a database: tax class resolution, line amounts, private parts,
self-assessed VAT, residue-free pro-rata shares and the EA/DE journals (seed 003 §3.1, §3.3)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.accounting import rules_de, rules_ea
from beleg.domain.accounting.components import (
    Key,
    Side,
    cumulative_targets,
    invoice_side,
    share_towards,
)
from beleg.domain.accounting.currency import invoice_currency, payment_rate
from beleg.domain.accounting.invoices import (
    Booking,
    BookingKind,
    Cancellation,
    CashInvoice,
    Payment,
    PaymentType,
    with_booking,
    with_cancelled,
    with_totals,
)
from beleg.domain.accounting.lines import Direction, Line, LineInput, resolve_line
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.charts import CHARTS, check_chart
from beleg.domain.ledger.charts.at_ekr import AT_EKR
from beleg.domain.ledger.journals import JournalType
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import Currency

EUR = Currency.of("EUR")
ACCOUNTS = {a.code: a for a in AT_EKR.accounts}
DAY = date(2020, 12, 31)


def line(item: LineInput, direction: Direction = Direction.INCOMING) -> Line:
    return resolve_line(
        item, index=0, direction=direction, chart=AT_EKR, accounts=ACCOUNTS, currency=EUR
    )


def side(*items: LineInput, direction: Direction = Direction.INCOMING) -> Side:
    return invoice_side([line(i, direction) for i in items], direction, AT_EKR, EUR)


def test_charts_are_consistent_and_chosen_by_country() -> None:
    assert set(CHARTS) == {"AT-EKR", "SKR03", "SKR04"}
    assert check_chart("AT", None) == "AT-EKR" and check_chart("DE", None) == "SKR03"
    assert check_chart("DE", "SKR04") == "SKR04"
    with pytest.raises(ValidationFailed, match="must be one of AT-EKR"):
        check_chart("AT", "SKR03")
    skr04 = CHARTS["SKR04"]
    assert (skr04.receivables, skr04.payables, skr04.output_vat["019"]) == ("1200", "3300", "3806")
    assert CHARTS["SKR03"].account("8400").tax_codes == ("019",)


def test_tax_class_defaults_forced_and_allowed() -> None:
    assert line(LineInput("7200", D(12), "N")).tax_entry == "020"
    assert line(LineInput("7200", D(12), "N", "010")).tax == D("1.20")
    with pytest.raises(ValidationFailed, match="only allows tax class entry 000"):
        line(LineInput("7790", D(12), "N", "020"))
    with pytest.raises(ValidationFailed, match="need an account of type E/M"):
        line(LineInput("7200", D(12), "N"), Direction.OUTGOING)


def test_net_and_total_lines_round_half_up_per_line() -> None:
    net = line(LineInput("7200", D(12), "N"))
    assert (net.net, net.tax, net.total) == (D("12.00"), D("2.40"), D("14.40"))
    gross = line(LineInput("7200", D("114.96"), "T"))
    assert (gross.net, gross.tax, gross.total) == (D("95.80"), D("19.16"), D("114.96"))
    alias = line(LineInput("7200", D("114.96"), "G"))
    assert alias.net == D("95.80")


def test_private_part_goes_to_the_private_account_with_its_vat() -> None:
    invoice = side(LineInput("7200", D(12), "N", private_part=D(50), private_part_type="P"))
    booked = cumulative_targets(invoice, invoice.total)
    assert booked == {
        ("7200", "020"): D("6.00"),
        ("2500", "020"): D("1.20"),
        ("9613", "020"): D("7.20"),
    }


def test_intra_community_acquisition_self_assesses_vat() -> None:
    invoice = side(LineInput("5100", D(100), "N", modifier="IG"))
    assert invoice.total == D("100.00")
    booked = cumulative_targets(invoice, invoice.total)
    assert booked[("2510", "020")] == D("20.00") and booked[("3510", "020")] == D("-20.00")
    with pytest.raises(ValidationFailed, match="must be N"):
        side(LineInput("5100", D(100), "T", modifier="IG"))


@given(
    st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=4),
    st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=6),
)
def test_sequential_payment_shares_are_residue_free(cents: list[int], splits: list[int]) -> None:
    items = [
        LineInput("7200", D(c).scaleb(-2), "N", code)
        for c, code in zip(cents, ["020", "010", "013", "000"], strict=False)
    ]
    invoice = side(*items)
    booked: dict[Key, D] = {}
    paid = D(0)
    for percent in [*splits, 100]:
        amount = (
            min((invoice.total * percent / 100).quantize(D("0.01")), invoice.total - paid)
            or invoice.total - paid
        )
        if not amount:
            break
        share = share_towards(invoice, paid_after=paid + amount, booked=booked)
        assert sum(p.amount for p in share.postings) == amount
        for p in share.postings:
            booked[(p.account, p.tax_code)] = booked.get((p.account, p.tax_code), D(0)) + p.amount
        paid += amount
    assert paid == invoice.total
    assert {k: v for k, v in booked.items() if v} == {
        k: v for k, v in cumulative_targets(invoice, invoice.total).items() if v
    }


def test_ea_payment_and_de_journals() -> None:
    invoice = side(LineInput("7200", D(12), "N"))
    first = rules_ea.payment(
        invoice,
        paid_before=D(0),
        amount=D(10),
        booked={},
        payment_account="2700",
        booking_date=DAY,
        rate=D(1),
        main_total=None,
        description="",
    )
    assert first.draft.journal_type is JournalType.OUTGO and first.total == D(10)
    assert [(p.account, p.amount) for p in first.draft.postings] == [
        ("7200", D("8.33")),
        ("2500", D("1.67")),
        ("2700", D(-10)),
    ]
    with pytest.raises(ValidationFailed, match="at most the remaining"):
        rules_ea.payment(
            invoice,
            paid_before=D(10),
            amount=D(5),
            booked={},
            payment_account="2700",
            booking_date=DAY,
            rate=D(1),
            main_total=None,
            description="",
        )
    initial = rules_de.initial(
        invoice, counter_account="3300", booking_date=DAY, rate=D(1), description=""
    )
    assert [(p.account, p.amount) for p in initial.draft.postings] == [
        ("7200", D("12.00")),
        ("2500", D("2.40")),
        ("3300", D("-14.40")),
    ]
    rest = rules_de.rest_payment(
        invoice,
        rest_type="DISCOUNT",
        remaining=D("1.40"),
        unpaid_account="3300",
        booking_date=DAY,
        rate=D(1),
        description="",
    )
    assert [(p.account, p.amount) for p in rest.draft.postings] == [
        ("7200", D("-1.17")),
        ("2500", D("-0.23")),
        ("3300", D("1.40")),
    ]
    with pytest.raises(ValidationFailed, match="DISCOUNT for this invoice"):
        rules_de.rest_payment(
            invoice,
            rest_type="IRRECOVERABLE",
            remaining=D(1),
            unpaid_account="3300",
            booking_date=DAY,
            rate=D(1),
            description="",
        )
    outgoing = side(LineInput("4000", D(12), "N"), direction=Direction.OUTGOING)
    assert (
        rules_de.initial(
            outgoing, counter_account="2000", booking_date=DAY, rate=D(1), description=""
        ).draft.journal_type
        is JournalType.INCOME
    )


def test_currency_difference_goes_to_gain_or_loss() -> None:
    loss = rules_de.currency_difference(
        direction=Direction.OUTGOING,
        residue=D("0.50"),
        unpaid_account="2000",
        gain_account="8060",
        loss_account="7860",
        booking_date=DAY,
        main=EUR,
    )
    assert [(p.account, p.amount) for p in loss.draft.postings] == [
        ("2000", D("-0.50")),
        ("7860", D("0.50")),
    ]
    gain = rules_de.currency_difference(
        direction=Direction.INCOMING,
        residue=D("0.50"),
        unpaid_account="3300",
        gain_account="8060",
        loss_account="7860",
        booking_date=DAY,
        main=EUR,
    )
    assert [(p.account, p.amount) for p in gain.draft.postings] == [
        ("3300", D("0.50")),
        ("8060", D("-0.50")),
    ]


def _invoice(*bookings: Booking, cancelled: date | None = None) -> CashInvoice:
    now = datetime(2020, 12, 31, tzinfo=UTC)
    lines = (line(LineInput("7200", D(12), "N", "020")),)
    return CashInvoice(
        id=INVOICE,
        direction=Direction.INCOMING,
        invoice_date=DAY,
        currency=EUR,
        currency_rate=D(1),
        net_total=D("12.00"),
        tax_total=D("2.40"),
        total=D("14.40"),
        total_main=D("14.40"),
        remaining=D("14.40"),
        remaining_main=D("14.40"),
        created_at=now,
        updated_at=now,
        lines=lines,
        bookings=bookings,
        cancelled_date=cancelled,
    )


INVOICE = uuid.uuid4()


def _payment(number: int, amount: str, *, journal: bool = True) -> Booking:
    return Booking(
        id=uuid.uuid4(),
        invoice_id=INVOICE,
        position=number,
        kind=BookingKind.PAYMENT,
        number=number,
        created_at=datetime(2020, 12, 31, tzinfo=UTC),
        journal_id=uuid.uuid4() if journal else None,
        payment=Payment(PaymentType.PAYMENT, DAY, D(amount), D(amount), "2700", D(1)),
    )


def test_an_invoice_record_derives_what_its_active_payments_settled() -> None:
    first, second = _payment(1, "4.40"), _payment(2, "10.00", journal=False)
    invoice = with_cancelled(_invoice(first, second), second.id)
    assert invoice.paid() == invoice.paid_main() == D("4.40")
    assert invoice.open_amount() == D("10.00")
    assert invoice.active_payments() == (first,)
    assert invoice.active_journal_ids() == [first.journal_id]
    assert invoice.next_number() == 3 and invoice.booking(second.id) == invoice.bookings[1]
    assert invoice.bookings[1].cancelled and not first.cancelled  # a new record, not a change
    cancelled = Booking(
        id=uuid.uuid4(),
        invoice_id=INVOICE,
        position=3,
        kind=BookingKind.CANCELLATION,
        number=2,
        created_at=first.created_at,
        journal_id=uuid.uuid4(),
        cancellation=Cancellation(DAY, "wrong", second.id),
    )
    with_cancellation = with_booking(invoice, cancelled)
    assert with_cancellation.bookings[-1] is cancelled
    assert with_cancellation.active_journal_ids() == [first.journal_id]  # cancellations aside
    with pytest.raises(ValueError, match="no unpaid account"):
        invoice.unpaid()


def test_totals_follow_the_payments_and_the_paid_date_needs_nothing_to_remain() -> None:
    later = datetime(2021, 1, 5, tzinfo=UTC)
    part = with_totals(_invoice(_payment(1, "4.40")), paid_date=DAY, now=later)
    assert (part.remaining, part.remaining_main, part.paid_date) == (D("10.00"), D("10.00"), None)
    assert part.updated_at == later
    whole = with_totals(_invoice(_payment(1, "14.40")), paid_date=DAY, now=later)
    assert (whole.remaining, whole.paid_date) == (D(0), DAY)
    gone = with_totals(_invoice(_payment(1, "4.40"), cancelled=DAY), paid_date=DAY, now=later)
    assert (gone.remaining, gone.remaining_main, gone.paid_date) == (D(0), D(0), None)


def test_invoice_currency_and_payment_rates() -> None:
    books = TenantBooks(uuid.uuid4(), AccountingMode.EA, AT_EKR, EUR, ACCOUNTS)
    assert invoice_currency(books, None, None) == (EUR, D(1))
    assert invoice_currency(books, "USD", D("1.2")) == (Currency.of("USD"), D("1.2"))
    for code, rate, message in [
        ("XXY", None, "currency 'XXY' is not an ISO 4217 code"),
        ("USD", D(0), "currencyRate must be more than 0"),
        ("EUR", D(2), "currencyRate must be 1 for the main currency EUR"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            invoice_currency(books, code, rate)
        assert refused.value.message == message
    assert refused.value.text("de") == "currencyRate muss für die Hauptwährung EUR 1 sein"
    assert payment_rate(None, D("1.5")) == D("1.5") and payment_rate(D(2), D("1.5")) == D(2)
    with pytest.raises(ValidationFailed, match="more than 0"):
        payment_rate(D(-1), D(1))
