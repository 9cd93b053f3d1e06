"""Receipts of a cash register (seed 003 ReceiptDto, ReceiptLineDto; §3.6): what a new receipt
records, a stored receipt, its lines and its customer, and the cancellation of a receipt.

A receipt changes the register's balance by its ``cash``: an income receipt (and its
cancellation) by its total, a cash deposit (``fromAccount``) by its total, a withdrawal
(``toAccount``) by minus its total, a system receipt not at all. A cancellation negates every
amount and quantity of the original, keeps its prices and names it (``cancels``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from beleg.domain.accounting.components import Side
from beleg.domain.documents.booking import BookableLine, document_side
from beleg.domain.documents.model import DiscountMode
from beleg.domain.ledger.charts import Chart
from beleg.domain.ledger.tax import AmountType
from beleg.domain.pos.registers import ReceiptType, turnover_buckets
from beleg.money import Currency

ZERO = Decimal("0.00")
NO_TAX_ENTRY = "000"
Buckets = tuple[Decimal, Decimal, Decimal, Decimal, Decimal]  # 20 %, 10 %, 13 %, 0 %, 19 %
NO_TURNOVER: Buckets = (ZERO, ZERO, ZERO, ZERO, ZERO)


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One line (seed ReceiptLineDto): the server computes ``net_price`` and ``tax_price`` and
    numbers the lines 1..n; ``tax_rate`` (percent) is what the RKSV turnover buckets and the
    booking need (none on a cash rebook's line)."""

    line_no: int
    net_price: Decimal
    tax_price: Decimal
    total_price: Decimal
    amount: Decimal  # the quantity
    account: str
    tax_class_entry: str
    item_name: str | None = None
    item_price: Decimal | None = None
    item_price_type: AmountType | None = None
    item_number: str | None = None
    item: uuid.UUID | None = None
    item_description: str | None = None
    unit_of_measure: str | None = None
    discount: Decimal | None = None
    discount_mode: DiscountMode | None = None
    tax_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ReceiptParty:
    """Who a receipt is for and what it refers to (seed ReceiptDto's customer fields);
    ``address_info`` is the address override as given (JSON)."""

    customer: uuid.UUID | None = None
    customer_name: str | None = None
    customer_mail: str | None = None
    additional_address: uuid.UUID | None = None
    reference_date: date | None = None
    reference_text: str | None = None
    text_after_lines: str | None = None
    address_info: Mapping[str, Any] | None = None


NO_PARTY = ReceiptParty()


@dataclass(frozen=True, slots=True)
class NewReceipt:
    """What a receipt records before it is numbered, signed and stored; ``buckets`` is its
    turnover by RKSV rate bucket (what its signature shows), ``closing_day`` the daily
    closing it counts in (none for the Startbeleg)."""

    receipt_type: ReceiptType
    date_time: datetime  # local time, as signed
    closing_day: date | None
    total: Decimal
    buckets: Buckets = NO_TURNOVER
    lines: tuple[ReceiptLine, ...] = ()
    party: ReceiptParty = field(default=NO_PARTY)
    from_account: str | None = None
    to_account: str | None = None
    description: str | None = None
    cancels: str | None = None
    journal_id: uuid.UUID | None = None
    document_id: uuid.UUID | None = None  # the invoice or credit memo a payment settles

    @property
    def cash(self) -> Decimal:
        """How the receipt changes the register's balance (see the module docstring)."""
        if self.receipt_type is ReceiptType.REBOOK and self.from_account is None:
            return -self.total
        return self.total

    def stored(
        self,
        *,
        register_no: int,
        number: str,
        position: int,
        sequence: int,
        created_at: datetime,
        jws: str | None = None,
        qr_code: str | None = None,
    ) -> Receipt:
        """This receipt as stored: numbered, placed in the chain and, if signed, with its
        signature."""
        return Receipt(
            register_no=register_no,
            number=number,
            position=position,
            sequence=sequence,
            receipt_type=self.receipt_type,
            date_time=self.date_time,
            closing_day=self.closing_day,
            total=self.total,
            lines=self.lines,
            party=self.party,
            created_at=created_at,
            from_account=self.from_account,
            to_account=self.to_account,
            description=self.description,
            cancels=self.cancels,
            jws=jws,
            qr_code=qr_code,
            journal_id=self.journal_id,
            document_id=self.document_id,
        )


@dataclass(frozen=True, slots=True)
class Receipt:
    """A stored receipt: its number (``2026.0002``, ``U2026.0001``), its position in the
    register's chain and its sequence within its number series and year, what it records,
    its signature (none on cash rebooks) and the receipt that cancels it, if any."""

    register_no: int
    number: str
    position: int
    sequence: int
    receipt_type: ReceiptType
    date_time: datetime
    closing_day: date | None
    total: Decimal
    lines: tuple[ReceiptLine, ...]
    party: ReceiptParty
    created_at: datetime
    from_account: str | None = None
    to_account: str | None = None
    description: str | None = None
    cancels: str | None = None
    cancelled_by: str | None = None
    jws: str | None = None
    qr_code: str | None = None
    journal_id: uuid.UUID | None = None
    document_id: uuid.UUID | None = None


def buckets_of(lines: Iterable[ReceiptLine]) -> Buckets:
    """The turnover of ``lines`` by RKSV rate bucket (a line without a rate counts as 0 %)."""
    return turnover_buckets(
        (
            line.line_no - 1,
            line.tax_rate if line.tax_rate is not None else Decimal(0),
            line.total_price,
        )
        for line in lines
    )


def untaxed_line(
    name: str, *, account: str, total: Decimal, tax_rate: Decimal | None = None
) -> ReceiptLine:
    """The one line of a cash rebook (``account`` the cash comes from or goes to) or of a
    document paid through the register (``account`` the document's unpaid account, rate 0:
    the document charged the VAT, so the amount counts in the RKSV 0 % bucket): ``total``
    once, tax class entry 000."""
    return ReceiptLine(
        line_no=1,
        item_name=name,
        item_price=total,
        item_price_type=AmountType.TOTAL,
        net_price=total,
        tax_price=ZERO,
        total_price=total,
        amount=Decimal(1),
        account=account,
        tax_class_entry=NO_TAX_ENTRY,
        tax_rate=tax_rate,
    )


def income_side(lines: Sequence[ReceiptLine], chart: Chart, currency: Currency) -> Side:
    """The income side a cash sale books (grouped by account and tax class entry)."""
    return document_side(
        [
            BookableLine(
                line.line_no - 1,
                line.account,
                line.tax_class_entry,
                line.tax_rate if line.tax_rate is not None else Decimal(0),
                line.net_price,
                line.tax_price,
            )
            for line in lines
        ],
        chart,
        currency,
    )


def negated_line(line: ReceiptLine) -> ReceiptLine:
    """A cancellation's line: quantity and amounts negated, prices kept."""
    return replace(
        line,
        net_price=-line.net_price,
        tax_price=-line.tax_price,
        total_price=-line.total_price,
        amount=-line.amount,
    )


def cancellation(original: Receipt, *, at: datetime, journal_id: uuid.UUID | None) -> NewReceipt:
    """The receipt that cancels ``original`` at ``at``, booked by ``journal_id``: every amount,
    quantity and turnover bucket negated, the prices, customer and references kept."""
    buckets = buckets_of(original.lines)
    return NewReceipt(
        original.receipt_type,
        at,
        at.date(),
        -original.total,
        (-buckets[0], -buckets[1], -buckets[2], -buckets[3], -buckets[4]),
        tuple(negated_line(line) for line in original.lines),
        original.party,
        original.from_account,
        original.to_account,
        original.description,
        cancels=original.number,
        journal_id=journal_id,
        document_id=original.document_id,
    )
