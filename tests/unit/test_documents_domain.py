"""Sales document rules without a database: line amounts, discounts, total discounts,
validation messages, normalisation, remaining amounts and corrections (hypothesis); the
document records and their payment state, parties, and the subscription schedule."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.documents.booking import sales_document_side
from beleg.domain.documents.deposits import agreed_deposits, agreed_total
from beleg.domain.documents.lines import LineSpec, compute_document, regular_line
from beleg.domain.documents.model import DiscountMode, HistoryType, LineType, State, TypeCode
from beleg.domain.documents.parties import Customer, CustomerAddress, display_name, party_of
from beleg.domain.documents.records import (
    DocumentLine,
    HistoryEntry,
    SalesDocument,
    cancellable_entry,
    check_completion_state,
    completed,
    payment_amount,
    require_issued,
    require_payable,
    with_entry,
    with_entry_cancelled,
    with_payment_state,
)
from beleg.domain.documents.settlement import (
    correctable,
    correction_amounts,
    line_remainders,
    parse_rest_type,
)
from beleg.domain.documents.templates import IntervalType, check_schedule, scheduled_date
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.ledger.charts import DEFAULT_CHART, chart_named
from beleg.domain.ledger.tax import AmountType
from beleg.domain.numbering.counters import CustomerType, DocumentType
from beleg.money import Currency, round_to_currency

EUR = Currency.of("EUR")
D = Decimal


def spec(
    price: str,
    qty: str = "1",
    *,
    kind: str = "N",
    discount: str = "0",
    mode: DiscountMode = DiscountMode.CONSTANT,
    rate: str = "20",
    line_type: LineType = LineType.LINE,
    index: int = 0,
    given: tuple[str | None, str | None, str | None] = (None, None, None),
) -> LineSpec:
    return LineSpec(
        index,
        line_type,
        D(qty),
        D(price),
        AmountType(kind),
        D(discount),
        mode,
        D(rate),
        (_decimal(given[0]), _decimal(given[1]), _decimal(given[2])),
    )


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else D(value)


def amounts(line: LineSpec) -> tuple[Decimal, Decimal, Decimal]:
    return regular_line(line, EUR).values()


def test_seed_examples() -> None:
    assert amounts(spec("53.24")) == (D("53.24"), D("10.65"), D("63.89"))
    assert amounts(spec("53.24", "2")) == (D("106.48"), D("21.30"), D("127.78"))
    assert amounts(spec("53.24", "2", discount="10", mode=DiscountMode.RATE)) == (
        D("95.83"),
        D("19.17"),
        D("115.00"),
    )


def test_discount_modes_on_net_and_gross_prices() -> None:
    assert amounts(spec("100", discount="10")) == (D("90.00"), D("18.00"), D("108.00"))
    assert amounts(spec("100", discount="12", mode=DiscountMode.CONSTANT_TOTAL)) == (
        D("90.00"),
        D("18.00"),
        D("108.00"),
    )
    assert amounts(spec("120", kind="T", discount="10")) == (D("90.00"), D("18.00"), D("108.00"))
    assert amounts(spec("120", kind="T", discount="12", mode=DiscountMode.CONSTANT_TOTAL)) == (
        D("90.00"),
        D("18.00"),
        D("108.00"),
    )
    with pytest.raises(ValidationFailed) as error:
        amounts(spec("10", discount="11"))
    assert error.value.field == "lines[0].discount"


def test_total_discount_applies_to_lines_of_its_rate_and_prepayments_subtract() -> None:
    lines = [
        spec("100", given=("100.00", "20.00", "120.00")),
        spec("50", rate="10", index=1, given=("50.00", "5.00", "55.00")),
        spec(
            "0",
            discount="10",
            mode=DiscountMode.RATE,
            line_type=LineType.TOTAL_DISCOUNT,
            index=2,
            given=("-10.00", "-2.00", "-12.00"),
        ),
        spec(
            "30",
            kind="T",
            rate="20",
            line_type=LineType.ON_ACCT,
            index=3,
            given=("-25.00", "-5.00", "-30.00"),
        ),
        spec("99", line_type=LineType.OFFER_OPTION, index=4, given=("99.00", "19.80", "118.80")),
    ]
    result = compute_document(
        lines,
        EUR,
        validate=True,
        normalize=False,
        given_totals=(D("115.00"), D("18.00"), D("133.00")),
    )
    assert result.totals.values() == (D("115.00"), D("18.00"), D("133.00"))


def test_mismatch_names_line_expected_and_given() -> None:
    with pytest.raises(ValidationFailed) as error:
        compute_document(
            [spec("53.24", "2", given=("106.49", "21.30", "127.79"))],
            EUR,
            validate=True,
            normalize=False,
            given_totals=(D("106.49"), D("21.30"), D("127.79")),
        )
    assert error.value.field == "lines[0].netPrice"
    assert "106.49" in error.value.message and "106.48" in error.value.message


def test_staging_keeps_given_lines_and_normalize_moves_the_difference_to_the_last_line() -> None:
    staged = compute_document(
        [spec("23.65", kind="T", given=("12", "2.4", "14.4"))],
        EUR,
        validate=False,
        normalize=False,
        given_totals=(None,) * 3,
    )
    assert staged.totals.values() == (D("12"), D("2.4"), D("14.4"))
    lines = [
        spec("10", given=("10.00", "2.00", "12.00")),
        spec("10", index=1, given=("10.00", "2.00", "12.00")),
    ]
    normal = compute_document(
        lines, EUR, validate=True, normalize=True, given_totals=(D("20.01"), D("4.00"), D("24.01"))
    )
    assert normal.lines[1].values() == (D("10.01"), D("2.00"), D("12.01"))


@given(
    st.lists(st.integers(min_value=1, max_value=100_000), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=100),
)
def test_line_remainders_sum_to_the_remaining_amount(cents: list[int], percent: int) -> None:
    totals = [D(c) / 100 for c in cents]
    total = sum(totals, D(0))
    remaining = (total * percent / 100).quantize(D("0.01"))
    shares = line_remainders(totals, [True] * len(totals), remaining, total, EUR)
    assert sum(shares, D(0)) == remaining
    assert all(D(0) <= s <= t for s, t in zip(shares, totals, strict=True))


@given(
    st.integers(min_value=1, max_value=10_000_000),
    st.lists(st.integers(min_value=1, max_value=5_000_000), max_size=12),
    st.sampled_from(["20", "10", "13", "0", "19", "7"]),
)
def test_corrections_never_exceed_the_line(line_cents: int, attempts: list[int], rate: str) -> None:
    line_total = D(line_cents) / 100
    corrected = D(0)
    for cents in attempts:
        amount = D(cents) / 100
        available = correctable(line_total, corrected)
        if amount > available.remaining:
            with pytest.raises(ValidationFailed):
                correction_amounts(amount, available, D(rate), EUR)
            continue
        split = correction_amounts(amount, available, D(rate), EUR)
        assert split.net + split.tax == split.total == amount
        corrected += split.total
        assert correctable(line_total, corrected).remaining == line_total - corrected
    assert D(0) <= corrected <= line_total


# --- records: a document with its lines and history (domain.documents.records) ----------

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _line(no: int, total: str, *, line_type: LineType = LineType.LINE) -> DocumentLine:
    gross = D(total)
    net = round_to_currency(gross / D("1.2"), EUR)
    return DocumentLine(
        line_no=no,
        line_type=line_type,
        item_id=None,
        quantity=D(1),
        item_price=gross,
        item_price_type=AmountType.TOTAL,
        discount=D(0),
        discount_mode=DiscountMode.CONSTANT,
        account="4000",
        tax_entry="020",
        tax_rate=D(20),
        net=net,
        tax=gross - net,
        total=gross,
        remaining=gross if line_type.counted else D(0),
        texts={},
    )


def _document(*lines: DocumentLine, doc_type: DocumentType = DocumentType.INVOICE) -> SalesDocument:
    total = sum((ln.total for ln in lines if ln.line_type.counted), D(0))
    return SalesDocument(
        id=uuid.uuid4(),
        doc_type=doc_type,
        state=State.FINALIZED,
        number="R 2026 1",
        type_code=TypeCode.INVOICE,
        sign=1,
        doc_date=date(2026, 3, 1),
        due_date=None,
        dunning_date=None,
        paid_date=None,
        customer_id=None,
        customer_name="Test GmbH",
        currency=EUR,
        currency_rate=D(1),
        net=sum((ln.net for ln in lines if ln.line_type.counted), D(0)),
        tax=sum((ln.tax for ln in lines if ln.line_type.counted), D(0)),
        total=total,
        remaining=total,
        payment_term_id=None,
        layout_setup_id=None,
        sequence_group_id=None,
        unpaid_account="2000",
        journal_id=None,
        completion_state=None,
        completion_date=None,
        cancelled_date=None,
        related_id=None,
        source_id=None,
        deposit_settled_by=None,
        texts={},
        created_at=NOW,
        updated_at=NOW,
        lines=lines,
    )


def _entry(doc: SalesDocument, amount: str, kind: HistoryType = HistoryType.PAYED) -> HistoryEntry:
    return HistoryEntry(
        id=uuid.uuid4(),
        position=len(doc.history) + 1,
        entry_type=kind,
        is_payment=True,
        entry_date=date(2026, 3, 5),
        amount=D(amount),
        created_at=NOW,
    )


def test_payment_state_follows_the_standing_payments() -> None:
    doc = _document(
        _line(1, "60.00"), _line(2, "40.00"), _line(3, "5.00", line_type=LineType.OFFER_OPTION)
    )
    first = _entry(doc, "30.00")
    doc = with_entry(doc, first)
    later = NOW.replace(hour=13)
    partly = with_payment_state(doc, day=date(2026, 3, 5), now=later)
    assert (partly.remaining, partly.paid_date, partly.updated_at) == (D("70.00"), None, later)
    assert [ln.remaining for ln in partly.lines] == [D("42.00"), D("28.00"), D(0)]
    paid = with_payment_state(
        with_entry(partly, _entry(partly, "70.00")), day=date(2026, 3, 6), now=later
    )
    assert (paid.remaining, paid.paid_date) == (D(0), date(2026, 3, 6))
    assert [ln.remaining for ln in paid.lines] == [D(0), D(0), D(0)]
    reopened = with_payment_state(with_entry_cancelled(paid, first.id), day=None, now=later)
    assert (reopened.remaining, reopened.paid_date) == (D("30.00"), None)
    assert reopened.settled() == D("70.00") and len(reopened.active_payments()) == 1
    assert doc.history == (first,)  # records never change: every step is a new one


def test_a_cancelled_document_has_nothing_remaining() -> None:
    doc = replace(_document(_line(1, "10.00")), state=State.CANCELLED)
    assert with_payment_state(doc, day=date(2026, 3, 5), now=NOW).remaining == 0
    with pytest.raises(Conflict, match="the document is CANCELLED, not FINALIZED or EXTERNAL"):
        require_issued(doc)


def test_payment_amount_and_cancellable_entries() -> None:
    invoice = _document(_line(1, "50.00"))
    assert payment_amount(invoice, D("20.00"), on_account=False) == D("20.00")
    with pytest.raises(ValidationFailed, match=r"at most the remaining 50\.00 EUR"):
        payment_amount(invoice, D("60.00"), on_account=False)
    assert payment_amount(invoice, D("60.00"), on_account=True) == D("60.00")
    memo = replace(invoice, doc_type=DocumentType.CREDIT_MEMO)
    assert payment_amount(memo, None, on_account=False) == D("50.00")  # paid out whole
    with pytest.raises(ValidationFailed, match="only invoices and credit memos are paid"):
        require_payable(replace(invoice, doc_type=DocumentType.OFFER))
    entry = _entry(invoice, "20.00")
    paid = with_entry(invoice, entry)
    assert cancellable_entry(paid, entry.id) is entry
    with pytest.raises(Conflict, match="already cancelled"):
        cancellable_entry(with_entry_cancelled(paid, entry.id), entry.id)
    with pytest.raises(NotFound, match="does not exist on this document") as missing:
        cancellable_entry(paid, uuid.uuid4())
    assert missing.value.text("de") == "Zahlung nicht gefunden."


def test_completion_states_and_final_ones() -> None:
    offer = replace(_document(_line(1, "10.00")), doc_type=DocumentType.OFFER)
    with pytest.raises(
        ValidationFailed, match="completionState must be ACCEPTED or REJECTED"
    ) as bad:
        check_completion_state(DocumentType.OFFER, "DONE")
    assert bad.value.text("de") == "completionState muss ACCEPTED oder REJECTED sein"
    accepted = completed(offer, "ACCEPTED", day=date(2026, 3, 2), now=NOW)
    assert (accepted.completion_state, accepted.completion_date) == ("ACCEPTED", date(2026, 3, 2))
    with pytest.raises(Conflict, match="the document is already ACCEPTED"):
        completed(accepted, "REJECTED", day=date(2026, 3, 3), now=NOW)
    order = replace(offer, doc_type=DocumentType.ORDER_CONFIRMATION)
    started = completed(order, "IN_PROGRESS", day=date(2026, 3, 2), now=NOW)
    assert completed(started, "DONE", day=date(2026, 3, 3), now=NOW).completion_state == "DONE"


def test_rest_types() -> None:
    assert parse_rest_type(None) is None and parse_rest_type("") is None
    assert parse_rest_type("DISCOUNT") is HistoryType.DISCOUNT
    with pytest.raises(ValidationFailed, match="restType must be one of DISCOUNT, CORRECTION"):
        parse_rest_type("PAYED")


# --- parties (domain.documents.parties) ------------------------------------------------


def test_party_of_a_customer_an_address_and_an_override() -> None:
    customer = Customer(
        uuid.uuid4(), "Test GmbH", "20001", {"companyName": "Test GmbH", "country": "AT"}
    )
    address = CustomerAddress(uuid.uuid4(), False, {"city": "Graz", "country": "DE"})
    party = party_of(customer, address, customer_name="ignored", address_info=None)
    assert (party.customer_id, party.name, party.contra_account) == (
        customer.id,
        "Test GmbH",
        "20001",
    )
    assert party.address == {"companyName": "Test GmbH", "country": "DE", "city": "Graz"}
    assert (party.additional_address, party.customer_type, party.country) == (
        address.id,
        CustomerType.COMPANY,
        "DE",
    )
    assert party.address_info == {}
    info = {"firstName": "Max", "lastName": "Mustermann", "city": "", "country": "AT"}
    override = party_of(customer, None, customer_name=None, address_info=info)
    assert (override.name, override.customer_type) == ("Max Mustermann", CustomerType.PERSON)
    assert (
        override.address
        == override.address_info
        == {
            "firstName": "Max",
            "lastName": "Mustermann",
            "country": "AT",
        }
    )
    ignored = party_of(None, None, customer_name="Laufkunde", address_info={"city": "Wien"})
    assert (ignored.name, ignored.address, ignored.customer_type) == ("Laufkunde", {}, None)
    assert display_name({"companyName": "A GmbH", "lastName": "B"}) == "A GmbH, B"


def test_a_customers_stored_type_decides_company_or_person() -> None:
    """Issue 13: the customer type is stored, not inferred from the company name."""
    sole_trader = Customer(
        uuid.uuid4(), "Eva Muster e.U.", None, {"companyName": "Muster e.U."}, "B2C"
    )
    assert party_of(sole_trader, None, customer_name=None, address_info=None).customer_type is (
        CustomerType.PERSON
    )
    firm = Customer(uuid.uuid4(), "Muster", None, {"lastName": "Muster"}, "B2B")
    assert party_of(firm, None, customer_name=None, address_info=None).customer_type is (
        CustomerType.COMPANY
    )


# --- templates: the subscription schedule (domain.documents.templates) ----------------


@pytest.mark.parametrize(
    ("interval_type", "unit"),
    [(IntervalType.DAY, "days"), (IntervalType.MONTH, "months"), (IntervalType.YEAR, "years")],
)
@given(
    anchor=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    interval=st.integers(1, 14),
    count=st.integers(0, 40),
)
def test_scheduled_dates_count_from_the_anchor(
    interval_type: IntervalType, unit: str, anchor: date, interval: int, count: int
) -> None:
    expected = anchor + relativedelta(**{unit: interval * count})
    assert scheduled_date(anchor, interval, interval_type, count) == expected


def test_month_ends_stay_month_ends() -> None:
    anchor = date(2026, 1, 31)
    dates = [scheduled_date(anchor, 1, IntervalType.MONTH, n) for n in range(1, 4)]
    assert dates == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert scheduled_date(date(2028, 2, 29), 1, IntervalType.YEAR, 1) == date(2029, 2, 28)


def test_template_schedule_checks() -> None:
    assert check_schedule("Abo", None, None, None) is None
    assert check_schedule("Abo", 1, "MONTH", date(2026, 1, 31)) is IntervalType.MONTH
    cases = [
        (("", None, None, None), "templateName is required"),
        (("Abo", 1, None, None), "must be set together"),
        (("Abo", 0, "MONTH", date(2026, 1, 1)), "at least 1 and templateIntervalType DAY"),
        (("Abo", 1, "WEEK", date(2026, 1, 1)), "at least 1 and templateIntervalType DAY"),
        (("Abo", 1, "DAY", None), "nextInvoiceDate is required for a subscription"),
    ]
    for args, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            check_schedule(*args)


# --- deposits and what a document books (domain.documents.deposits, .booking) ---------


def test_agreed_deposits_are_checked_against_the_order_total() -> None:
    texts = {"deposits": [{"amount": "30", "description": "Anzahlung"}, {"amount": 20}]}
    checked = agreed_deposits(texts, D("100.00"))
    assert checked == [{"amount": "30", "description": "Anzahlung"}, {"amount": "20"}]
    assert agreed_total({"deposits": checked}) == D(50) and agreed_total({}) == 0
    with pytest.raises(ValidationFailed, match=r"deposits exceed the order total 40\.00"):
        agreed_deposits(texts, D("40.00"))
    with pytest.raises(ValidationFailed, match=r"deposits\[0\]\.amount must be more than 0"):
        agreed_deposits({"deposits": [{"amount": "0"}]}, D(10))


def test_a_document_books_its_counted_lines_by_account_and_entry() -> None:
    chart = chart_named(DEFAULT_CHART["AT"])  # 4000: revenue, 20 % (entry 020)
    lines = (
        _line(1, "60.00"),
        _line(2, "40.00"),
        _line(3, "5.00", line_type=LineType.OFFER_OPTION),
    )
    side = sales_document_side(_document(*lines), chart)
    assert side.total == D("100.00")  # the optional offer line is not booked
