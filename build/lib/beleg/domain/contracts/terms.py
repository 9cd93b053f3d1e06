"""Contract terms: minimum term, renewal, notice and the earliest end (seeds 001/002).

A contract runs its minimum term from its start, then renews by its renewal term until it is
terminated. Renewal term 0 means no automatic renewal: after the minimum term nothing more is
charged, yet the contract stays active and is not terminated (seed 002). An ordinary
termination ends the contract at the earliest term end the notice period reaches: notice given
on day ``T`` reaches the end ``E`` when ``T + notice <= E`` (the period starts the day after the
notice and ends on the same day of the month, BGB §§ 187(1), 188(2)-(3): notice on 30.09. with
three months reaches 31.12., notice on 01.10. does not). Without a
minimum term, every billing period's end is a term end. All dates are inclusive local dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from beleg.domain.catalog.intervals import Interval, IntervalUnit, add_months

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Terms:
    """The term rules of a contract (from its plan): ``minimum`` and ``renewal`` may have
    count 0 (none); ``billing`` is the billing interval, the term without a minimum term."""

    start: date
    minimum: Interval
    renewal: Interval
    notice: Interval
    billing: Interval

    @property
    def minimum_term_end(self) -> date | None:
        """The last day of the minimum term, or None when there is none."""
        if self.minimum.count == 0:
            return None
        return self.minimum.after(self.start) - ONE_DAY

    def charged_until(self) -> date | None:
        """The last day that is charged without a termination: the end of the minimum term
        when the contract does not renew, else None (open)."""
        if self.renewal.count == 0:
            return self.minimum_term_end
        return None

    def term_ends(self) -> Iterator[date]:
        """Every day a term ends, in order (endless for renewing contracts). Each end is
        counted from the start, never from the previous end, so month ends stay month ends
        as the service periods do (31.01. + 1, 2, 3 months: 27.02., 30.03., 29.04.)."""
        first = self.minimum if self.minimum.count else self.billing
        yield first.after(self.start) - ONE_DAY
        if self.renewal.count == 0 and self.minimum.count:
            return
        step = self.renewal if self.renewal.count else self.billing
        times = 1
        while True:
            yield _boundary(self.start, first, step, times) - ONE_DAY
            times += 1

    def earliest_end(self, notice_given: date) -> date:
        """The earliest last day of service for an ordinary termination given on
        ``notice_given``: the first term end the notice reaches; past a minimum term without
        renewal, the end of that term (nothing is charged after it)."""
        reached = self.notice.after(notice_given)
        ends = self.term_ends()
        end = next(ends)  # the first term always ends
        while end < reached:
            later = next(ends, None)
            if later is None:
                return end
            end = later
        return end


def _boundary(start: date, first: Interval, step: Interval, times: int) -> date:
    """The day after the ``times``-th renewal: start + first + times × step, in months from
    the start when both are months or years (clamped once), else step by step."""
    months = (_months(first), _months(step))
    if months[0] is not None and months[1] is not None:
        return add_months(start, months[0] + times * months[1])
    return step.after(first.after(start), times)


def _months(interval: Interval) -> int | None:
    if interval.unit is IntervalUnit.MONTH:
        return interval.count
    if interval.unit is IntervalUnit.YEAR:
        return 12 * interval.count
    return None
