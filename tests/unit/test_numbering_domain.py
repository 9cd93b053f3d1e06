"""Document numbers (seed 003 §3.4 "R 2020 4"; seed 000 rule priority; seed 001 counter vs
strategy affixes): formatting, periods, width, placeholders, validation and rule choice."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg import messages
from beleg.domain.documents.setup import PaymentTerm, check_payment_term, dunning_fee_account
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.charts import CHARTS
from beleg.domain.numbering.counters import (
    DOCUMENT_NAMES,
    Affixes,
    AffixSource,
    CounterConfig,
    CounterReset,
    CustomerType,
    DocumentType,
    NumberingContext,
    NumberRule,
    SequenceBase,
    check_counter,
    check_rule,
    default_counter,
    expand,
    format_number,
    period_key,
    pick_counter,
)

DAY = date(2026, 11, 7)


@pytest.mark.parametrize(
    ("reset", "key"),
    [
        (CounterReset.NEVER, "-"),
        (CounterReset.YEARLY, "2026"),
        (CounterReset.MONTHLY, "2026-11"),
    ],
)
def test_period_keys(reset: CounterReset, key: str) -> None:
    assert period_key(reset, DAY) == key
    assert (
        period_key(reset, date(2026, 1, 31))
        == {"-": "-", "2026": "2026", "2026-11": "2026-01"}[key]
    )


def test_seed_003_annual_numbers() -> None:
    invoice = default_counter(DocumentType.INVOICE, SequenceBase.ANNUAL)
    assert invoice.reset is CounterReset.YEARLY
    assert format_number(invoice, 4, date(2020, 5, 1)) == "R 2020 4"
    expected = {
        DocumentType.CREDIT_MEMO: "G 2020 1",
        DocumentType.DELIVERY_NOTE: "L 2020 1",
        DocumentType.OFFER: "AN 2020 1",
        DocumentType.ORDER_CONFIRMATION: "AB 2020 1",
    }
    for kind, number in expected.items():
        assert (
            format_number(default_counter(kind, SequenceBase.ANNUAL), 1, date(2020, 5, 1)) == number
        )


def test_permanent_groups_have_no_year_and_never_reset() -> None:
    counter = default_counter(DocumentType.INVOICE, SequenceBase.PERMANENT)
    assert counter.reset is CounterReset.NEVER
    assert format_number(counter, 17, DAY) == "R 17"


@pytest.mark.parametrize(
    ("width", "value", "text"),
    [
        (0, 7, "7"),
        (1, 7, "7"),
        (4, 7, "0007"),
        (4, 12345, "12345"),
        (6, 0, "000000"),
    ],
)
def test_width_pads_with_zeros_but_never_cuts(width: int, value: int, text: str) -> None:
    assert format_number(CounterConfig(width=width), value, DAY) == text


def test_placeholders_in_prefix_and_suffix() -> None:
    config = CounterConfig(prefix="RE-{yyyy}/{mm}-", suffix="/{yy}", width=3)
    assert format_number(config, 5, DAY) == "RE-2026/11-005/26"
    assert expand("{yy}{mm}", date(2009, 2, 1)) == "0902"
    assert expand("no placeholder", DAY) == "no placeholder"


def test_test_mode_prefix() -> None:
    config = CounterConfig(prefix="R {yyyy} ")
    assert format_number(config, 1, DAY, test_mode=True) == "TEST-R 2026 1"


def test_the_longest_number_fits_80_characters() -> None:
    config = check_counter(CounterConfig(prefix="P" * 25, suffix="S" * 25, width=18, start=10**15))
    assert len(format_number(config, 10**18 - 1, DAY, test_mode=True)) <= 80


def test_affix_source_toggle() -> None:
    strategy = Affixes(prefix="S-{yyyy}-", suffix="-X")
    own = CounterConfig(prefix="C-", suffix="", affix_source=AffixSource.COUNTER)
    assert format_number(own, 3, DAY, strategy=strategy) == "C-3"
    legacy = CounterConfig(prefix="C-", affix_source=AffixSource.STRATEGY)
    assert format_number(legacy, 3, DAY, strategy=strategy) == "S-2026-3-X"
    assert format_number(legacy, 3, DAY, strategy=None) == "3"


@pytest.mark.parametrize(
    ("config", "field"),
    [
        (CounterConfig(prefix="{year}"), "prefix"),
        (CounterConfig(suffix="{yyyy"), "suffix"),
        (CounterConfig(prefix="x" * 26), "prefix"),
        (CounterConfig(width=-1), "width"),
        (CounterConfig(width=19), "width"),
        (CounterConfig(start=-1), "start"),
        (CounterConfig(reset="WEEKLY"), "reset"),  # type: ignore[arg-type]
        (CounterConfig(affix_source="BOTH"), "affixSource"),  # type: ignore[arg-type]
    ],
)
def test_bad_counter_configurations_name_the_field(config: CounterConfig, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_counter(config)
    assert caught.value.field == field
    assert caught.value.text("de") != caught.value.text("en")  # a German text exists


def test_rule_checks_normalise_and_name_the_field() -> None:
    rule = check_rule(NumberRule(1, "c", country=" at ", billing_group="  "), 0)
    assert rule.country == "AT" and rule.billing_group is None
    with pytest.raises(ValidationFailed) as caught:
        check_rule(NumberRule(1, "c", country="XX"), 2)
    assert caught.value.field == "rules.2.country"
    with pytest.raises(ValidationFailed) as caught:
        check_rule(NumberRule(1, "c", customer_type="ROBOT"), 0)  # type: ignore[arg-type]
    assert caught.value.field == "rules.0.customerType"


def test_pick_counter_by_conditions_and_priority() -> None:
    rules = [
        NumberRule(1, "any"),
        NumberRule(5, "germany", country="DE"),
        NumberRule(9, "german-companies", country="DE", customer_type=CustomerType.COMPANY),
        NumberRule(7, "site-b", operating_site="B"),
        NumberRule(3, "offers", doc_type=DocumentType.OFFER),
    ]
    invoice = DocumentType.INVOICE
    assert pick_counter(rules, NumberingContext(invoice, country="AT")) == "any"
    assert pick_counter(rules, NumberingContext(invoice, country="de")) == "germany"
    assert (
        pick_counter(rules, NumberingContext(invoice, CustomerType.COMPANY, "DE"))
        == "german-companies"
    )
    assert (
        pick_counter(rules, NumberingContext(invoice, country="DE", operating_site="B")) == "site-b"
    )
    assert pick_counter(rules, NumberingContext(DocumentType.OFFER)) == "offers"
    assert pick_counter([], NumberingContext(invoice)) is None
    assert pick_counter([NumberRule(1, "x", country="DE")], NumberingContext(invoice)) is None


def test_equal_priorities_go_to_the_rule_created_first() -> None:
    rules = [NumberRule(2, "first"), NumberRule(2, "second"), NumberRule(1, "low")]
    assert pick_counter(rules, NumberingContext(DocumentType.INVOICE)) == "first"


CONDITIONS = {
    "customer_type": st.none() | st.sampled_from(list(CustomerType)),
    "country": st.none() | st.sampled_from(["AT", "DE", "CH"]),
    "billing_group": st.none() | st.sampled_from(["g1", "g2"]),
    "operating_site": st.none() | st.sampled_from(["s1", "s2"]),
}
RULES = st.lists(
    st.builds(
        NumberRule,
        priority=st.integers(-3, 3),
        counter_id=st.integers(),
        doc_type=st.none() | st.sampled_from(list(DocumentType)),
        **CONDITIONS,
    ),
    max_size=12,
)
CONTEXTS = st.builds(NumberingContext, doc_type=st.sampled_from(list(DocumentType)), **CONDITIONS)


@given(RULES, CONTEXTS)
def test_the_picked_rule_is_the_highest_priority_matching_one(
    rules: list[NumberRule], context: NumberingContext
) -> None:
    rules = [
        NumberRule(
            r.priority,
            index,
            r.doc_type,
            r.customer_type,
            r.country,
            r.billing_group,
            r.operating_site,
        )
        for index, r in enumerate(rules)
    ]
    matching = [r for r in rules if r.matches(context)]
    picked = pick_counter(rules, context)
    if not matching:
        assert picked is None
        return
    best = max(r.priority for r in matching)
    assert picked == min(r.counter_id for r in matching if r.priority == best)
    chosen = rules[picked]
    for condition, actual in (
        (chosen.country, context.country),
        (chosen.customer_type, context.customer_type),
        (chosen.billing_group, context.billing_group),
        (chosen.operating_site, context.operating_site),
        (chosen.doc_type, context.doc_type),
    ):
        assert condition is None or condition == actual


@given(st.integers(0, 10**12), st.integers(0, 18), st.dates())
def test_the_number_is_readable_back(value: int, width: int, day: date) -> None:
    text = format_number(CounterConfig(prefix="R {yyyy} ", width=width), value, day)
    head, digits = text.rsplit(" ", 1)
    assert head == f"R {day.year:04d}" and int(digits) == value and len(digits) >= width


def test_payment_term_dates_and_checks() -> None:
    term = PaymentTerm(id=None, name="14 Tage", due_days=14, dunning_days=21)  # type: ignore
    assert term.due_date(date(2018, 12, 31)) == date(2019, 1, 14)
    assert PaymentTerm(None, "5", 5, 5).due_date(date(2018, 12, 31)) == date(2019, 1, 5)  # type: ignore
    assert term.dunning_date(date(2020, 1, 1)) == date(2020, 1, 22)
    assert check_payment_term({"name": "x", "due_days": 3})["dunning_days"] == 3
    for values, field in (
        ({"name": "", "due_days": 1}, "name"),
        ({"name": "x", "due_days": -1}, "dueDays"),
        ({"name": "x", "due_days": 1, "dunning_days": 4000}, "dunningDays"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            check_payment_term(values)
        assert caught.value.field == field


@pytest.mark.parametrize(
    ("chart", "account"), [("AT-EKR", "4880"), ("SKR03", "2650"), ("SKR04", "7100")]
)
def test_dunning_fees_go_to_a_zero_rate_revenue_account(chart: str, account: str) -> None:
    code, entry = dunning_fee_account(CHARTS[chart])
    assert (code, entry) == (account, "000")
    assert entry in CHARTS[chart].account(code).tax_codes


def test_every_document_type_has_a_name_for_its_default_counters() -> None:
    # the counters a sequence group creates are named "Rechnungen (Standard)", ... in German
    german = {t: messages.text(DOCUMENT_NAMES[t], "de") for t in DocumentType}
    assert german == {
        DocumentType.INVOICE: "Rechnungen",
        DocumentType.CREDIT_MEMO: "Gutschriften",
        DocumentType.DELIVERY_NOTE: "Lieferscheine",
        DocumentType.OFFER: "Angebote",
        DocumentType.ORDER_CONFIRMATION: "Auftragsbestätigungen",
    }
    assert messages.text("numbering.default_group_name", "de") == "Standard"
    assert (
        messages.text("numbering.default_counter_name", "de", documents="Angebote", group="X")
        == "Angebote (X)"
    )
