"""Dunning rules (ADR 0027): due levels, stops, exclusions, fees; properties with hypothesis."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.documents.dunning import (
    Candidate,
    Level,
    checked_as_of,
    due_items,
    fee_of,
    next_level,
    plan_notices,
)
from beleg.domain.errors import ValidationFailed
from beleg.formats.pdf.dunning import notice_pdf, notice_view
from beleg.formats.pdf.model import Seller

DUE = date(2026, 6, 1)


def level(number: int, days: int = 14, fee: str = "5.00", pct: str = "0") -> Level:
    return Level(uuid.uuid4(), number, days, Decimal(fee), Decimal(pct), "s", "l", "e", "2650")


LEVELS = (level(1, 14, "0.00"), level(2, 14, "5.00"), level(3, 7, "10.00"))


def item(**changes: object) -> Candidate:
    base = Candidate(uuid.uuid4(), "R 1", uuid.uuid4(), "EUR", DUE, Decimal("119.00"), 0, None)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_level_one_is_due_the_levels_days_after_the_due_date() -> None:
    assert next_level(item(), LEVELS, DUE + timedelta(days=13)) is None
    assert next_level(item(), LEVELS, DUE + timedelta(days=14)) == LEVELS[0]


def test_later_levels_count_from_the_previous_notice() -> None:
    dunned = item(last_level=1, last_notice=date(2026, 6, 20))
    assert next_level(dunned, LEVELS, date(2026, 7, 3)) is None
    assert next_level(dunned, LEVELS, date(2026, 7, 4)) == LEVELS[1]


def test_stops_blocks_collections_and_the_last_level() -> None:
    late = DUE + timedelta(days=100)
    assert next_level(item(remaining=Decimal(0)), LEVELS, late) is None
    assert next_level(item(blocked=True), LEVELS, late) is None
    assert next_level(item(collecting_until=late), LEVELS, late) is None
    assert next_level(item(collecting_until=late - timedelta(days=1)), LEVELS, late) is not None
    assert next_level(item(last_level=3, last_notice=DUE), LEVELS, late) is None


def test_deposit_invoices_only_when_included() -> None:
    deposit = item(deposit=True)
    late = DUE + timedelta(days=30)
    assert due_items([deposit], LEVELS, late, include_deposits=False) == []
    assert len(due_items([deposit], LEVELS, late, include_deposits=True)) == 1


def test_fee_is_fixed_plus_percentage_rounded_once() -> None:
    assert fee_of(level(1, fee="2.50", pct="1.5"), Decimal("333.33"), "EUR") == Decimal("7.50")


def test_one_notice_per_customer_at_its_highest_level() -> None:
    who = uuid.uuid4()
    due = due_items(
        [
            item(customer_id=who),
            item(customer_id=who, last_level=1, last_notice=DUE),
        ],
        LEVELS,
        DUE + timedelta(days=30),
        include_deposits=False,
    )
    (notice,) = plan_notices(due)
    assert notice.level == LEVELS[1]
    assert notice.fee == Decimal("5.00")
    assert notice.total == Decimal("238.00")


def test_as_of_lies_within_a_year_up_to_today() -> None:
    today = date(2026, 12, 4)
    assert checked_as_of(today, today) == today
    for bad in (today + timedelta(days=1), today - timedelta(days=400)):
        with pytest.raises(ValidationFailed) as raised:
            checked_as_of(bad, today)
        assert raised.value.field == "asOf"


def _apply(items: list[Candidate], day: date) -> tuple[list[Candidate], int]:
    """One run on ``day``: the due items move up one level, noticed that day."""
    found = due_items(items, LEVELS, day, include_deposits=False)
    due = {d.candidate.document_id: d.level for d in found}
    after = [
        replace(i, last_level=due[i.document_id].number, last_notice=day)
        if i.document_id in due
        else i
        for i in items
    ]
    return after, len(due)


candidates = st.builds(
    item,
    due_date=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    remaining=st.decimals(Decimal(0), Decimal(1000), places=2),
    blocked=st.booleans(),
)


@given(st.lists(candidates, max_size=8), st.lists(st.integers(0, 60), min_size=1, max_size=8))
def test_a_second_run_on_the_same_day_adds_nothing_and_levels_rise_by_one(
    items: list[Candidate], gaps: list[int]
) -> None:
    day = date(2026, 1, 1)
    for gap in gaps:
        day += timedelta(days=gap)
        before = {i.document_id: i.last_level for i in items}
        items, _ = _apply(items, day)
        for i in items:
            assert i.last_level - before[i.document_id] in (0, 1)
            assert i.last_level <= len(LEVELS)
        items, again = _apply(items, day)
        assert again == 0


def test_the_notice_prints_its_items_fee_and_total_in_german() -> None:
    notice = {
        "currency": "EUR",
        "dunnedAmount": Decimal("119.00"),
        "fee": Decimal("5.00"),
        "customerName": "Alpha GmbH",
        "subject": "1. Mahnung",
        "number": "M2026-3",
        "noticeDate": date(2026, 7, 14),
        "lineText": "Bitte zahlen Sie",
        "endText": "Mit freundlichen Grüßen",
        "items": [{"documentNumber": "R 1", "dueDate": DUE, "remainingAmount": Decimal("119.00")}],
    }
    view = notice_view(notice, Seller("Beleg GmbH", ("Hauptstr. 1",)), "de")
    assert (view["fee"], view["total"]) == ("5,00\xa0€", "124,00\xa0€")
    assert view["items"] == [{"number": "R 1", "due": "01.06.2026", "amount": "119,00\xa0€"}]
    assert view["labels"]["fee"] == "Mahngebühr"
    assert notice_pdf(notice, Seller("Beleg GmbH", ()), "en").startswith(b"%PDF")
