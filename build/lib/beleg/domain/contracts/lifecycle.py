"""A contract's lifecycle: draft -> active -> terminated -> ended, and cancelled (seeds 001/002).

- ``activate``: a draft starts being served and billed;
- ``cancel``: a draft that will never run;
- ``terminate``: an active contract gets its last day of service; ordinary to the earliest end
  its terms allow, extraordinary on any day from its start until its current end;
- ``revoke``: a terminated contract becomes active again while it has not ended (a correction
  already issued for the termination is not undone);
- ``end``: a terminated contract whose last day of service has passed (fired by the clock).

A contract whose minimum term ran out without renewal (renewal term 0) stays ACTIVE: it is
simply not charged any more (seed 002).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from beleg.domain.contracts.terms import Terms
from beleg.domain.errors import Conflict, ValidationFailed


class ContractStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    TERMINATED = "TERMINATED"
    ENDED = "ENDED"
    CANCELLED = "CANCELLED"


class Action(StrEnum):
    ACTIVATE = "activate"
    CANCEL = "cancel"
    TERMINATE = "terminate"
    REVOKE = "revoke-termination"
    END = "end"
    DELETE = "delete"


_FROM: dict[Action, tuple[ContractStatus, ...]] = {
    Action.ACTIVATE: (ContractStatus.DRAFT,),
    Action.CANCEL: (ContractStatus.DRAFT,),
    Action.TERMINATE: (ContractStatus.ACTIVE,),
    Action.REVOKE: (ContractStatus.TERMINATED,),
    Action.END: (ContractStatus.TERMINATED,),
    Action.DELETE: (ContractStatus.DRAFT, ContractStatus.CANCELLED),
}
_TO: dict[Action, ContractStatus] = {
    Action.ACTIVATE: ContractStatus.ACTIVE,
    Action.CANCEL: ContractStatus.CANCELLED,
    Action.TERMINATE: ContractStatus.TERMINATED,
    Action.REVOKE: ContractStatus.ACTIVE,
    Action.END: ContractStatus.ENDED,
}


def after(status: ContractStatus, action: Action) -> ContractStatus:
    """The status ``action`` leads to from ``status``; a 409 naming ``status`` when the
    action is not allowed from it."""
    check_allowed(status, action)
    return _TO[action]


def check_allowed(status: ContractStatus, action: Action) -> None:
    """A 409 naming ``status`` unless ``action`` is allowed from it (DELETE: the contract
    is gone afterwards, so it has no status to lead to)."""
    allowed = _FROM[action]
    if status not in allowed:
        raise Conflict(
            "contracts.action_not_allowed",
            field="status",
            action=action.value,
            status=status.value,
            allowed=", ".join(s.value for s in allowed),
        )


class TerminationType(StrEnum):
    ORDINARY = "ORDINARY"
    EXTRAORDINARY = "EXTRAORDINARY"


@dataclass(frozen=True, slots=True)
class TerminationRequest:
    """``date`` is the requested last day of service; ``given_on`` the day notice is given."""

    type: TerminationType
    date: dt.date | None
    given_on: dt.date


def termination_end(request: TerminationRequest, *, terms: Terms, current_end: date | None) -> date:
    """The last day of service a termination sets. Ordinary: the earliest end the terms allow
    for notice given on ``given_on`` (a given ``date`` must not be earlier); extraordinary:
    the given ``date``, on or after the start and not after the current end."""
    if request.type is TerminationType.ORDINARY:
        earliest = terms.earliest_end(request.given_on)
        if request.date is not None and request.date < earliest:
            raise ValidationFailed(
                "contracts.termination_before_earliest_end",
                field="date",
                date=request.date.isoformat(),
                earliest=earliest.isoformat(),
            )
        end = request.date or earliest
    else:
        if request.date is None:
            raise ValidationFailed("contracts.termination_date_required", field="date")
        end = request.date
    if end < terms.start:
        raise ValidationFailed(
            "contracts.termination_before_start", field="date", start=terms.start.isoformat()
        )
    if current_end is not None and end > current_end:
        raise ValidationFailed(
            "contracts.termination_after_end", field="date", end=current_end.isoformat()
        )
    return end
