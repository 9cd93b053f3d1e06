"""Payment terms and PDF layout setups (seed 003 §3.4 "Setup lookups"): list, create, read,
replace. Exactly one of each is the default; making another one the default clears the old
one. The accounting API lists the same rows at /api/1.1/payment_terms and /layout_setups."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.queries.documents import setup as read
from beleg.services.documents import setup as service

router = APIRouter(tags=["Invoicing setup"], route_class=BelegRoute)

Texts = dict[str, dict[str, dict[str, str]]]
TEXTS_HELP = (
    "Printed texts per document type (INVOICE, CREDIT_MEMO, DELIVERY_NOTE, OFFER, "
    "ORDER_CONFIRMATION) and language (de, en): {description, footer}"
)


class PaymentTermOut(ApiModel):
    id: uuid.UUID
    name: str
    description: str
    due_days: int = Field(description="Due date = document date + dueDays")
    dunning_days: int = Field(description="Dunning date = document date + dunningDays")
    fixed_due_date: bool = Field(description="The due date may not be set by hand")
    default_term: bool
    created_at: datetime
    updated_at: datetime


class PaymentTermIn(ApiInput):
    name: str = Field(description="1 to 100 characters")
    description: str = Field("", description="Not printed")
    due_days: int = Field(description="0 to 3650")
    dunning_days: int | None = Field(None, description="0 to 3650; default: dueDays")
    fixed_due_date: bool = False
    default_term: bool = Field(False, description="true makes this the default term")


class Sender(ApiModel):
    company_name: str | None = None
    address_lines: list[str] = Field(default_factory=list, description="At most 6 lines")
    vat_id: str | None = None
    iban: str | None = None
    bic: str | None = None
    bank_name: str | None = None


class SenderIn(ApiInput, Sender):
    pass


class LayoutSetupOut(ApiModel):
    id: uuid.UUID
    description: str
    default_setup: bool
    language: str = Field(description="de or en: the language the PDF prints in")
    texts: Texts = Field(description=TEXTS_HELP)
    sender: Sender
    created_at: datetime
    updated_at: datetime


class LayoutSetupIn(ApiInput):
    description: str = Field(description="1 to 500 characters")
    language: str = Field("de", description="de or en")
    texts: Texts | None = Field(
        None,
        description=TEXTS_HELP + "; omitted: the standard "
        "texts (new setups) or the current ones (replace)",
    )
    sender: SenderIn | None = None
    default_setup: bool = Field(False, description="true makes this the default setup")


def _tenant(actor: Actor) -> uuid.UUID:
    return actor.principal.tenant_id


@router.get(
    "/payment-terms",
    response_model=Page[PaymentTermOut],
    responses=CSV_RESPONSE,
    summary="List payment terms",
)
def list_payment_terms(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("documents:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(
        request, read.payment_term_list(_tenant(actor)), params, rt, "payment-terms.csv"
    )


@router.post(
    "/payment-terms",
    response_model=PaymentTermOut,
    status_code=201,
    summary="Create a payment term",
)
def create_payment_term(
    body: PaymentTermIn, actor: Actor = requires("documents:write"), rt: Runtime = Depends(runtime)
) -> Any:
    row = service.save_payment_term(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), values=body.model_dump(), clock=rt.clock
    )
    return read.payment_term_item(row)


@router.get("/payment-terms/{term_id}", response_model=PaymentTermOut, summary="Get a payment term")
def read_payment_term(
    term_id: uuid.UUID, actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_payment_term(db=rt.db, tenant_id=_tenant(actor), term_id=term_id)


@router.put(
    "/payment-terms/{term_id}", response_model=PaymentTermOut, summary="Replace a payment term"
)
def replace_payment_term(
    term_id: uuid.UUID,
    body: PaymentTermIn,
    actor: Actor = requires("documents:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    row = service.save_payment_term(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        values=body.model_dump(),
        clock=rt.clock,
        term_id=term_id,
    )
    return read.payment_term_item(row)


@router.get(
    "/layout-setups",
    response_model=Page[LayoutSetupOut],
    responses=CSV_RESPONSE,
    summary="List PDF layout setups",
)
def list_layout_setups(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("documents:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(
        request, read.layout_setup_list(_tenant(actor)), params, rt, "layout-setups.csv"
    )


@router.post(
    "/layout-setups",
    response_model=LayoutSetupOut,
    status_code=201,
    summary="Create a PDF layout setup",
)
def create_layout_setup(
    body: LayoutSetupIn, actor: Actor = requires("documents:write"), rt: Runtime = Depends(runtime)
) -> Any:
    row = service.save_layout_setup(
        db=rt.db, actor=actor, tenant_id=_tenant(actor), values=body.model_dump(), clock=rt.clock
    )
    return read.layout_setup_item(row)


@router.get(
    "/layout-setups/{setup_id}", response_model=LayoutSetupOut, summary="Get a PDF layout setup"
)
def read_layout_setup(
    setup_id: uuid.UUID, actor: Actor = requires("documents:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return read.get_layout_setup(db=rt.db, tenant_id=_tenant(actor), setup_id=setup_id)


@router.put(
    "/layout-setups/{setup_id}", response_model=LayoutSetupOut, summary="Replace a PDF layout setup"
)
def replace_layout_setup(
    setup_id: uuid.UUID,
    body: LayoutSetupIn,
    actor: Actor = requires("documents:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    row = service.save_layout_setup(
        db=rt.db,
        actor=actor,
        tenant_id=_tenant(actor),
        values=body.model_dump(),
        clock=rt.clock,
        setup_id=setup_id,
    )
    return read.layout_setup_item(row)
