from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.journals import (
    JournalDraft,
    JournalType,
    Posting,
    main_currency_amounts,
    reversal,
)
from beleg.domain.ledger.numbering import journal_number, parse_journal_number
from beleg.domain.ledger.proportional import payment_share
from beleg.domain.ledger.tax import AmountType, LineAmounts, line_amounts
from beleg.money import Currency

EUR, USD, JPY = Currency.of("EUR"), Currency.of("USD"), Currency.of("JPY")
D = Decimal


def _draft(*amounts: str, currency: Currency = EUR, rate: str = "1") -> JournalDraft:
    postings = tuple(Posting(f"{4000 + i}", D(a)) for i, a in enumerate(amounts))
    return JournalDraft(JournalType.OUTGO, date(2020, 5, 4), currency, postings, D(rate))


# Seed 003 §3.1 worked examples.
@pytest.mark.parametrize(
    ("amount", "kind", "net", "tax", "total"),
    [
        ("12", "N", "12.00", "2.40", "14.40"),
        ("53.24", "N", "53.24", "10.65", "63.89"),
        ("106.48", "N", "106.48", "21.30", "127.78"),
        ("95.832", "N", "95.83", "19.17", "115.00"),
        ("114.96", "T", "95.80", "19.16", "114.96"),
        ("229.92", "T", "191.60", "38.32", "229.92"),
        ("100", "N", "100.00", "20.00", "120.00"),
        ("14.40", "G", "12.00", "2.40", "14.40"),
    ],
)
def test_seed_tax_vectors(amount: str, kind: str, net: str, tax: str, total: str) -> None:
    assert line_amounts(D(amount), kind, D(20), EUR) == LineAmounts(D(net), D(tax), D(total))


def test_tax_rejects_unknown_amount_type_and_negative_rate() -> None:
    with pytest.raises(ValidationFailed) as info:
        line_amounts(D(1), "X", D(20), EUR)
    assert info.value.field == "amountType"
    with pytest.raises(ValidationFailed):
        line_amounts(D(1), AmountType.NET, D(-1), EUR)


def test_journal_must_balance_exactly() -> None:
    _draft("14.40", "-12.00", "-2.40")
    with pytest.raises(ValidationFailed, match="does not balance"):
        _draft("14.40", "-12.00", "-2.39")
    with pytest.raises(ValidationFailed, match="two postings"):
        _draft("0.00")
    with pytest.raises(ValidationFailed, match="more decimals"):
        _draft("1.005", "-1.005")
    with pytest.raises(ValidationFailed, match="no amount"):
        _draft("1", "-1", "0")
    with pytest.raises(ValidationFailed, match="rate"):
        _draft("1", "-1", rate="0")


def test_main_currency_example_of_the_seed() -> None:
    # USD invoice, rate 2: a payment of 14.40 is 28.80 in the main currency (§3.3).
    assert main_currency_amounts(_draft("14.40", "-14.40", currency=USD, rate="2"), EUR) == [
        D("28.80"),
        D("-28.80"),
    ]


def test_main_currency_rounding_is_residue_free() -> None:
    amounts = main_currency_amounts(_draft("0.01", "0.01", "0.01", "-0.03", rate="0.5"), EUR)
    assert sum(amounts) == 0
    assert amounts[-1] == D("-0.02")  # 0.03 x 0.5 = 0.015 -> 0.02, split 0.01 + 0.01 + 0.00
    assert sorted(amounts[:3]) == [D("0.00"), D("0.01"), D("0.01")]


def test_reversal_negates_and_references() -> None:
    original = _draft("14.40", "-12.00", "-2.40")
    storno = reversal(original, booking_date=date(2020, 6, 1), number="A2020 15")
    assert [p.amount for p in storno.postings] == [D("-14.40"), D("12.00"), D("2.40")]
    assert storno.reverses == "A2020 15" and storno.booking_date == date(2020, 6, 1)


def test_journal_numbers() -> None:
    assert journal_number(JournalType.OUTGO, 2020, 15) == "A2020 15"
    assert parse_journal_number("U2020 2") == (JournalType.REBOOK, 2020, 2)
    assert parse_journal_number("U2020 02") is None
    assert parse_journal_number("ER2020 1") is None


def test_seed_partial_payment_example() -> None:
    # 12 N @20 % (14.40); 10.00 paid first, then 4.40 (§3.3 A.3).
    first = payment_share(
        [D("12.00"), D("2.40")], paid_before=D(0), payment=D("10.00"), currency=EUR
    )
    second = payment_share(
        [D("12.00"), D("2.40")], paid_before=D("10.00"), payment=D("4.40"), currency=EUR
    )
    assert first == [D("8.33"), D("1.67")] and second == [D("3.67"), D("0.73")]
    with pytest.raises(ValidationFailed, match="exceeds"):
        payment_share([D("12.00"), D("2.40")], paid_before=D("10"), payment=D("4.41"), currency=EUR)


cents = st.integers(min_value=1, max_value=10**9).map(lambda c: D(c).scaleb(-2))


@given(
    components=st.lists(cents, min_size=1, max_size=8),
    cuts=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=6),
)
def test_proportional_shares_sum_to_the_invoice(components: list[D], cuts: list[int]) -> None:
    total = sum(components)
    weights_total = sum(cuts)
    payments, paid = [], D(0)
    for cut in cuts[:-1]:
        amount = (total * cut / weights_total).quantize(D("0.01"), rounding="ROUND_FLOOR")
        if amount > 0:
            payments.append(amount)
            paid += amount
    payments.append(total - paid)
    booked, paid = [D(0)] * len(components), D(0)
    for payment in (p for p in payments if p > 0):
        share = payment_share(components, paid_before=paid, payment=payment, currency=EUR)
        assert sum(share) == payment
        booked = [b + s for b, s in zip(booked, share, strict=True)]
        paid += payment
    assert booked == components


@given(
    amounts=st.lists(st.integers(min_value=1, max_value=10**8), min_size=1, max_size=6),
    rate=st.decimals(min_value=D("0.0001"), max_value=D("1000"), places=4),
    currency=st.sampled_from([EUR, USD, JPY]),
)
def test_main_currency_journals_always_balance(
    amounts: list[int], rate: D, currency: Currency
) -> None:
    debits = [D(a).scaleb(-currency.minor_units) for a in amounts]
    credit = -sum(debits)
    draft = JournalDraft(
        JournalType.REBOOK,
        date(2026, 1, 1),
        currency,
        (*(Posting("1", d) for d in debits), Posting("2", credit)),
        rate,
    )
    main = main_currency_amounts(draft, EUR)
    assert sum(main) == 0
    for amount, converted in zip([*debits, credit], main, strict=True):
        assert abs(converted - amount * rate) <= D("0.01") * len(amounts)
