"""The tenant's company as the seller of its documents (``/v2/tenant-config/company``,
e-invoicing issue, item 0): what an e-invoice says about its seller, with the terms still
missing for EN 16931 and XRechnung. Read and written with the documents' scopes, like the
rest of the invoicing setup."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field

from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.domain.tenancy.company import CompanyData, missing_for_einvoice
from beleg.domain.tenancy.company_rules import LIMITS
from beleg.services.tenancy import company as service

router = APIRouter(tags=["Company data"], route_class=BelegRoute)
READ, WRITE = "documents:read", "documents:write"

_TERMS = {
    "legal_name": "Legal name of the seller (BT-27)",
    "trading_name": "Trading name, if other than the legal name (BT-28)",
    "street": "Address line 1 (BT-35)",
    "additional_street": "Address line 2 (BT-36)",
    "postcode": "Post code (BT-38)",
    "city": "City (BT-37)",
    "country": "ISO 3166-1 alpha-2 country code (BT-40)",
    "vat_id": "VAT identification number, stored compact: DE123456789 (BT-31)",
    "tax_number": "Tax number as the tax office wrote it, e.g. the Steuernummer (BT-32)",
    "registration_id": "Legal registration, e.g. 'HRB 12345, Amtsgericht Berlin' (BT-30)",
    "contact_name": "Seller contact point (BT-41)",
    "contact_phone": "Seller contact telephone (BT-42)",
    "contact_email": "Seller contact e-mail address (BT-43)",
    "electronic_address": "Seller electronic address (BT-34)",
    "electronic_address_scheme": (
        "Its CEF EAS scheme (BT-34-1): EM e-mail, 9930 German VAT ID, 9915 Austrian VAT ID, "
        "0204 Leitweg-ID, 0088 GLN, ...; required with an electronicAddress"
    ),
    "iban": "IBAN of the account customers pay to, stored compact (BT-84)",
    "bic": "BIC of that account (BT-86)",
    "account_holder": "Account holder (BT-85)",
    "creditor_id": "SEPA creditor identifier direct debits are collected under (BT-90)",
}


def _described(name: str) -> Any:
    return Field(None, description=f"{_TERMS[name]}; at most {LIMITS[name]} characters")


class CompanyIn(ApiInput):
    """The whole company data: a field left out or null is unset afterwards."""

    legal_name: str | None = _described("legal_name")
    trading_name: str | None = _described("trading_name")
    street: str | None = _described("street")
    additional_street: str | None = _described("additional_street")
    postcode: str | None = _described("postcode")
    city: str | None = _described("city")
    country: str | None = _described("country")
    vat_id: str | None = _described("vat_id")
    tax_number: str | None = _described("tax_number")
    registration_id: str | None = _described("registration_id")
    contact_name: str | None = _described("contact_name")
    contact_phone: str | None = _described("contact_phone")
    contact_email: str | None = _described("contact_email")
    electronic_address: str | None = _described("electronic_address")
    electronic_address_scheme: str | None = _described("electronic_address_scheme")
    iban: str | None = _described("iban")
    bic: str | None = _described("bic")
    account_holder: str | None = _described("account_holder")
    creditor_id: str | None = _described("creditor_id")


class MissingForEInvoice(ApiModel):
    en16931: list[str] = Field(description="Fields an EN 16931 e-invoice lacks (API names)")
    xrechnung: list[str] = Field(description="Fields an XRechnung lacks (API names)")


class CompanyOut(ApiModel):
    legal_name: str | None = Field(description=_TERMS["legal_name"])
    trading_name: str | None = Field(description=_TERMS["trading_name"])
    street: str | None = Field(description=_TERMS["street"])
    additional_street: str | None = Field(description=_TERMS["additional_street"])
    postcode: str | None = Field(description=_TERMS["postcode"])
    city: str | None = Field(description=_TERMS["city"])
    country: str | None = Field(description=_TERMS["country"])
    vat_id: str | None = Field(description=_TERMS["vat_id"])
    tax_number: str | None = Field(description=_TERMS["tax_number"])
    registration_id: str | None = Field(description=_TERMS["registration_id"])
    contact_name: str | None = Field(description=_TERMS["contact_name"])
    contact_phone: str | None = Field(description=_TERMS["contact_phone"])
    contact_email: str | None = Field(description=_TERMS["contact_email"])
    electronic_address: str | None = Field(description=_TERMS["electronic_address"])
    electronic_address_scheme: str | None = Field(description=_TERMS["electronic_address_scheme"])
    iban: str | None = Field(description=_TERMS["iban"])
    bic: str | None = Field(description=_TERMS["bic"])
    account_holder: str | None = Field(description=_TERMS["account_holder"])
    creditor_id: str | None = Field(description=_TERMS["creditor_id"])
    missing_for_einvoice: MissingForEInvoice = Field(
        alias="missingForEInvoice",
        description="Read-only: the terms an e-invoice still needs; while one is missing an "
        "e-invoice of that kind ends in ERROR naming it (the document is issued all the same)",
    )


def _out(company: CompanyData) -> CompanyOut:
    return CompanyOut(
        **asdict(company),
        missing_for_einvoice=MissingForEInvoice(
            en16931=missing_for_einvoice(company, xrechnung=False),
            xrechnung=missing_for_einvoice(company, xrechnung=True),
        ),
    )


@router.get(
    "/tenant-config/company",
    response_model=CompanyOut,
    summary="The company data documents and e-invoices name as their seller",
)
def read_company(actor: Actor = requires(READ), rt: Runtime = Depends(runtime)) -> Any:
    return _out(service.company_data(db=rt.db, tenant_id=actor.principal.tenant_id))


@router.put(
    "/tenant-config/company",
    response_model=CompanyOut,
    summary="Replace the company data (checked field by field; audited)",
)
def put_company(
    body: CompanyIn, actor: Actor = requires(WRITE), rt: Runtime = Depends(runtime)
) -> Any:
    given = body.model_dump(include={f.name for f in fields(CompanyData)})
    company = service.set_company_data(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        company=CompanyData(**given),
        clock=rt.clock,
    )
    return _out(company)
