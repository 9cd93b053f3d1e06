"""Request models of the accounting API (seed 003 §5), camelCase, unknown fields refused.

Amounts may arrive as JSON numbers or numeric strings (seed 003 §7 item 40); they become
Decimals. Other fields take only the JSON kind their schema names. Output-only fields of a
DTO (ids, computed totals, bookings) are accepted on input, as the seed's clients send whole
DTOs back, and ignored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from beleg.api.inputs import BusinessDate
from beleg.api.schemas import ApiInput
from beleg.api.v11.rendering import Number


class V11Input(ApiInput):
    """A request body of the accounting API: amounts take JSON numbers or numeric strings,
    every other field only the JSON kind its schema names (``api/strict.py``)."""


class InvoiceLineDto(V11Input):
    description: str | None = None
    amount: Number = Field(description="Money amount of type amountType, max 10+5 digits")
    amount_type: str = Field(description="N = net, T = total incl. tax (G accepted as T)")
    account: str = Field(description="Account code (type A incoming, E outgoing)")
    tax_entry: str | None = Field(None, description="Tax class entry; account default if unset")
    tax_rate: Number | None = Field(None, description="Output only, ignored")
    net_amount: Number | None = Field(None, description="Computed; if sent, must match")
    tax_amount: Number | None = Field(None, description="Computed; if sent, must match")
    total_amount: Number | None = Field(None, description="Computed; if sent, must match")
    private_part: Number | None = None
    private_part_type: str | None = Field(None, description="P percent, A amount")
    private_part_account: str | None = None
    tax_entry_modifier: str | None = Field(None, description="IG or RC (incoming only)")
    additional_sequence: str | None = None


class _CbInvoiceDto(V11Input):
    id: str | None = Field(None, description="Output only, ignored")
    invoice_sequence: str | None = Field(None, description="Output only, ignored")
    invoice_date: BusinessDate | None = Field(None, description="Required")
    due_date: BusinessDate | None = None
    paid_date: BusinessDate | None = None
    cancelled_reason: str | None = Field(None, description="Output only, ignored")
    cancelled_date: BusinessDate | None = Field(None, description="Output only, ignored")
    invoice_reference: str | None = None
    description: str | None = None
    net_total: Number | None = Field(None, description="Computed; if sent, must match")
    tax_total: Number | None = Field(None, description="Computed; if sent, must match")
    total: Number | None = Field(None, description="Computed; if sent, must match")
    remaining_total: Number | None = Field(None, description="Computed, ignored")
    remaining_total_in_main_currency: Number | None = Field(None, description="Ignored")
    currency: str | None = None
    currency_rate: Number | None = None
    delivery_from_date: BusinessDate | None = None
    delivery_to_date: BusinessDate | None = None
    lines: list[InvoiceLineDto]
    bookings: list[dict[str, Any]] | None = Field(None, description="Output only, ignored")
    paid_contra_account: str | None = None


class IncomingInvoiceCreationDto(_CbInvoiceDto):
    supplier: str | None = None
    supplier_name: str | None = None


class OutgoingInvoiceCreationDto(_CbInvoiceDto):
    customer: str | None = None
    customer_name: str | None = None
    partner_name: str | None = Field(None, description="Output only, ignored")


class CbiPaymentDto(V11Input):
    payment_type: str | None = Field(None, description="PAYMENT (default) or EXISTING_CREDIT")
    payment_amount: Number | None = Field(None, description="Omitted: the remaining amount")
    payment_amount_in_main_currency: Number | None = None
    contra_account: str | None = Field(None, description="Means-of-payment account (type U)")
    payment_date: BusinessDate
    currency_rate: Number | None = Field(None, description="Default: the invoice's rate")
    payment_description: str | None = None


class RestPaymentDto(V11Input):
    payment_date: BusinessDate
    currency_rate: Number | None = None
    payment_description: str | None = None
    type: str = Field(description="DISCOUNT, or IRRECOVERABLE for outgoing invoices")


class CancellationDto(V11Input):
    cancel_date: BusinessDate
    cancel_reason: str = Field(max_length=500)


# Response models (seed 003 §5): documentation of what /api/1.1 answers. Amounts are JSON
# numbers; optional fields are omitted rather than null.


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class InvoiceLineOut(_Out):
    description: str | None = None
    amount: Number
    amountType: str
    account: str
    taxEntry: str
    taxRate: Number
    netAmount: Number
    taxAmount: Number
    totalAmount: Number
    privatePart: Number | None = None
    privatePartType: str | None = None
    privatePartAccount: str | None = None
    taxEntryModifier: str | None = None


class InvoiceBookingDto(_Out):
    """InvoiceInitialBooking, InvoicePaymentBooking or InvoiceCancellationBooking."""

    id: str
    type: str
    number: int
    cancelled: bool
    reconciled: bool
    journalNumber: str | None = None
    contraAccount: str | None = None
    paymentType: str | None = None
    paymentDate: date | None = None
    paymentAmount: Number | None = None
    paymentAmountInMainCurrency: Number | None = None
    paymentContraAccount: str | None = None
    paymentCurrencyRate: Number | None = None
    paymentDescription: str | None = None
    cancelledDate: date | None = None
    cancelledReason: str | None = None
    cancelledBooking: str | None = None


class CbInvoiceOut(_Out):
    """IncomingInvoiceDto / OutgoingInvoiceDto (supplier* or customer*, partnerName)."""

    id: str
    invoiceSequence: str
    invoiceDate: date
    netTotal: Number
    taxTotal: Number
    total: Number
    remainingTotal: Number
    remainingTotalInMainCurrency: Number
    currency: str
    currencyRate: Number
    lines: list[InvoiceLineOut] | None = None
    bookings: list[InvoiceBookingDto] | None = None


class InvoiceReturnDto(_Out):
    result: CbInvoiceOut
    warnings: list[str]
    infos: list[str]


class JournalDto(_Out):
    id: str
    journalNumber: str
    journalType: str
    netTotal: Number
    taxTotal: Number
    total: Number
    cancelled: bool


class AccountDto(_Out):
    id: str
    name: str
    type: str
    defaultTaxClassEntry: str | None = None
    forcedTaxClass: bool


class AccountBalanceDto(_Out):
    accountCode: str
    accountName: str
    sum: Number
    credit: Number | None = None
    debit: Number | None = None


class TaxClassEntryDto(_Out):
    id: str
    name: str
    taxRate: Number
    taxClassEntryModifierList: list[dict[str, str]]


class RebookJournalDto(_Out):
    id: str
    rebookType: str
    account: str
    contraAccount: str
    date: date
    cancelled: bool
    amount: Number
    currencyCode: str
    currencyRate: Number


def documented(model: Any) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that answers ``model`` through AccountingJSON."""
    return {200: {"model": model}}
