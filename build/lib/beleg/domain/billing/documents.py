"""Due charges grouped into the documents a billing run issues (spec: DocumentPreview).

Charges of one document date become one invoice; credits of one date one credit note, whose
amounts are written as positive values (the document type says they are credited). Tax is
computed per VAT group as EN 16931 does (BR-CO-17: ``round(sum of net per rate × rate)``),
half up to the currency's scale; a document's total is its net plus its tax.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from beleg.domain.billing.charges import Charge
from beleg.money import Currency, round_to_currency

HUNDRED = Decimal(100)


class PreviewType(StrEnum):
    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"


@dataclass(frozen=True, slots=True)
class VatGroup:
    """The net of one tax rate (percent) on a document and its tax, rounded once."""

    rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True)
class DocumentPreview:
    """A document as the billing run will create it."""

    type: PreviewType
    date: date
    currency: Currency
    lines: tuple[Charge, ...]
    vat_groups: tuple[VatGroup, ...]
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


def documents_for(charges: Sequence[Charge], currency: Currency) -> list[DocumentPreview]:
    """One invoice per document date for the charges, one credit note per date for the
    credits, in date order (an invoice before a credit note of the same date)."""
    grouped: dict[tuple[date, bool], list[Charge]] = defaultdict(list)
    for charge in charges:
        grouped[(charge.document_date, charge.credit)].append(charge)
    return [
        document_of(
            lines, day, currency, PreviewType.CREDIT_NOTE if credit else PreviewType.INVOICE
        )
        for (day, credit), lines in sorted(grouped.items())
    ]


def signed_net(line: Charge, kind: PreviewType) -> Decimal:
    """A line's net as it counts on a document of ``kind``: a credit carried onto an invoice
    is negative; on a credit note every line is a credit, written positive."""
    return -line.net_amount if line.credit and kind is PreviewType.INVOICE else line.net_amount


def vat_groups(
    lines: Sequence[Charge], currency: Currency, kind: PreviewType = PreviewType.INVOICE
) -> tuple[VatGroup, ...]:
    """Net and tax per rate, in ascending rate order (BR-CO-17)."""
    nets: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        nets[line.tax_rate] += signed_net(line, kind)
    return tuple(
        VatGroup(rate, net, round_to_currency(net * rate / HUNDRED, currency))
        for rate, net in sorted(nets.items())
    )


def document_of(
    lines: Sequence[Charge], day: date, currency: Currency, kind: PreviewType
) -> DocumentPreview:
    """The document of ``lines`` dated ``day``: its VAT per group and its totals."""
    groups = vat_groups(lines, currency, kind)
    net = sum((group.net_amount for group in groups), Decimal(0))
    tax = sum((group.tax_amount for group in groups), Decimal(0))
    return DocumentPreview(
        type=kind,
        date=day,
        currency=currency,
        lines=tuple(lines),
        vat_groups=groups,
        net_amount=net,
        tax_amount=tax,
        total_amount=net + tax,
    )
