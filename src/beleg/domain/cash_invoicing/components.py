"""The income or expense side of a cash-based invoice, as the components every rule books.

An invoice's components are, per line: the net amount on the line account, the VAT on the
chart's input (incoming) or output (outgoing) VAT account for the line's rate, and the private
share on the private-part account. They are non-negative and sum to the invoice total.
Self-assessed VAT (modifier lines) is a separate pair of equal amounts on the chart's input and
output VAT accounts for the modifier: it nets to zero and is not part of what is paid.

Rules book components with the direction's sign: incoming invoices debit them (expense),
outgoing invoices credit them (income).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from beleg.domain.cash_invoicing.lines import Direction, Line
from beleg.domain.ledger.charts import Chart
from beleg.domain.ledger.journals import Posting
from beleg.domain.ledger.proportional import payment_share
from beleg.money import Currency, round_to_currency


class Kind(StrEnum):
    NET = "net"
    TAX = "tax"
    PRIVATE = "private"


@dataclass(frozen=True, slots=True)
class Component:
    account: str
    amount: Decimal  # >= 0, invoice currency
    kind: Kind
    tax_code: str | None


@dataclass(frozen=True, slots=True)
class SelfAssessed:
    input_account: str
    output_account: str
    amount: Decimal
    tax_code: str


@dataclass(frozen=True, slots=True)
class Side:
    """Everything an invoice books besides the counter account."""

    direction: Direction
    currency: Currency
    components: tuple[Component, ...]
    self_assessed: tuple[SelfAssessed, ...]

    @property
    def sign(self) -> Decimal:
        return Decimal(1) if self.direction is Direction.INCOMING else Decimal(-1)

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.components), Decimal(0))


@dataclass(frozen=True, slots=True)
class Share:
    """Postings for a part of the invoice, with their net and tax (invoice currency)."""

    postings: tuple[Posting, ...]
    net: Decimal
    tax: Decimal


def invoice_side(lines: Sequence[Line], direction: Direction, chart: Chart,
                 currency: Currency) -> Side:
    components: list[Component] = []
    pairs: list[SelfAssessed] = []
    vat = chart.input_vat if direction is Direction.INCOMING else chart.output_vat
    for line in lines:
        account, code = line.source.account, line.tax_entry
        private_net = private_tax = Decimal(0)
        if line.private_total and line.total:
            private_net = round_to_currency(line.private_total * line.net / line.total,
                                            currency)
            private_tax = line.private_total - private_net
        components.append(Component(account, line.net - private_net, Kind.NET, code))
        if line.tax and code in vat:
            components.append(Component(vat[code], line.tax - private_tax, Kind.TAX, code))
        elif line.tax:  # a rate without VAT account in the chart: the tax stays on the line
            components[-1] = Component(account, line.total - line.private_total, Kind.NET, code)
        if line.private_total and line.private_account:
            components.append(Component(line.private_account, line.private_total,
                                        Kind.PRIVATE, code))
        if line.modifier is not None and line.self_assessed_tax:
            pair = chart.self_assessed[line.modifier]
            pairs.append(SelfAssessed(pair[0], pair[1], line.self_assessed_tax, code))
    kept = tuple(c for c in components if c.amount)
    return Side(direction, currency, kept, tuple(pairs))


def full_share(side: Side) -> Share:
    """The whole invoice (DE initial booking, payment in full in one journal)."""
    return _share(side, [c.amount for c in side.components],
                  [pair.amount for pair in side.self_assessed])


def partial_share(side: Side, *, paid_before: Decimal, payment: Decimal) -> Share:
    """The pro-rata part of the invoice that ``payment`` settles after ``paid_before``.
    Cumulative allocation keeps it residue-free: all shares sum to the invoice exactly."""
    amounts = payment_share([c.amount for c in side.components], paid_before=paid_before,
                            payment=payment, currency=side.currency)
    assessed = [_cumulative(pair.amount, paid_before + payment, side)
                - _cumulative(pair.amount, paid_before, side) for pair in side.self_assessed]
    return _share(side, amounts, assessed)


def _share(side: Side, amounts: Sequence[Decimal], assessed: Sequence[Decimal]) -> Share:
    postings: list[Posting] = []
    net = tax = Decimal(0)
    line_posting: int | None = None  # the net posting the next VAT component belongs to
    for component, amount in zip(side.components, amounts, strict=True):
        if component.kind is Kind.TAX:
            tax += amount
            if amount and line_posting is not None:  # recorded for gross (T) balances
                postings[line_posting] = replace(postings[line_posting], tax=side.sign * amount)
        else:
            net += amount
        line_posting = None
        if amount:
            if component.kind is Kind.NET:
                line_posting = len(postings)
            postings.append(Posting(component.account, side.sign * amount, component.tax_code))
    for pair, amount in zip(side.self_assessed, assessed, strict=True):
        if amount:
            postings.append(Posting(pair.input_account, side.sign * amount, pair.tax_code))
            postings.append(Posting(pair.output_account, -side.sign * amount, pair.tax_code))
    return Share(tuple(postings), net, tax)


def _cumulative(amount: Decimal, paid: Decimal, side: Side) -> Decimal:
    """The part of a self-assessed amount that belongs to what is paid so far."""
    total = side.total
    if not total:
        return amount
    return round_to_currency(amount * paid / total, side.currency)
