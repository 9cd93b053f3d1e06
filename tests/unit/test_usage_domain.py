"""The pure rules of usage (domain/usage): the shape of an event, its check against contract
and option, duplicates, the hours of time-based usage and the aggregations, with properties:
a window split in two adds up to the whole (SUM, COUNT), cancelled events never count, a
duplicate is never counted twice."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beleg.domain.catalog.options import Aggregation, OptionKind
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.errors import ValidationFailed
from beleg.domain.usage.aggregation import (
    Reading,
    Totals,
    UsageWindow,
    aggregate,
    from_totals,
    window_bounds,
)
from beleg.domain.usage.batch import batch_events, parse_events, split_duplicates
from beleg.domain.usage.checks import check_event, duration_hours, resolve_contract
from beleg.domain.usage.events import EventInput, Rejection, parse_event
from beleg.domain.usage.records import ContractService, UsageEvent, UsageOption

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CONTRACT = ContractService(
    id=uuid.uuid4(),
    number="1000",
    customer_id=uuid.uuid4(),
    status=ContractStatus.ACTIVE,
    start=date(2026, 5, 1),
    end=None,
    options=frozenset({"API_CALLS", "CPU_HOURS", "BASE"}),
)
API_CALLS = UsageOption("API_CALLS", OptionKind.USAGE, Aggregation.SUM)
CPU_HOURS = UsageOption("CPU_HOURS", OptionKind.TIME_BASED_USAGE, None)


def raw(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "e-1",
        "contract": "1000",
        "option": "API_CALLS",
        "quantity": "10",
        "timestamp": "2026-05-10T12:00:00+02:00",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def parsed(**fields: object) -> EventInput:
    result = parse_event(0, raw(**fields), "events[0].")
    assert isinstance(result, EventInput), result
    return result


def rejected_field(**fields: object) -> str:
    result = parse_event(4, raw(**fields), "events[4].")
    assert isinstance(result, Rejection), result
    assert result.index == 4
    return result.field


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"quantity": "-1"}, "events[4].quantity"),
        ({"quantity": -0.5}, "events[4].quantity"),
        ({"quantity": "1e3"}, "events[4].quantity"),
        ({"quantity": "1.1234567"}, "events[4].quantity"),
        ({"quantity": True}, "events[4].quantity"),
        ({"quantity": "1000000000000"}, "events[4].quantity"),
        ({"id": ""}, "events[4].id"),
        ({"id": "x" * 101}, "events[4].id"),
        ({"id": None}, "events[4].id"),
        ({"option": "bad code"}, "events[4].option"),
        ({"contract": None}, "events[4].contract"),
        ({"customer": "K-1"}, "events[4].contract"),
        ({"timestamp": "2026-05-10"}, "events[4].timestamp"),
        ({"timestamp": "2026-05-10T12:00:00"}, "events[4].timestamp"),
        ({"timestamp": "1800-05-10T12:00:00Z"}, "events[4].timestamp"),
        ({"timestamp": None}, "events[4].timestamp"),
        ({"start": "2026-05-10T12:00:00Z"}, "events[4].timestamp"),
        ({"timestamp": None, "start": "2026-05-10T12:00:00Z"}, "events[4].end"),
        (
            {"timestamp": None, "start": "2026-05-10T12:00:00Z", "end": "2026-05-10T11:59:59Z"},
            "events[4].end",
        ),
        ({"properties": [1]}, "events[4].properties"),
        ({"properties": {"a": None}}, "events[4].properties.a"),
        ({"properties": {"a": "x" * 501}}, "events[4].properties.a"),
        ({"properties": {"a": float("nan")}}, "events[4].properties.a"),
        ({"colour": "red"}, "events[4].colour"),
    ],
)
def test_an_event_of_the_wrong_shape_is_rejected_naming_its_field(
    fields: dict[str, object], field: str
) -> None:
    assert rejected_field(**fields) == field


def test_quantities_are_exact_decimals_from_strings_and_numbers() -> None:
    assert parsed(quantity="0.000001").quantity == Decimal("0.000001")
    assert parsed(quantity=0.1).quantity == Decimal("0.1")
    assert parsed(quantity=12).quantity == Decimal(12)
    assert parsed(quantity=None).quantity is None
    assert parse_event(0, "text", "events[0].") == Rejection(
        0, "events[0]", "usage.event_not_object"
    )
    assert parse_event(0, "text", "").field == "body"  # type: ignore[union-attr]


def test_the_hours_of_time_based_usage_are_rounded_half_up_to_six_places() -> None:
    start = datetime(2026, 5, 10, 10, tzinfo=UTC)
    assert duration_hours(start, start + timedelta(minutes=90)) == Decimal("1.500000")
    assert duration_hours(start, start + timedelta(minutes=20)) == Decimal("0.333333")
    assert duration_hours(start, start + timedelta(minutes=40)) == Decimal("0.666667")
    # 0.0000005 h = 1.8 ms: exactly half a unit of the last place rounds up
    assert duration_hours(start, start + timedelta(microseconds=1800)) == Decimal("0.000001")
    assert duration_hours(start, start + timedelta(microseconds=1799)) == Decimal("0.000000")


def checked(
    event: EventInput, option: UsageOption | None, contract: ContractService = CONTRACT
) -> UsageEvent | Rejection:
    return check_event(event, contract, option, zone=BERLIN, received_at=NOW)


def test_an_event_is_checked_against_its_contract_and_option() -> None:
    ok = checked(parsed(), API_CALLS)
    assert isinstance(ok, UsageEvent) and ok.quantity == Decimal(10)
    assert checked(parsed(), None).field == "events[0].option"  # type: ignore[union-attr]
    base = UsageOption("BASE", OptionKind.RECURRING, None)
    assert checked(parsed(option="BASE"), base).code == "usage.option_not_usage"  # type: ignore[union-attr]
    other = UsageOption("OTHER", OptionKind.USAGE, Aggregation.SUM)
    assert checked(parsed(option="OTHER"), other).code == "usage.option_not_on_contract"  # type: ignore[union-attr]
    cpu = checked(parsed(option="CPU_HOURS"), CPU_HOURS)
    assert cpu.field == "events[0].start"  # type: ignore[union-attr]
    hours = parsed(
        option="CPU_HOURS",
        timestamp=None,
        quantity=None,
        start="2026-05-10T10:00:00Z",
        end="2026-05-10T12:15:00Z",
    )
    assert checked(hours, CPU_HOURS).quantity == Decimal("2.250000")  # type: ignore[union-attr]
    draft = ContractService(**{**_fields(CONTRACT), "status": ContractStatus.DRAFT})
    assert checked(parsed(), API_CALLS, draft).code == "usage.contract_not_served"  # type: ignore[union-attr]


def _fields(contract: ContractService) -> dict[str, object]:
    return {name: getattr(contract, name) for name in ContractService.__slots__}


def test_the_service_bounds_are_local_days() -> None:
    ended = ContractService(
        **{**_fields(CONTRACT), "status": ContractStatus.ENDED, "end": date(2026, 5, 31)}
    )
    assert isinstance(
        checked(parsed(timestamp="2026-05-01T00:00:00+02:00"), API_CALLS, ended), UsageEvent
    )
    before = checked(parsed(timestamp="2026-04-30T23:59:59+02:00"), API_CALLS, ended)
    assert before.code == "usage.before_service"  # type: ignore[union-attr]
    assert isinstance(
        checked(parsed(timestamp="2026-05-31T21:59:59Z"), API_CALLS, ended), UsageEvent
    )
    closed = checked(parsed(timestamp="2026-05-31T22:00:00Z"), API_CALLS, ended)
    assert (closed.field, closed.code) == ("events[0].timestamp", "usage.period_closed")  # type: ignore[union-attr]


def test_a_customer_resolves_to_its_one_running_contract_with_the_option() -> None:
    other = ContractService(
        **{**_fields(CONTRACT), "id": uuid.uuid4(), "options": frozenset({"X"})}
    )
    event = parsed(contract=None, customer="K-1")
    assert resolve_contract(event, {}, {"K-1": [CONTRACT, other]}) == CONTRACT
    twice = resolve_contract(event, {}, {"K-1": [CONTRACT, CONTRACT]})
    assert twice.code == "usage.customer_contracts"  # type: ignore[union-attr]
    none = resolve_contract(event, {}, {})
    assert (none.field, none.code) == ("events[0].customer", "usage.customer_no_contract")  # type: ignore[union-attr]
    by_id = parsed(contract=str(CONTRACT.id).upper())
    assert resolve_contract(by_id, {str(CONTRACT.id): CONTRACT}, {}) == CONTRACT


def test_the_batch_body_is_a_list_of_at_most_ten_thousand_events() -> None:
    assert batch_events({"events": []}) == []
    with pytest.raises(ValidationFailed) as too_many:
        batch_events({"events": [{}] * 10_001})
    assert too_many.value.field == "events" and too_many.value.params["limit"] == 10_000
    with pytest.raises(ValidationFailed) as unknown:
        batch_events({"events": [], "more": 1})
    assert unknown.value.field == "more"


ids = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=20)


@given(ids, st.sets(st.sampled_from(["a", "b", "c"])))
def test_a_duplicate_is_reported_once_and_never_checked_twice(
    batch: list[str], stored: set[str]
) -> None:
    fresh, duplicates = split_duplicates([{"id": i} for i in batch], batch, stored)
    fresh_ids = [item["id"] for _, item in fresh]  # type: ignore[index]
    assert len(fresh_ids) == len(set(fresh_ids))
    assert set(fresh_ids) == set(batch) - stored
    assert set(duplicates) == {i for n, i in enumerate(batch) if i in stored or i in batch[:n]}
    assert len(duplicates) == len(set(duplicates))
    parsed_events, rejected = parse_events(fresh, batch=True)
    assert not parsed_events or rejected  # no contract, option or time: each is refused


readings = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=30 * 24 * 60),
        st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False),
        st.booleans(),
    ),
    max_size=40,
)
START = datetime(2026, 5, 1, tzinfo=BERLIN)


def _readings(items: list[tuple[int, Decimal, bool]]) -> list[tuple[Reading, bool]]:
    return [
        (Reading(START + timedelta(minutes=m), NOW, f"e{n}", q), cancelled)
        for n, (m, q, cancelled) in enumerate(items)
    ]


@given(readings, st.integers(min_value=0, max_value=30 * 24 * 60))
def test_a_window_split_in_two_adds_up_to_the_whole(
    items: list[tuple[int, Decimal, bool]], cut: int
) -> None:
    active = [r for r, cancelled in _readings(items) if not cancelled]
    split = START + timedelta(minutes=cut)
    left = [r for r in active if r.occurred_at < split]
    right = [r for r in active if r.occurred_at >= split]
    for way in (Aggregation.SUM, Aggregation.COUNT):
        whole = aggregate(way, active) or Decimal(0)
        assert whole == (aggregate(way, left) or 0) + (aggregate(way, right) or 0)
    whole_max = aggregate(Aggregation.MAX, active)
    parts = [
        q
        for q in (aggregate(Aggregation.MAX, left), aggregate(Aggregation.MAX, right))
        if q is not None
    ]
    assert whole_max == (max(parts) if parts else None)


@given(readings)
def test_cancelled_events_never_count(items: list[tuple[int, Decimal, bool]]) -> None:
    events = _readings(items)
    active = [r for r, cancelled in events if not cancelled]
    assert aggregate(Aggregation.COUNT, active) == (Decimal(len(active)) if active else None)


def test_each_aggregation_of_a_window() -> None:
    at = datetime(2026, 5, 2, tzinfo=UTC)
    events = [
        Reading(at, NOW, "a", Decimal("3"), "anna"),
        Reading(at + timedelta(hours=1), NOW, "b", Decimal("1.5"), "ben"),
        Reading(at + timedelta(hours=1), NOW, "c", Decimal("2"), "anna"),
        Reading(at - timedelta(hours=1), NOW, "d", Decimal("9"), 1),
        Reading(at - timedelta(hours=1), NOW, "e", Decimal("9"), 1.0),
    ]
    assert aggregate(Aggregation.SUM, events) == Decimal("24.5")
    assert aggregate(Aggregation.COUNT, events) == 5
    assert aggregate(Aggregation.MAX, events) == 9
    assert aggregate(Aggregation.UNIQUE_COUNT, events) == 3  # anna, ben, 1 (= 1.0)
    assert aggregate(Aggregation.LATEST, events) == 2  # ties on occurred_at: greatest id
    assert aggregate(Aggregation.SUM, []) is None
    totals = Totals(Decimal("24.5"), 5, Decimal(9))
    assert [
        from_totals(w, totals) for w in (Aggregation.SUM, Aggregation.COUNT, Aggregation.MAX)
    ] == [Decimal("24.5"), 5, 9]


def test_a_window_is_its_local_days() -> None:
    window = UsageWindow(uuid.uuid4(), "X", date(2026, 3, 1), date(2026, 3, 31))
    first, after = window_bounds(window, BERLIN)
    assert first.astimezone(UTC) == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert after.astimezone(UTC) == datetime(2026, 3, 31, 22, tzinfo=UTC)  # summer time
