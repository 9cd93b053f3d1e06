"""The vocabulary of sales documents (seed 003 §3.4, models 5.19-5.21, 5.46, 5.63)."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from beleg.domain.numbering.counters import DocumentType
from beleg.domain.numbering.counters import parse_enum as parse_member

# Invoices and credit memos are paid and booked; the other types are not.
PAYABLE = (DocumentType.INVOICE, DocumentType.CREDIT_MEMO)


class State(StrEnum):
    STAGING = "STAGING"
    FINALIZED = "FINALIZED"
    EXTERNAL = "EXTERNAL"
    CANCELLED = "CANCELLED"


class LineType(StrEnum):
    """Seed 003 BusinessDocumentLineDto.type."""

    LINE = "LINE"
    DUNNING_FEE = "DUNNING_FEE"
    CASH_IN_CM = "CASH_IN_CM"
    ON_ACCT = "ON_ACCT"
    CREDIT_MEMO = "CREDIT_MEMO"
    TOTAL_DISCOUNT = "TOTAL_DISCOUNT"
    TOTAL_SURCHARGE = "TOTAL_SURCHARGE"
    OFFER_OPTION = "OFFER_OPTION"

    @property
    def sign(self) -> int:
        """Prepayments and total discounts are subtracted from the document (seed §3.4)."""
        return -1 if self in (LineType.CASH_IN_CM, LineType.ON_ACCT, LineType.TOTAL_DISCOUNT) else 1

    @property
    def counted(self) -> bool:
        """Optional offer lines are excluded from the totals (seed §3.4)."""
        return self is not LineType.OFFER_OPTION

    @property
    def copied(self) -> bool:
        """Credit-memo and prepayment lines are never copied to another document type."""
        return self not in (LineType.CREDIT_MEMO, LineType.CASH_IN_CM, LineType.ON_ACCT)


class DiscountMode(StrEnum):
    """Seed 003 §7 item 20: CONSTANT = absolute net amount off the line, CONSTANT_TOTAL =
    absolute gross amount off, RATE = percent."""

    RATE = "RATE"
    CONSTANT = "CONSTANT"
    CONSTANT_TOTAL = "CONSTANT_TOTAL"


class HistoryType(StrEnum):
    """Seed 003 PaymentHistoryDto.type."""

    RECEIVABLES = "RECEIVABLES"
    RECEIVABLES_DUNNING = "RECEIVABLES_DUNNING"
    PAYED = "PAYED"
    DISCOUNT = "DISCOUNT"
    UNCOLLECTABLE = "UNCOLLECTABLE"
    CANCELLED = "CANCELLED"
    ONACCOUNT = "ONACCOUNT"
    CURRENCY_DIFFERENCE = "CURRENCY_DIFFERENCE"
    ROUNDING_DIFFERENCE = "ROUNDING_DIFFERENCE"
    CORRECTION = "CORRECTION"
    CREDIT_FOR_INVOICE = "CREDIT_FOR_INVOICE"
    CANCELLATION_INVOICE_FOR_INVOICE = "CANCELLATION_INVOICE_FOR_INVOICE"
    CREDIT_CASHED = "CREDIT_CASHED"


# Seed 003 InvoicePaymentDto.restType: the write-offs a client may request.
REST_TYPES = (
    HistoryType.DISCOUNT,
    HistoryType.CORRECTION,
    HistoryType.UNCOLLECTABLE,
    HistoryType.ONACCOUNT,
    HistoryType.CREDIT_CASHED,
)


class CancelType(StrEnum):
    CANCELLATION = "CANCELLATION"
    CANCELLATION_CREDIT_MEMO = "CANCELLATION_CREDIT_MEMO"
    CANCELLATION_INVOICE = "CANCELLATION_INVOICE"


class TypeCode(StrEnum):
    """UNTDID 1001 document type codes (EN 16931 BT-3) the platform issues."""

    INVOICE = "380"
    CREDIT_NOTE = "381"
    SELF_BILLED_INVOICE = "389"
    SELF_BILLED_CREDIT_NOTE = "261"  # seed 001: self-billing corrections are 261, not 381
    PREPAYMENT_INVOICE = "386"


class TaxRounding(StrEnum):
    """Where a document's VAT is rounded (DESIGN.md "Decisions"): per line (the worked
    examples of seed 003; every line's tax rounded, the document's tax their sum) or per VAT
    group (EN 16931 BR-CO-17: a category's tax is its taxable amount times the rate, rounded
    once; the lines share it without a cent lost). Stored with each document."""

    PER_LINE = "PER_LINE"
    PER_VAT_GROUP = "PER_VAT_GROUP"


E = TypeVar("E", bound=StrEnum)


def parse_enum(kind: type[E], value: str | None, field: str, default: E) -> E:
    """``value`` as a member of ``kind``; None and "" give ``default``; else a 400."""
    return default if value in (None, "") else parse_member(kind, value, field)
