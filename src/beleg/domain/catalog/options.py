"""Options: the billable things of a plan (spec/billing-api.md, "Option")."""

from __future__ import annotations

from enum import StrEnum


class OptionKind(StrEnum):
    """How an option is charged: once, every period, or by the usage of the period."""

    ONE_TIME = "ONE_TIME"
    RECURRING = "RECURRING"
    USAGE = "USAGE"
    TIME_BASED_USAGE = "TIME_BASED_USAGE"

    @property
    def is_usage(self) -> bool:
        """Usage is always billed in arrears, for the quantity the period's events add up to."""
        return self in (OptionKind.USAGE, OptionKind.TIME_BASED_USAGE)


class Aggregation(StrEnum):
    """How a period's usage events add up to one quantity."""

    SUM = "SUM"
    COUNT = "COUNT"
    MAX = "MAX"
    UNIQUE_COUNT = "UNIQUE_COUNT"
    LATEST = "LATEST"
