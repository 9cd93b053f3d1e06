"""The contract lifecycle's transitions and the termination rules (subscriptions issue:
termination after the end, revoking an ended contract, ordinary to the earliest end)."""

from __future__ import annotations

from datetime import date

import pytest

from beleg.domain.catalog.intervals import Interval, IntervalUnit
from beleg.domain.contracts.lifecycle import (
    Action,
    ContractStatus,
    TerminationRequest,
    TerminationType,
    after,
    check_allowed,
    termination_end,
)
from beleg.domain.contracts.terms import Terms
from beleg.domain.errors import Conflict, ValidationFailed

TERMS = Terms(
    start=date(2026, 1, 1),
    minimum=Interval(IntervalUnit.MONTH, 12),
    renewal=Interval(IntervalUnit.MONTH, 12),
    notice=Interval(IntervalUnit.MONTH, 3),
    billing=Interval(IntervalUnit.MONTH, 1),
)


def test_the_lifecycle_paths() -> None:
    assert after(ContractStatus.DRAFT, Action.ACTIVATE) is ContractStatus.ACTIVE
    assert after(ContractStatus.ACTIVE, Action.TERMINATE) is ContractStatus.TERMINATED
    assert after(ContractStatus.TERMINATED, Action.REVOKE) is ContractStatus.ACTIVE
    assert after(ContractStatus.TERMINATED, Action.END) is ContractStatus.ENDED
    assert after(ContractStatus.DRAFT, Action.CANCEL) is ContractStatus.CANCELLED
    check_allowed(ContractStatus.CANCELLED, Action.DELETE)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (ContractStatus.ENDED, Action.REVOKE),
        (ContractStatus.ACTIVE, Action.REVOKE),
        (ContractStatus.ACTIVE, Action.DELETE),
        (ContractStatus.ENDED, Action.TERMINATE),
        (ContractStatus.ACTIVE, Action.ACTIVATE),
    ],
)
def test_a_transition_from_the_wrong_status_is_a_conflict_naming_status(
    status: ContractStatus, action: Action
) -> None:
    with pytest.raises(Conflict) as raised:
        check_allowed(status, action)
    assert (raised.value.code, raised.value.field) == ("contracts.action_not_allowed", "status")
    assert status.value in raised.value.message


def test_ordinary_termination_ends_at_the_earliest_end() -> None:
    request = TerminationRequest(TerminationType.ORDINARY, None, date(2026, 5, 1))
    assert termination_end(request, terms=TERMS, current_end=None) == date(2026, 12, 31)
    late = TerminationRequest(TerminationType.ORDINARY, None, date(2026, 10, 2))
    assert termination_end(late, terms=TERMS, current_end=None) == date(2027, 12, 31)
    early = TerminationRequest(TerminationType.ORDINARY, date(2026, 6, 30), date(2026, 5, 1))
    with pytest.raises(ValidationFailed) as raised:
        termination_end(early, terms=TERMS, current_end=None)
    assert raised.value.field == "date"


@pytest.mark.parametrize(
    ("day", "current_end", "code"),
    [
        (None, None, "contracts.termination_date_required"),
        (date(2025, 12, 31), None, "contracts.termination_before_start"),
        (date(2026, 8, 1), date(2026, 7, 31), "contracts.termination_after_end"),
    ],
)
def test_extraordinary_termination_rules(
    day: date | None, current_end: date | None, code: str
) -> None:
    request = TerminationRequest(TerminationType.EXTRAORDINARY, day, date(2026, 3, 5))
    with pytest.raises(ValidationFailed) as raised:
        termination_end(request, terms=TERMS, current_end=current_end)
    assert (raised.value.code, raised.value.field) == (code, "date")


def test_extraordinary_termination_on_any_day() -> None:
    request = TerminationRequest(TerminationType.EXTRAORDINARY, date(2026, 3, 10), date(2026, 3, 5))
    assert termination_end(request, terms=TERMS, current_end=None) == date(2026, 3, 10)
