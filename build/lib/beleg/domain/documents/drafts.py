"""Documents the platform issues itself (billing runs, issue 14): drafts that arrive priced
and accounted, their amounts under the document's tax rounding, and the sales document a
draft becomes.

A draft line is a quantity of a net unit price on a revenue account with a tax class entry;
its net amount is rounded half-up to the currency (``quantity x unit price``). The VAT:
- ``PER_LINE``: each line's tax is its net times the rate, rounded; the document's tax is
  their sum (seed 003's worked examples).
- ``PER_VAT_GROUP``: per tax rate, the tax is the group's net sum times the rate, rounded
  once (EN 16931 BR-CO-17, BT-117 = BT-116 x BT-119); the group's tax is shared out over its
  lines by ``money.round_to_total`` so that the lines still sum to the document exactly.
Totals are net + tax per line, and the sums of the lines per document.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from beleg.domain.amounts import check_amount
from beleg.domain.documents.lines import Amounts
from beleg.domain.documents.model import (
    PAYABLE,
    DiscountMode,
    LineType,
    State,
    TaxRounding,
    TypeCode,
)
from beleg.domain.documents.parties import Party, stored_fields
from beleg.domain.documents.records import DocumentLine, SalesDocument
from beleg.domain.documents.setup import LayoutSetup, PaymentTerm
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.charts import REVENUE_TYPES
from beleg.domain.ledger.tax import AmountType, resolve_tax_entry
from beleg.domain.numbering.counters import DocumentType, NumberingContext
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import Currency, round_to_currency, round_to_total

HUNDRED = Decimal(100)
ISSUED_TYPES = (DocumentType.INVOICE, DocumentType.CREDIT_MEMO)


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A priced line: ``quantity`` units of ``unit_price`` (net, document currency, at most
    5 decimals) booked on the revenue ``account`` with the tax class entry ``tax_entry``.
    ``net_amount`` (currency scale) replaces ``quantity x unit price`` where the line's net is
    not that product: a prorated period, a tiered price (billing runs). ``texts`` are printed
    line fields (``deliveryFromDate``/``deliveryToDate``: the line's service period)."""

    name: str
    quantity: Decimal
    unit_price: Decimal
    account: str
    tax_entry: str
    description: str | None = None
    unit_of_measure: str | None = None
    item_id: uuid.UUID | None = None
    net_amount: Decimal | None = None
    texts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DocumentDraft:
    """An invoice or credit memo to issue as it stands: FINALIZED, numbered at issue.
    ``texts`` are printed fields as on documents (``description``, ``footer``,
    ``deliveryFromDate``/``deliveryToDate`` for the service period, ...)."""

    doc_type: DocumentType
    doc_date: date
    lines: tuple[DraftLine, ...]
    customer_id: uuid.UUID | None = None
    customer_name: str | None = None
    currency: Currency | None = None  # the tenant's main currency when None
    currency_rate: Decimal = Decimal(1)  # to the main currency
    tax_rounding: TaxRounding = TaxRounding.PER_VAT_GROUP
    billing_group: str | None = None
    texts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DraftSetup:
    """The tenant's defaults a draft is issued with."""

    term: PaymentTerm
    layout: LayoutSetup
    group_id: uuid.UUID


def line_amounts(
    nets: Sequence[Decimal], rates: Sequence[Decimal], currency: Currency, rounding: TaxRounding
) -> list[Amounts]:
    """Tax and total of lines with rounded ``nets`` and tax ``rates`` (percent)."""
    if rounding is TaxRounding.PER_LINE:
        taxes = [
            round_to_currency(n * r / HUNDRED, currency) for n, r in zip(nets, rates, strict=True)
        ]
    else:
        taxes = _group_taxes(nets, rates, currency)
    return [Amounts(n, t, n + t) for n, t in zip(nets, taxes, strict=True)]


def _group_taxes(
    nets: Sequence[Decimal], rates: Sequence[Decimal], currency: Currency
) -> list[Decimal]:
    by_rate: dict[Decimal, list[int]] = defaultdict(list)
    for index, rate in enumerate(rates):
        by_rate[rate].append(index)
    taxes = [Decimal(0)] * len(nets)
    for rate, indexes in by_rate.items():
        exact = [nets[i] * rate / HUNDRED for i in indexes]
        group_tax = round_to_currency(sum(exact, Decimal(0)), currency)
        for index, tax in zip(indexes, round_to_total(exact, group_tax, currency), strict=True):
            taxes[index] = tax
    return taxes


def draft_lines(
    draft: DocumentDraft, books: TenantBooks, currency: Currency, *, prefix: str
) -> tuple[DocumentLine, ...]:
    """The stored lines of ``draft``: accounts and tax class entries checked against the
    tenant's chart, amounts under the draft's tax rounding. Errors name ``prefix.lines[i]``."""
    if not draft.lines:
        raise ValidationFailed("documents.no_lines", field=f"{prefix}.lines")
    rates, nets = [], []
    for index, line in enumerate(draft.lines):
        where = f"{prefix}.lines[{index}]"
        rates.append(_rate(books, line, where))
        quantity = check_amount(line.quantity, f"{where}.quantity")
        price = check_amount(line.unit_price, f"{where}.unitPrice")
        nets.append(_net(line, quantity * price, currency, where))
    amounts = line_amounts(nets, rates, currency, draft.tax_rounding)
    return tuple(
        _line(index, line, rate, amount)
        for index, (line, rate, amount) in enumerate(zip(draft.lines, rates, amounts, strict=True))
    )


def _rate(books: TenantBooks, line: DraftLine, where: str) -> Decimal:
    account = books.accounts.get(line.account)
    if account is None or account.account_type not in REVENUE_TYPES:
        raise ValidationFailed(
            "documents.draft_account_not_revenue", field=f"{where}.account", code=line.account
        )
    entry = resolve_tax_entry(account, line.tax_entry, f"{where}.taxClassEntry")
    return books.chart.tax_entry(entry).rate


def _net(line: DraftLine, product: Decimal, currency: Currency, where: str) -> Decimal:
    """The line's net: its given ``net_amount`` (already at the currency's scale) or the
    rounded product of quantity and unit price."""
    if line.net_amount is None:
        return round_to_currency(product, currency)
    net = check_amount(line.net_amount, f"{where}.netAmount")
    if net != round_to_currency(net, currency):
        raise ValidationFailed("documents.draft_net_scale", field=f"{where}.netAmount")
    return net


def _line(index: int, line: DraftLine, rate: Decimal, amounts: Amounts) -> DocumentLine:
    texts = dict(line.texts) | {
        key: value
        for key, value in (
            ("name", line.name),
            ("description", line.description),
            ("unitOfMeasure", line.unit_of_measure),
        )
        if value not in (None, "")
    }
    return DocumentLine(
        line_no=index + 1,
        line_type=LineType.LINE,
        item_id=line.item_id,
        quantity=line.quantity,
        item_price=line.unit_price,
        item_price_type=AmountType.NET,
        discount=Decimal(0),
        discount_mode=DiscountMode.CONSTANT,
        account=line.account,
        tax_entry=line.tax_entry,
        tax_rate=rate,
        net=amounts.net,
        tax=amounts.tax,
        total=amounts.total,
        remaining=amounts.total,
        texts=texts,
    )


def draft_document(
    draft: DocumentDraft,
    *,
    books: TenantBooks,
    party: Party,
    setup: DraftSetup,
    index: int,
    now: datetime,
) -> SalesDocument:
    """The FINALIZED, not yet numbered document of ``draft`` (``index``: its place in the
    batch, which errors name as ``drafts[index]``)."""
    prefix = f"drafts[{index}]"
    if draft.doc_type not in ISSUED_TYPES:
        raise ValidationFailed("documents.draft_type", field=f"{prefix}.type")
    currency = draft.currency or books.main
    if currency == books.main and draft.currency_rate != 1:
        raise ValidationFailed("documents.draft_rate_main", field=f"{prefix}.currencyRate")
    if draft.currency_rate <= 0:
        raise ValidationFailed("documents.draft_rate_positive", field=f"{prefix}.currencyRate")
    lines = draft_lines(draft, books, currency, prefix=prefix)
    net = sum((ln.net for ln in lines), Decimal(0))
    tax = sum((ln.tax for ln in lines), Decimal(0))
    invoice = draft.doc_type is DocumentType.INVOICE
    return SalesDocument(
        id=uuid.uuid4(),
        doc_type=draft.doc_type,
        state=State.FINALIZED,
        number=None,
        type_code=TypeCode.INVOICE if invoice else TypeCode.CREDIT_NOTE,
        sign=1 if invoice else -1,
        doc_date=draft.doc_date,
        due_date=draft.doc_date + timedelta(days=setup.term.due_days) if invoice else None,
        dunning_date=None,
        paid_date=None,
        customer_id=party.customer_id,
        customer_name=party.name,
        currency=currency,
        currency_rate=draft.currency_rate,
        net=net,
        tax=tax,
        total=net + tax,
        remaining=net + tax if draft.doc_type in PAYABLE else Decimal(0),
        payment_term_id=setup.term.id if invoice else None,
        layout_setup_id=setup.layout.id,
        sequence_group_id=setup.group_id,
        unpaid_account=(party.contra_account or books.chart.receivables)
        if books.mode is AccountingMode.DE
        else None,
        journal_id=None,
        completion_state=None,
        completion_date=None,
        cancelled_date=None,
        related_id=None,
        source_id=None,
        deposit_settled_by=None,
        texts=_texts(draft, setup.layout, party),
        created_at=now,
        updated_at=now,
        lines=lines,
        tax_rounding=draft.tax_rounding,
    )


def _texts(draft: DocumentDraft, layout: LayoutSetup, party: Party) -> dict[str, Any]:
    """The stored texts, as documents created through the API store them."""
    texts = dict(draft.texts)
    defaults = layout.texts_for(draft.doc_type)
    texts.setdefault("description", defaults.description)
    texts.setdefault("footer", defaults.footer)
    texts.update(
        stored_fields(
            party, self_billing=False, billing_group=draft.billing_group, operating_site=None
        )
    )
    return texts


def numbering_context(draft: DocumentDraft, party: Party) -> NumberingContext:
    """What the numbering rules look at for ``draft``."""
    return NumberingContext(
        doc_type=draft.doc_type,
        customer_type=party.customer_type,
        country=party.country,
        billing_group=draft.billing_group,
        operating_site=None,
    )
