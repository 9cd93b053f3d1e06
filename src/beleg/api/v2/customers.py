"""Customers (docs: shared spec billing-api.md "Customer"): the accounting API's customers
(/api/1.1/customers, the same rows) with type, VAT ID, currency, addresses, payment method and
payment accounts. Events: ``customer.created``, ``customer.updated`` (with ``oldCustomer``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.domain.contacts.customers import (
    UNSET,
    CustomerDraft,
    CustomerPatch,
    CustomerType,
    PaymentMethod,
    PostalAddress,
)
from beleg.domain.contacts.einvoicing import EInvoiceFormat, EInvoicing
from beleg.domain.contacts.identifiers import AccountDraft
from beleg.domain.identity.principal import Actor
from beleg.queries.contacts import customers as read
from beleg.services.contacts import customers as service

router = APIRouter(prefix="/customers", tags=["Customers"], route_class=BelegRoute)

FUTURE = (
    "Payment method and payment accounts apply to future charges; documents already issued "
    "keep the payment details they were issued with"
)
NUMBER_HELP = (
    "Up to 50 characters, any prefix; must not belong to another customer. "
    "Absent: the next number of the tenant's customer counter"
)
VAT_HELP = (
    "Checked for the customer's country (an EU VAT ID carries its prefix, e.g. ATU12345678); "
    "stored in compact form"
)


class AddressIn(ApiInput):
    street: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-2; default: the customer's")
    email: str | None = None

    def address(self) -> PostalAddress:
        return PostalAddress(self.street, self.zip_code, self.city, self.country, self.email)


class AddressOut(ApiModel):
    street: str | None
    zip_code: str | None
    city: str | None
    country: str | None
    email: str | None


class EInvoicingIn(ApiInput):
    format: EInvoiceFormat | None = Field(None, description="The format it wants")
    buyer_reference: str | None = Field(
        None, description="BT-10: the Leitweg-ID of a German public buyer (XRechnung needs one)"
    )
    electronic_address: str | None = Field(None, description="BT-49; default: the e-mail")
    electronic_address_scheme: str | None = Field(None, description="BT-49-1, CEF EAS code")

    def parameters(self) -> EInvoicing:
        return EInvoicing(
            self.format,
            self.buyer_reference,
            self.electronic_address,
            self.electronic_address_scheme,
        )


class EInvoicingOut(ApiModel):
    format: EInvoiceFormat | None
    buyer_reference: str | None
    electronic_address: str | None
    electronic_address_scheme: str | None


class PaymentAccountIn(ApiInput):
    iban: str = Field(description="Checked (check digits, national format); stored compact")
    bic: str | None = Field(None, description="Absent: the BIC of the IBAN's bank, where known")
    account_holder: str

    def draft(self) -> AccountDraft:
        return AccountDraft(iban=self.iban, bic=self.bic, account_holder=self.account_holder)


class PaymentAccountOut(ApiModel):
    id: uuid.UUID
    iban: str
    bic: str | None
    account_holder: str
    created_at: datetime


class CustomerOut(ApiModel):
    id: uuid.UUID
    customer_number: str | None
    type: CustomerType
    company_name: str | None
    first_name: str | None
    last_name: str | None
    vat_id: str | None
    country: str
    currency: str
    invoice_address: AddressOut
    shipping_address: AddressOut | None
    payment_method: PaymentMethod
    e_invoicing: EInvoicingOut | None = Field(None)
    payment_accounts: list[PaymentAccountOut]
    payment_details_apply_to: Literal["FUTURE_CHARGES"] = Field(description=FUTURE)
    created_at: datetime
    updated_at: datetime


class CustomerIn(ApiInput):
    customer_number: str | None = Field(None, description=NUMBER_HELP)
    type: CustomerType = Field(description="Stored as given; B2B needs companyName")
    company_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    vat_id: str | None = Field(None, description=VAT_HELP)
    country: str | None = Field(None, description="ISO 3166 alpha-2; default AT")
    currency: str | None = Field(None, description="ISO 4217; default: the tenant's currency")
    invoice_address: AddressIn | None = None
    shipping_address: AddressIn | None = None
    payment_method: PaymentMethod = Field(PaymentMethod.BANK_TRANSFER, description=FUTURE)
    e_invoicing: EInvoicingIn | None = Field(None)
    payment_accounts: list[PaymentAccountIn] = Field(default_factory=list, max_length=20)

    def draft(self) -> CustomerDraft:
        return CustomerDraft(
            customer_type=self.type,
            customer_number=self.customer_number,
            company_name=self.company_name,
            first_name=self.first_name,
            last_name=self.last_name,
            vat_id=self.vat_id,
            country=self.country,
            currency=self.currency,
            invoice_address=self.invoice_address.address()
            if self.invoice_address
            else PostalAddress(),
            shipping_address=self.shipping_address.address() if self.shipping_address else None,
            payment_method=self.payment_method,
            e_invoicing=self.e_invoicing.parameters() if self.e_invoicing else None,
        )


class CustomerChange(ApiInput):
    """PATCH: fields left out stay; an address given replaces the whole address (null: no
    shipping address)."""

    customer_number: str = Field(None, description=NUMBER_HELP)  # type: ignore[assignment]
    type: CustomerType = Field(None)  # type: ignore[assignment]
    company_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    vat_id: str | None = Field(None, description=VAT_HELP)
    country: str = Field(None)  # type: ignore[assignment]
    currency: str = Field(None)  # type: ignore[assignment]
    invoice_address: AddressIn | None = None
    shipping_address: AddressIn | None = None
    payment_method: PaymentMethod = Field(None, description=FUTURE)  # type: ignore[assignment]
    e_invoicing: EInvoicingIn | None = Field(None, description="Replaced whole")

    def patch(self) -> CustomerPatch:
        given = self.model_fields_set
        values: dict[str, Any] = {}
        for name in given:
            value = getattr(self, name)
            if isinstance(value, EInvoicingIn):
                value = value.parameters()
            values[name] = value.address() if isinstance(value, AddressIn) else value
        if "type" in values:
            values["customer_type"] = values.pop("type")
        return CustomerPatch(**{k: values.get(k, UNSET) for k in _PATCHABLE})


_PATCHABLE = tuple(CustomerPatch.__dataclass_fields__)


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get("", response_model=Page[CustomerOut], responses=CSV_RESPONSE, summary="List customers")
def list_customers(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("customers:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    found = list_response(request, read.customer_list(_tenant(actor)), params, rt, "customers.csv")
    if isinstance(found, dict):
        found["items"] = read.with_payment_accounts(
            db=rt.db, tenant_id=_tenant(actor), items=found["items"]
        )
    return found


@router.post("", response_model=CustomerOut, status_code=201, summary="Create a customer")
def create_customer(
    body: CustomerIn, actor: Actor = requires("customers:write"), rt: Runtime = Depends(runtime)
) -> Any:
    created = service.create_customer(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        draft=body.draft(),
        accounts=[a.draft() for a in body.payment_accounts],
        clock=rt.clock,
    )
    return created.snapshot()


@router.get("/{customer_id}", response_model=CustomerOut, summary="Get a customer")
def read_customer(
    customer_id: uuid.UUID,
    actor: Actor = requires("customers:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return read.get_customer(db=rt.db, tenant_id=_tenant(actor), customer_id=customer_id)


@router.patch("/{customer_id}", response_model=CustomerOut, summary="Change a customer")
def patch_customer(
    customer_id: uuid.UUID,
    body: CustomerChange,
    actor: Actor = requires("customers:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    changed = service.update_customer(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        customer_id=customer_id,
        patch=body.patch(),
        clock=rt.clock,
    )
    return changed.snapshot()


@router.post(
    "/{customer_id}/payment-accounts",
    response_model=PaymentAccountOut,
    status_code=201,
    summary="Add a payment account (applies to future charges)",
)
def add_payment_account(
    customer_id: uuid.UUID,
    body: PaymentAccountIn,
    actor: Actor = requires("customers:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    added = service.add_payment_account(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        customer_id=customer_id,
        account=body.draft(),
        clock=rt.clock,
    )
    return added.snapshot()


@router.delete(
    "/{customer_id}/payment-accounts/{account_id}",
    status_code=204,
    summary="Remove a payment account (a SEPA direct debit customer keeps its last one)",
)
def remove_payment_account(
    customer_id: uuid.UUID,
    account_id: uuid.UUID,
    actor: Actor = requires("customers:write"),
    rt: Runtime = Depends(runtime),
) -> Response:
    service.remove_payment_account(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        customer_id=customer_id,
        account_id=account_id,
        clock=rt.clock,
    )
    return Response(status_code=204)
