"""Drafts the platform issues itself (domain/documents/drafts.py): their amounts under both
tax rounding modes, and the checks a draft must pass."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.documents.drafts import (
    DocumentDraft,
    DraftLine,
    DraftSetup,
    draft_document,
    line_amounts,
)
from beleg.domain.documents.model import State, TaxRounding, TypeCode
from beleg.domain.documents.parties import party_of
from beleg.domain.documents.setup import Language, LayoutSetup, PaymentTerm
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.charts.at_ekr import AT_EKR
from beleg.domain.numbering.counters import DocumentType
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import Currency, round_to_currency

EUR = Currency.of("EUR")
D = Decimal
BOOKS = TenantBooks(
    uuid.uuid4(), AccountingMode.DE, AT_EKR, EUR, {a.code: a for a in AT_EKR.accounts}
)
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_vat_group_rounds_once_where_lines_would_round_three_times() -> None:
    nets, rates = [D("0.04")] * 3, [D(19)] * 3
    per_line = line_amounts(nets, rates, EUR, TaxRounding.PER_LINE)
    per_group = line_amounts(nets, rates, EUR, TaxRounding.PER_VAT_GROUP)
    assert [a.tax for a in per_line] == [D("0.01"), D("0.01"), D("0.01")]  # 0.0076 each
    assert [a.tax for a in per_group] == [D("0.01"), D("0.01"), D("0.00")]  # 0.0228 -> 0.02
    assert [a.total for a in per_group] == [D("0.05"), D("0.05"), D("0.04")]


def test_each_rate_is_its_own_group() -> None:
    nets = [D("10.00"), D("0.05"), D("0.05"), D("33.33")]
    rates = [D(20), D(10), D(10), D(20)]
    amounts = line_amounts(nets, rates, EUR, TaxRounding.PER_VAT_GROUP)
    assert [a.tax for a in amounts] == [D("2.00"), D("0.01"), D("0.00"), D("6.67")]
    assert sum(a.tax for a in amounts) == D("8.68")  # 43.33 x 20 % = 8.666 -> 8.67; 0.01


nets = st.lists(
    st.decimals(min_value=D("-500"), max_value=D("5000"), places=2, allow_nan=False),
    min_size=1,
    max_size=15,
)
rates = st.sampled_from([D(0), D(7), D(10), D(13), D(19), D(20)])


@given(nets=nets, data=st.data())
def test_group_taxes_are_the_rounded_group_sums_and_stay_within_a_cent_per_line(
    nets: list[Decimal], data: st.DataObject
) -> None:
    line_rates = [data.draw(rates) for _ in nets]
    amounts = line_amounts(nets, line_rates, EUR, TaxRounding.PER_VAT_GROUP)
    for rate in set(line_rates):
        group = [i for i, r in enumerate(line_rates) if r == rate]
        exact = sum((nets[i] * rate / 100 for i in group), D(0))
        assert sum(amounts[i].tax for i in group) == round_to_currency(exact, EUR)
        for i in group:
            assert abs(amounts[i].tax - nets[i] * rate / 100) < D("0.01")
    for net, amount in zip(nets, amounts, strict=True):
        assert amount.net == net and amount.total == net + amount.tax


@given(nets=nets, rate=rates)
def test_per_line_rounds_every_line(nets: list[Decimal], rate: Decimal) -> None:
    amounts = line_amounts(nets, [rate] * len(nets), EUR, TaxRounding.PER_LINE)
    assert [a.tax for a in amounts] == [round_to_currency(n * rate / 100, EUR) for n in nets]


def _setup() -> DraftSetup:
    term = PaymentTerm(uuid.uuid4(), "14 Tage netto", due_days=14, dunning_days=14)
    texts = {"INVOICE": {"de": {"description": "Wir verrechnen:", "footer": "Danke."}}}
    layout = LayoutSetup(uuid.uuid4(), "Standard", Language.DE, texts)
    return DraftSetup(term, layout, uuid.uuid4())


def _draft(*lines: DraftLine, doc_type: DocumentType = DocumentType.INVOICE) -> DocumentDraft:
    return DocumentDraft(doc_type, date(2026, 12, 1), lines, customer_name="Kunde GmbH")


LINE = DraftLine("Abo Dezember", D(3), D("9.99"), "4000", "020")


def test_a_draft_becomes_a_finalized_unnumbered_document() -> None:
    party = party_of(None, None, customer_name="Kunde GmbH", address_info=None)
    doc = draft_document(
        _draft(LINE, DraftLine("Nutzung", D("2.5"), D("0.12345"), "4000", "010")),
        books=BOOKS,
        party=party,
        setup=_setup(),
        index=0,
        now=NOW,
    )
    assert (doc.state, doc.number, doc.type_code, doc.sign) == (
        State.FINALIZED,
        None,
        TypeCode.INVOICE,
        1,
    )
    assert [(ln.net, ln.tax, ln.total) for ln in doc.lines] == [
        (D("29.97"), D("5.99"), D("35.96")),  # 29.97 x 20 % = 5.994
        (D("0.31"), D("0.03"), D("0.34")),  # 0.308625 -> 0.31; 10 % = 0.031
    ]
    assert (doc.net, doc.tax, doc.total, doc.remaining) == (
        D("30.28"),
        D("6.02"),
        D("36.30"),
        D("36.30"),
    )
    assert doc.tax_rounding is TaxRounding.PER_VAT_GROUP
    assert doc.unpaid_account == AT_EKR.receivables and doc.due_date == date(2026, 12, 15)
    assert (doc.texts["description"], doc.texts["footer"]) == ("Wir verrechnen:", "Danke.")


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (_draft(), "drafts[2].lines"),
        (_draft(DraftLine("x", D(1), D(1), "2000", "020")), "drafts[2].lines[0].account"),
        (_draft(DraftLine("x", D(1), D(1), "4000", "999")), "drafts[2].lines[0].taxClassEntry"),
        (
            _draft(DraftLine("x", D(1), D("0.123456"), "4000", "020")),
            "drafts[2].lines[0].unitPrice",
        ),
        (_draft(LINE, doc_type=DocumentType.OFFER), "drafts[2].type"),
    ],
)
def test_a_bad_draft_names_its_place_and_field(draft: DocumentDraft, field: str) -> None:
    party = party_of(None, None, customer_name="Kunde GmbH", address_info=None)
    with pytest.raises(ValidationFailed) as error:
        draft_document(draft, books=BOOKS, party=party, setup=_setup(), index=2, now=NOW)
    assert error.value.field == field
