"""Request models of the business-document resources (seed 003 models 5.19-5.23, 5.29, 5.30,
5.36, 5.46-5.49, 5.56-5.58, 5.62). Output-only fields are accepted and ignored (clients send
whole DTOs back); our extensions are marked in their descriptions."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from beleg.api.inputs import BusinessDate
from beleg.api.v11.models import V11Input
from beleg.api.v11.rendering import Number


class BusinessDocumentLineDto(V11Input):
    id: int | None = Field(None, description="Output only: line number by array order")
    name: str | None = None
    description: str | None = None
    type: str | None = Field(
        None,
        description="LINE (default), DUNNING_FEE, CASH_IN_CM, "
        "ON_ACCT, CREDIT_MEMO, TOTAL_DISCOUNT, TOTAL_SURCHARGE, OFFER_OPTION",
    )
    item_price: Number | None = Field(None, description="Required without item")
    item_price_type: str | None = Field(None, description="N or T; required without item")
    unit_of_measure: str | None = None
    net_price: Number | None = Field(None, description="Required for verification")
    tax_price: Number | None = Field(None, description="Required for verification")
    total_price: Number | None = Field(None, description="Required: netPrice + taxPrice")
    remaining_amount: Number | None = Field(None, description="Output only")
    discount: Number | None = None
    discount_mode: str | None = Field(None, description="CONSTANT (default), RATE, CONSTANT_TOTAL")
    amount: Number | None = Field(None, description="Number of units (required)")
    item_number: str | None = None
    item: str | None = None
    item_defaulting: bool | None = None
    account: str | None = None
    tax_class_entry: str | None = None
    deposit_invoice: str | None = Field(
        None, description="Extension: the deposit invoice an ON_ACCT line settles"
    )


class _BizDoc(V11Input):
    id: str | None = Field(None, description="Number; required (and unique) for EXTERNAL")
    uuid: str | None = Field(None, description="Output only")
    description: str | None = None
    internal_description: str | None = None
    date: BusinessDate | None = Field(None, description="Required")
    state: str | None = Field(None, description="STAGING, FINALIZED or EXTERNAL")
    net_amount: Number | None = None
    tax_amount: Number | None = None
    total_amount: Number | None = None
    remaining_amount: Number | None = Field(None, description="Output only")
    currency: str | None = None
    currency_rate: Number | None = None
    reference_text: str | None = None
    reference_date: BusinessDate | None = None
    footer: str | None = None
    customer: str | None = None
    customer_name: str | None = None
    layout_setup: str | None = None
    sequence_group: str | None = None
    updated_at: str | None = Field(None, description="Output only")
    lines: list[BusinessDocumentLineDto] = Field(default_factory=list)
    additional_address: str | None = None
    normalize_rounding_errors: bool | None = None
    address_info: dict[str, Any] | None = None
    type_code: str | None = Field(None, description="Output only (extension)")
    billing_group: str | None = Field(None, description="Extension: numbering rules")
    operating_site: str | None = Field(None, description="Extension: numbering rules")
    self_billing: bool | None = Field(None, description="Extension: self-billing (389/261)")
    creation_reason: str | None = Field(None, description="Extension: why it was created")
    related_document: str | None = Field(None, description="Extension: BT-25")
    related_document_date: BusinessDate | None = Field(None, description="Extension: BT-26")


class _Payable(_BizDoc):
    delivery_from_date: BusinessDate | None = None
    delivery_to_date: BusinessDate | None = None
    signed: bool | None = None
    paid_date: BusinessDate | None = Field(None, description="Output only")
    paid: bool | None = Field(None, description="Output only")
    eb_interface_version: str | None = None


class InvoiceDto(_Payable):
    payment_term: str | None = None
    due_date: BusinessDate | None = None
    dunning_date: BusinessDate | None = Field(None, description="Output only")
    last_dunning_level: str | None = Field(None, description="Output only")
    deposit_for: str | None = Field(
        None,
        description="Extension: order confirmation number this deposit invoice asks a deposit of",
    )


class CreditMemoDto(_Payable):
    pass


class _Completable(_BizDoc):
    completion_date: BusinessDate | None = Field(None, description="Output only")
    completion_state: str | None = Field(None, description="Output only")


class DeliveryNoteDto(_Completable):
    pass


class OfferDto(_Completable):
    payment_term: str | None = None
    expiration_date: BusinessDate | None = None


class OrderConfirmationDto(_Completable):
    payment_term: str | None = None
    deposits: list[dict[str, Any]] | None = Field(
        None, description="Extension: agreed deposits [{amount, dueDate, description}]"
    )


class InvoiceTemplateDto(InvoiceDto):
    template_name: str | None = Field(None, description="Required")
    template_interval: int | None = None
    template_interval_type: str | None = Field(None, description="DAY, MONTH or YEAR")
    next_invoice_date: BusinessDate | None = None


class OfferTemplateDto(OfferDto):
    template_name: str | None = Field(None, description="Required")


class BusinessDocumentCancelDto(V11Input):
    layout_setup: str | None = None
    cancellation_date: BusinessDate | None = None
    eb_interface_version: str | None = None
    sequence_group: str | None = None
    cancel_type: str | None = None


class BusinessDocumentCompletionDto(V11Input):
    completion_date: BusinessDate | None = None
    completion_state: str | None = None


class BusinessDocumentConversionDto(V11Input):
    """Extension: convert into the next document of the chain."""

    target_type: str | None = Field(
        None, description="ORDER_CONFIRMATION, DELIVERY_NOTE or INVOICE"
    )
    state: str | None = Field(None, description="STAGING or FINALIZED (default)")
    date: BusinessDate | None = None


class InvoicePaymentDto(V11Input):
    currency_rate: Number | None = None
    note: str | None = None
    date: BusinessDate | None = None
    rest_type: str | None = None
    paying_account: str | None = None
    cash_register: int | None = None
    amount: Number | None = None


class CreditMemoPaymentDto(V11Input):
    currency_rate: Number | None = None
    note: str | None = None
    date: BusinessDate | None = None
    rest_type: str | None = None
    paying_account: str | None = None
    cash_register: int | None = None


class CorrectionDto(V11Input):
    """Extension (seed 001 item-based corrections): credit ``amount`` (gross) against a line."""

    amount: Number | None = Field(None, description="Gross amount to credit (required)")
    date: BusinessDate | None = Field(None, description="Date of the credit memo (required)")
    reason: str | None = Field(None, description="Creation reason, stored and printed")
    layout_setup: str | None = None
    sequence_group: str | None = None


class PaymentCancellationDto(V11Input):
    cancel_date: BusinessDate | None = None
    cancel_reason: str | None = None
