"""The input of a sales document's PDF (``layout.build_layout``): plain values, Decimal
amounts already rounded by the domain, dates and strings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from beleg.domain.ledger.tax import AmountType, parse_amount_type
from beleg.formats.pdf.texts import LOCALES

Language = Literal["de", "en"]


class DocumentKind(StrEnum):
    INVOICE = "INVOICE"
    CREDIT_MEMO = "CREDIT_MEMO"
    DELIVERY_NOTE = "DELIVERY_NOTE"
    OFFER = "OFFER"
    ORDER_CONFIRMATION = "ORDER_CONFIRMATION"
    CANCELLATION = "CANCELLATION"


class LineKind(StrEnum):
    LINE = "LINE"
    OFFER_OPTION = "OFFER_OPTION"  # printed with "Option", not part of the totals
    TOTAL_DISCOUNT = "TOTAL_DISCOUNT"
    ON_ACCT = "ON_ACCT"  # payment on account (Akonto) deducted as a line


PAYABLE_KINDS = frozenset({DocumentKind.INVOICE, DocumentKind.ORDER_CONFIRMATION})


@dataclass(frozen=True, slots=True)
class Seller:
    name: str
    address_lines: tuple[str, ...] = ()
    vat_id: str | None = None
    tax_number: str | None = None
    iban: str | None = None
    bic: str | None = None
    bank_name: str | None = None
    contact_lines: tuple[str, ...] = ()  # phone, e-mail, web site
    register_lines: tuple[str, ...] = ()  # register court and number, managing directors


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    address_lines: tuple[str, ...] = ()
    vat_id: str | None = None
    number: str | None = None  # customer number, printed in the info block when given


@dataclass(frozen=True, slots=True)
class LayoutLine:
    name: str
    net: Decimal
    total: Decimal
    kind: LineKind = LineKind.LINE
    position: int | str | None = None
    description: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None  # a unit code (PC, H, ...) or free text
    unit_price: Decimal | None = None
    price_type: AmountType = AmountType.NET  # N: prices are net, T: prices include tax
    discount: str | None = None  # e.g. "10 %", printed as given
    tax_rate: Decimal | None = None  # percent: Decimal("20")

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", LineKind(self.kind))
        object.__setattr__(self, "price_type", parse_amount_type(self.price_type))


@dataclass(frozen=True, slots=True)
class TaxGroup:
    rate: Decimal  # percent
    net: Decimal  # the taxable base of this rate
    tax: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    net: Decimal
    tax_groups: tuple[TaxGroup, ...]
    total: Decimal
    already_paid: Decimal | None = None  # positive; printed as a deduction
    deposits: Decimal | None = None  # deposits (Anzahlungen) deducted; positive
    amount_due: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ConvertedTotals:
    """Totals in the main currency, as booked (pass them so the PDF equals the ledger)."""

    net: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class Correction:
    number: str
    date: dt.date
    kind: DocumentKind = DocumentKind.INVOICE  # the kind of the corrected document


@dataclass(frozen=True, slots=True)
class Notes:
    reverse_charge: bool = False
    tax_exemptions: tuple[str, ...] = ()  # free text, e.g. "Steuerfrei gemäß § 4 Nr. 1b UStG"
    correction: Correction | None = None
    reason: str | None = None  # why the document was created (credit note, cancellation)


@dataclass(frozen=True, slots=True)
class DirectDebitNotice:
    """The pre-notification of a SEPA direct debit (rulebook PT-03.07: the debtor learns the
    amount and the date before the collection). ``mandate_reference`` None: the mandate is
    held by a payment provider, which announces the collection itself (seed 002)."""

    mandate_reference: str | None
    creditor_id: str | None
    iban: str | None  # the debtor's, printed masked
    not_before: dt.date | None  # the due date: the collection is on it or later


@dataclass(frozen=True, slots=True)
class Payment:
    terms: str | None = None  # e.g. "Zahlbar innerhalb von 14 Tagen ohne Abzug."
    epc_qr: bool = False  # print an EPC QR code (invoices and order confirmations in EUR)
    direct_debit: DirectDebitNotice | None = None  # the customer pays by SEPA direct debit


@dataclass(frozen=True, slots=True)
class DocumentLayoutInput:
    kind: DocumentKind
    number: str
    date: dt.date
    language: Language
    currency: str
    seller: Seller
    customer: Customer
    lines: tuple[LayoutLine, ...]
    totals: Totals | None = None  # None only for delivery notes
    due_date: dt.date | None = None  # "valid until" on offers
    delivery_from: dt.date | None = None
    delivery_to: dt.date | None = None
    main_currency: str | None = None
    currency_rate: Decimal | None = None  # 1 document currency unit = rate main currency units
    main_currency_totals: ConvertedTotals | None = None  # None: converted with beleg.money
    intro: str | None = None  # plain text or simple HTML (p, b, i, br)
    footer: str | None = None  # plain text or simple HTML
    notes: Notes = field(default_factory=Notes)
    payment: Payment = field(default_factory=Payment)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", DocumentKind(self.kind))
        if self.language not in LOCALES:
            raise ValueError(f"language must be one of {sorted(LOCALES)}, not {self.language!r}")
        if self.totals is None and self.kind is not DocumentKind.DELIVERY_NOTE:
            raise ValueError(f"a {self.kind} needs totals")
        if self.is_foreign_currency and self.currency_rate is None:
            raise ValueError("a document in a foreign currency needs currency_rate")

    @property
    def is_foreign_currency(self) -> bool:
        return self.main_currency is not None and self.main_currency != self.currency
