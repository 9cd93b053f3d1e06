"""Billing groups and the tenant's billing settings (spec/billing-api.md "Billing group";
seeds 000 and 001).

A billing group decides how a run puts charges on documents:
- ``split_by_original_period`` (off by default, seed 000): charges of service periods from
  different billing periods go on separate invoices, even in one run.
- ``late_usage_handling``: usage that arrives for a period already billed changes that period's
  quantity. ``CORRECTION`` credits the billed usage line with a credit note and bills the new
  quantity on a new invoice at once; ``CARRY_OVER`` holds both back until the contract's next
  regular invoice and puts them on it, or bills them at once when the contract has no billing
  period left (seed 000).
Contracts without a billing group, or naming one that does not exist, are billed with the
defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from beleg.domain.catalog.options import check_code, check_text, choice

NAME_LIMIT = 200


class LateUsageHandling(StrEnum):
    CORRECTION = "CORRECTION"
    CARRY_OVER = "CARRY_OVER"


@dataclass(frozen=True, slots=True)
class BillingGroup:
    code: str
    name: str | None
    split_by_original_period: bool
    late_usage_handling: LateUsageHandling
    created_at: datetime
    updated_at: datetime


DEFAULT_SPLIT = False
DEFAULT_LATE_USAGE = LateUsageHandling.CORRECTION


@dataclass(frozen=True, slots=True)
class GroupRules:
    """How a run bills the contracts of one billing group."""

    split_by_original_period: bool = DEFAULT_SPLIT
    late_usage_handling: LateUsageHandling = DEFAULT_LATE_USAGE


def rules_of(group: BillingGroup | None) -> GroupRules:
    if group is None:
        return GroupRules()
    return GroupRules(group.split_by_original_period, group.late_usage_handling)


def checked_group(
    *,
    code: str,
    name: str | None,
    split_by_original_period: bool,
    late_usage_handling: str,
    now: datetime,
    created_at: datetime | None = None,
) -> BillingGroup:
    """A billing group with its code, name and late-usage mode checked (errors name the
    field)."""
    return BillingGroup(
        code=check_code(code),
        name=None if name is None else check_text(name, "name", NAME_LIMIT),
        split_by_original_period=split_by_original_period,
        late_usage_handling=choice(LateUsageHandling, late_usage_handling, "lateUsageHandling"),
        created_at=created_at or now,
        updated_at=now,
    )


@dataclass(frozen=True, slots=True)
class BillingSettings:
    """``scheduled_runs``: the scheduler bills the tenant every day on its clock (seed 001:
    a tenant-level switch, audited). ``scheduled_through``: the as-of date of the last
    scheduled run."""

    scheduled_runs: bool = False
    scheduled_through: date | None = None
