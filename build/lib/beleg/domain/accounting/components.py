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

from beleg.domain.accounting.lines import Direction, Line
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

    def component_keys(self) -> set[tuple[str, str | None]]:
        """(account, tax code) of everything the invoice books besides its counter account."""
        keys = {(c.account, c.tax_code) for c in self.components}
        for pair in self.self_assessed:
            keys |= {(pair.input_account, pair.tax_code), (pair.output_account, pair.tax_code)}
        return keys

    def tax_keys(self) -> set[tuple[str, str | None]]:
        keys = {(c.account, c.tax_code) for c in self.components if c.kind is Kind.TAX}
        for pair in self.self_assessed:
            keys |= {(pair.input_account, pair.tax_code), (pair.output_account, pair.tax_code)}
        return keys


@dataclass(frozen=True, slots=True)
class Share:
    """Postings for a part of the invoice, with their net and tax (invoice currency)."""

    postings: tuple[Posting, ...]
    net: Decimal
    tax: Decimal


def invoice_side(
    lines: Sequence[Line], direction: Direction, chart: Chart, currency: Currency
) -> Side:
    components: list[Component] = []
    pairs: list[SelfAssessed] = []
    vat = chart.input_vat if direction is Direction.INCOMING else chart.output_vat
    for line in lines:
        account, code = line.source.account, line.tax_entry
        private_net = private_tax = Decimal(0)
        if line.private_total and line.total:
            private_net = round_to_currency(line.private_total * line.net / line.total, currency)
            private_tax = line.private_total - private_net
        components.append(Component(account, line.net - private_net, Kind.NET, code))
        if line.tax and code in vat:
            components.append(Component(vat[code], line.tax - private_tax, Kind.TAX, code))
        elif line.tax:  # a rate without VAT account in the chart: the tax stays on the line
            components[-1] = Component(account, line.total - line.private_total, Kind.NET, code)
        if line.private_total and line.private_account:
            components.append(
                Component(line.private_account, line.private_total, Kind.PRIVATE, code)
            )
        if line.modifier is not None and line.self_assessed_tax:
            pair = chart.self_assessed[line.modifier]
            pairs.append(SelfAssessed(pair[0], pair[1], line.self_assessed_tax, code))
    kept = tuple(c for c in components if c.amount)
    return Side(direction, currency, kept, tuple(pairs))


Key = tuple[str, str | None]  # (account, tax code) of a posting


def cumulative_targets(side: Side, paid: Decimal) -> dict[Key, Decimal]:
    """What all of an invoice's journals together book (signed, per account and tax code)
    once ``paid`` of its total is settled: the pro-rata part of every component, allocated by
    largest remainder so the parts sum exactly to ``paid``; the whole invoice when paid."""
    total = side.total
    if paid == total:
        amounts = [c.amount for c in side.components]
        assessed = [pair.amount for pair in side.self_assessed]
    else:
        amounts = (
            payment_share(
                [c.amount for c in side.components],
                paid_before=Decimal(0),
                payment=paid,
                currency=side.currency,
            )
            if paid
            else [Decimal(0)] * len(side.components)
        )
        assessed = [
            round_to_currency(pair.amount * paid / total, side.currency)
            for pair in side.self_assessed
        ]
    targets: dict[Key, Decimal] = {}
    for component, amount in zip(side.components, amounts, strict=True):
        _add(targets, (component.account, component.tax_code), side.sign * amount)
    for pair, amount in zip(side.self_assessed, assessed, strict=True):
        _add(targets, (pair.input_account, pair.tax_code), side.sign * amount)
        _add(targets, (pair.output_account, pair.tax_code), -side.sign * amount)
    return targets


def share_towards(
    side: Side, *, paid_after: Decimal, booked: dict[Key, Decimal] | None = None
) -> Share:
    """The postings that bring what is ``booked`` so far to the targets for ``paid_after``.
    Each payment's journal is the difference, so the journals of all active payments always
    sum exactly to the invoice's components, whatever was cancelled in between."""
    targets = cumulative_targets(side, paid_after)
    booked = booked or {}
    tax_keys = side.tax_keys()
    postings: list[Posting] = []
    net = tax = Decimal(0)
    for key in [*targets, *(k for k in booked if k not in targets)]:
        amount = targets.get(key, Decimal(0)) - booked.get(key, Decimal(0))
        if not amount:
            continue
        postings.append(Posting(key[0], amount, key[1]))
        if key in tax_keys:
            tax += side.sign * amount
        elif key in side.component_keys():
            net += side.sign * amount
    return Share(_with_gross(tuple(postings), side), net, tax)


def _with_gross(postings: tuple[Posting, ...], side: Side) -> tuple[Posting, ...]:
    """Record on each net posting the VAT booked for it, where its tax code has exactly one
    net posting in the journal (gross balances, seed 003 ``method=T``)."""
    vat = {(c.account, c.tax_code) for c in side.components if c.kind is Kind.TAX}
    nets = {(c.account, c.tax_code) for c in side.components if c.kind is Kind.NET}
    tax_by_code: dict[str | None, Decimal] = {}
    net_count: dict[str | None, int] = {}
    for p in postings:
        if (p.account, p.tax_code) in vat:
            tax_by_code[p.tax_code] = tax_by_code.get(p.tax_code, Decimal(0)) + p.amount
        elif (p.account, p.tax_code) in nets:
            net_count[p.tax_code] = net_count.get(p.tax_code, 0) + 1
    return tuple(
        replace(p, tax=tax_by_code.get(p.tax_code, Decimal(0)))
        if (p.account, p.tax_code) in nets and net_count[p.tax_code] == 1
        else p
        for p in postings
    )


def _add(targets: dict[Key, Decimal], key: Key, amount: Decimal) -> None:
    targets[key] = targets.get(key, Decimal(0)) + amount
