"""What a sales invoice or credit memo books (seed 003 §3.4 "bookings posted to the ledger").

A document books like a cash-based outgoing invoice (``domain.accounting``): its lines,
grouped by account and tax class entry, are the income side; the tenant's mode decides when
(DE at issue against the receivable, EA at payment against the payment account). A credit
memo or a cancellation invoice (sign -1) books the mirror image: every posting negated.
Subtracted lines (prepayments, total discounts) reduce the group of their account and tax
class entry; a group that would turn negative cannot be booked and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from beleg.domain.accounting.components import Side, invoice_side
from beleg.domain.accounting.lines import Direction, Line, LineInput
from beleg.domain.accounting.rules import Booked
from beleg.domain.documents.records import SalesDocument
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.charts import Chart
from beleg.domain.ledger.journals import Posting
from beleg.domain.ledger.tax import AmountType
from beleg.money import Currency


@dataclass(frozen=True, slots=True)
class BookableLine:
    """A counted document line: account, tax class entry and rate, signed amounts."""

    index: int
    account: str
    tax_entry: str
    tax_rate: Decimal
    net: Decimal
    tax: Decimal


def document_side(lines: Sequence[BookableLine], chart: Chart, currency: Currency) -> Side:
    """The income side of a document. Credit memo lines are stored positive; their journals
    are mirrored (``oriented``)."""
    groups: dict[tuple[str, str], list[BookableLine]] = {}
    for line in lines:
        groups.setdefault((line.account, line.tax_entry), []).append(line)
    resolved = []
    for (account, entry), members in groups.items():
        net = sum((m.net for m in members), Decimal(0))
        tax = sum((m.tax for m in members), Decimal(0))
        if net < 0 or tax < 0:
            index = next(m.index for m in members if m.net < 0 or m.tax < 0)
            raise ValidationFailed(
                "documents.deductions_exceed_lines",
                field=f"lines[{index}].account",
                index=index,
                account=account,
                entry=entry,
            )
        if net == 0 and tax == 0:
            continue
        rate = members[0].tax_rate
        resolved.append(
            Line(
                LineInput(account, net, "N", entry),
                AmountType.NET,
                entry,
                rate,
                net,
                tax,
                net + tax,
            )
        )
    return invoice_side(resolved, Direction.OUTGOING, chart, currency)


def sales_document_side(doc: SalesDocument, chart: Chart) -> Side:
    """The income side of a stored document: its counted lines."""
    lines = [
        BookableLine(ln.line_no - 1, ln.account, ln.tax_entry, ln.tax_rate, ln.net, ln.tax)
        for ln in doc.lines
        if ln.line_type.counted
    ]
    return document_side(lines, chart, doc.currency)


def mirrored(booked: Booked) -> Booked:
    """The journal with every posting negated: a credit memo books an invoice backwards."""
    draft = booked.draft
    postings = tuple(
        Posting(p.account, -p.amount, p.tax_code, p.text, -p.tax) for p in draft.postings
    )
    return replace(booked, draft=replace(draft, postings=postings))


def oriented(booked: Booked, sign: int) -> Booked:
    return booked if sign > 0 else mirrored(booked)
