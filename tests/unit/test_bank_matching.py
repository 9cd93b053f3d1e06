"""Matching bank lines to open items (domain.banking.matching; ADR 0026)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.banking.matching import (
    BankLine,
    Candidates,
    OpenItem,
    Outcome,
    Rule,
    match_line,
)

CUSTOMER, OTHER = uuid.uuid4(), uuid.uuid4()
IBAN = "DE02120300000000202051"


def item(number: str, remaining: str, **extra: object) -> OpenItem:
    values: dict[str, object] = {
        "document_id": uuid.uuid4(),
        "doc_type": "INVOICE",
        "number": number,
        "customer_id": CUSTOMER,
        "remaining": Decimal(remaining),
        "currency": "EUR",
        "sign": 1,
        "doc_date": date(2026, 6, 1),
        **extra,
    }
    return OpenItem(**values)  # type: ignore[arg-type]


def credit(amount: str, text: str = "", **extra: object) -> BankLine:
    return BankLine(Decimal(amount), "EUR", text, **extra)  # type: ignore[arg-type]


def test_one_transfer_pays_three_invoices_named_in_the_text() -> None:
    items = [item("RE-1001", "100.00"), item("RE-1002", "50.50"), item("RE-1003", "9.49")]
    found = match_line(
        credit("159.99", "Rechnungen RE-1001, RE-1002 und re-1003"), Candidates.of(items)
    )
    assert found.outcome is Outcome.FULL and found.rule is Rule.DOCUMENT_NUMBERS
    assert [a.amount for a in found.assignments] == [
        Decimal("100.00"),
        Decimal("50.50"),
        Decimal("9.49"),
    ]


def test_named_invoices_that_do_not_add_up_are_only_suggested() -> None:
    items = [item("RE-1001", "100.00"), item("RE-1002", "50.50")]
    found = match_line(
        credit("120.00", "RE-1001 RE-1002", counterparty_iban=IBAN), Candidates.of(items)
    )
    assert found.outcome is Outcome.SUGGESTED and not found.assignments
    assert {s.item.number for s in found.suggestions} == {"RE-1001", "RE-1002"}


def test_partial_and_over_payment_of_one_named_invoice() -> None:
    partial = match_line(credit("40", "RE-1"), Candidates.of([item("RE-1", "100")]))
    assert partial.outcome is Outcome.PARTIAL and partial.assignments[0].amount == Decimal(40)
    over = match_line(credit("130", "RE-1"), Candidates.of([item("RE-1", "100")]))
    assert over.outcome is Outcome.OVERPAID
    assert (over.assignments[0].amount, over.assignments[0].on_account) == (
        Decimal(100),
        Decimal(30),
    )


def test_end_to_end_id_of_a_collection() -> None:
    collected = item("RE-7", "19.99", end_to_end_ids=frozenset({"E2E-RE-7"}))
    found = match_line(
        credit("19.99", "SEPA Lastschrift", end_to_end_id="E2E-RE-7"), Candidates.of([collected])
    )
    assert found.rule is Rule.END_TO_END_ID and found.assignments[0].item == collected


def test_reference_takes_the_newest_of_equal_amounts_else_nothing() -> None:
    ref = frozenset({"A-77"})
    old = item("RE-1", "50", references=ref, doc_date=date(2026, 5, 1))
    new = item("RE-2", "50", references=ref, doc_date=date(2026, 6, 1))
    other = item("RE-3", "70", references=ref)
    found = match_line(credit("50", "Auftrag A-77"), Candidates.of([old, new, other]))
    assert found.rule is Rule.REFERENCE and found.assignments[0].item == new
    twin = item("RE-4", "50", references=ref, doc_date=date(2026, 6, 1))
    tied = match_line(credit("50", "Auftrag A-77"), Candidates.of([old, new, twin]))
    assert tied.outcome is Outcome.SUGGESTED and not tied.assignments


def test_reference_filters_by_direction() -> None:
    ref = frozenset({"A-77"})
    memo = item("GS-1", "50", references=ref, sign=-1, doc_type="CREDIT_MEMO")
    found = match_line(credit("50", "A-77"), Candidates.of([memo]))
    assert found.outcome is Outcome.SUGGESTED and not found.suggestions


def test_amount_and_iban_needs_exactly_one_item() -> None:
    ibans = frozenset({IBAN})
    one = [item("RE-1", "25", ibans=ibans), item("RE-2", "30", ibans=ibans)]
    found = match_line(credit("25", "Danke", counterparty_iban=IBAN), Candidates.of(one))
    assert found.rule is Rule.AMOUNT_AND_IBAN and found.assignments[0].item.number == "RE-1"
    two = [item("RE-1", "25", ibans=ibans), item("RE-2", "25", ibans=ibans)]
    assert not match_line(credit("25", "", counterparty_iban=IBAN), Candidates.of(two)).assignments


def test_debit_pays_a_credit_memo_only_in_full() -> None:
    memo = item("GS-1", "20", sign=-1, doc_type="CREDIT_MEMO")
    assert (
        match_line(BankLine(Decimal(-20), "EUR", "GS-1"), Candidates.of([memo])).outcome
        is Outcome.FULL
    )
    assert not match_line(BankLine(Decimal(-15), "EUR", "GS-1"), Candidates.of([memo])).assignments


def test_paid_items_are_not_assigned_again() -> None:
    candidates = Candidates.of([item("RE-1", "10")])
    first = match_line(credit("10", "RE-1"), candidates)
    candidates.paid(first.assignments[0])
    assert not match_line(credit("10", "RE-1"), candidates).assignments


AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2)


@st.composite
def cases(draw: st.DrawFn) -> tuple[BankLine, list[OpenItem]]:
    count = draw(st.integers(min_value=1, max_value=6))
    items = [
        item(
            f"RE-{n}",
            str(draw(AMOUNTS)),
            ibans=frozenset({IBAN}) if draw(st.booleans()) else frozenset(),
            references=frozenset({"A-1"}) if draw(st.booleans()) else frozenset(),
            doc_date=date(2026, 1, draw(st.integers(min_value=1, max_value=3))),
            customer_id=draw(st.sampled_from([CUSTOMER, OTHER])),
        )
        for n in range(count)
    ]
    named = draw(st.lists(st.sampled_from([i.number for i in items]), max_size=4))
    amount = draw(st.one_of(AMOUNTS, st.sampled_from([i.remaining for i in items])))
    text = " ".join(named + (["A-1"] if draw(st.booleans()) else []))
    return credit(str(amount), text, counterparty_iban=IBAN), items


@given(cases())
def test_assignments_never_exceed_and_always_add_up_to_the_line(
    case: tuple[BankLine, list[OpenItem]],
) -> None:
    line, items = case
    found = match_line(line, Candidates.of(items))
    paid = sum((a.amount for a in found.assignments), Decimal(0))
    excess = sum((a.on_account for a in found.assignments), Decimal(0))
    assert paid <= line.amount
    if found.assignments:
        assert paid + excess == line.amount
        assert all(0 < a.amount <= a.item.remaining for a in found.assignments)
        assert len({a.item.document_id for a in found.assignments}) == len(found.assignments)
    else:
        assert found.outcome is Outcome.SUGGESTED


@given(cases())
def test_ambiguous_cases_never_assign(case: tuple[BankLine, list[OpenItem]]) -> None:
    line, items = case
    twins = [
        *items,
        *[
            item(
                i.number + "X",
                str(i.remaining),
                ibans=i.ibans,
                references=i.references,
                doc_date=i.doc_date,
            )
            for i in items
        ],
    ]
    found = match_line(
        BankLine(line.amount, "EUR", "A-1", counterparty_iban=IBAN), Candidates.of(twins)
    )
    # every item has a twin of the same amount, date, IBAN and reference: nothing decides
    assert not found.assignments


def test_numbers_written_with_spaces_are_found() -> None:
    items = [item("R 2026 1", "10"), item("R 2026 12", "20")]
    found = match_line(credit("20", "Rechnung R 2026 12 vom Juni"), Candidates.of(items))
    assert [a.item.number for a in found.assignments] == ["R 2026 12"]
