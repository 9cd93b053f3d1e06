"""Invoice and offer templates and their subscription schedule (seed 003 §3.4 "Templates",
§4.8, §4.18, §7 item 21).

A template stores a document as the client sent it plus ``templateName``; an invoice template
with ``templateInterval`` and ``templateIntervalType`` (set together) and ``nextInvoiceDate``
is a subscription. The n-th invoice of a subscription is dated ``nextInvoiceDate`` as set
(the anchor) + n intervals, counted from that anchor rather than from the previous date, so
31 January monthly gives 28 February and 31 March.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import DocumentType


class IntervalType(StrEnum):
    DAY = "DAY"
    MONTH = "MONTH"
    YEAR = "YEAR"


@dataclass(frozen=True, slots=True)
class DocumentTemplate:
    """A stored template: ``raw`` is the DTO as sent (echoed on reads), ``document`` the
    document input it produces (JSON, as the template service encodes it)."""

    id: uuid.UUID
    doc_type: DocumentType
    name: str
    interval: int | None
    interval_type: IntervalType | None
    next_invoice_date: date | None
    anchor_date: date | None  # the schedule's anchor: nextInvoiceDate as last set
    issued_count: int  # invoices issued since the anchor
    raw: Mapping[str, Any]
    document: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def subscription(self) -> bool:
        return self.interval is not None and self.interval_type is not None


def check_schedule(
    name: str | None,
    interval: int | None,
    interval_type: str | None,
    next_invoice_date: date | None,
) -> IntervalType | None:
    """A template needs a name; a subscription an interval of at least 1 of a known type
    and the date of its next invoice. Returns the interval type (None: no subscription)."""
    if not (name or "").strip():
        raise ValidationFailed("documents.template_name_required", field="templateName")
    if (interval is None) != (interval_type is None):
        raise ValidationFailed("documents.template_interval_incomplete", field="templateInterval")
    if interval is None or interval_type is None:
        return None
    if interval < 1 or interval_type not in IntervalType.__members__:
        raise ValidationFailed("documents.template_interval_invalid", field="templateIntervalType")
    if next_invoice_date is None:
        raise ValidationFailed("documents.template_next_date_required", field="nextInvoiceDate")
    return IntervalType(interval_type)


def scheduled_date(anchor: date, interval: int, interval_type: IntervalType, count: int) -> date:
    """The date of the invoice ``count`` intervals after ``anchor``. Months and years keep
    the anchor's day where the month has it and take the month's last day otherwise
    (31 January + 1 month = 28 or 29 February, 29 February + 1 year = 28 February)."""
    steps = interval * count
    if interval_type is IntervalType.DAY:
        return anchor + timedelta(days=steps)
    months = steps if interval_type is IntervalType.MONTH else 12 * steps
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return anchor.replace(
        year=year, month=month, day=min(anchor.day, calendar.monthrange(year, month)[1])
    )
