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

from beleg.domain.catalog.intervals import Interval

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
        """Every day a term ends, in order (endless for renewing contracts)."""
        step = self.minimum if self.minimum.count else self.billing
        end = step.after(self.start) - ONE_DAY
        yield end
        renewal = self.renewal if self.renewal.count else None
        if renewal is None and self.minimum.count:
            return
        step = renewal or self.billing
        times = 1
        while True:
            yield step.after(end + ONE_DAY, times) - ONE_DAY
            times += 1

    def earliest_end(self, notice_given: date) -> date:
        """The earliest last day of service for an ordinary termination given on
        ``notice_given``: the first term end the notice reaches, or, past a minimum term
        without renewal, the day the notice period runs out."""
        reached = self.notice.after(notice_given)
        for end in self.term_ends():
            if end >= reached:
                return end
        # no renewal and the minimum term is over: the notice period alone decides
        return reached
