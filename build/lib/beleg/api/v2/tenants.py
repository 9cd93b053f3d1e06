"""Tenants: platform administration (scopes tenants:read / tenants:write)."""

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
from beleg.api.v2.api_keys import ApiKeyCreate, ApiKeyCreated
from beleg.domain.identity.principal import Actor
from beleg.domain.identity.scopes import TENANT_SCOPES
from beleg.queries.identity.lists import api_key_item, get_tenant, tenant_list
from beleg.services.identity import api_keys as key_service
from beleg.services.onboarding import tenants as onboarding
from beleg.services.tenancy import tenants as service

router = APIRouter(prefix="/tenants", tags=["Tenants"], route_class=BelegRoute)


class TenantOut(ApiModel):
    id: uuid.UUID
    number: int = Field(description="4-digit client number (seed 003 `cid`)")
    name: str
    country: str
    accounting_mode: str = Field(description="EA single-entry, DE double-entry")
    chart_of_accounts: str = Field(description="AT-EKR, SKR03 or SKR04")
    currency: str
    timezone: str
    locale: str
    test_mode: bool
    platform: bool
    created_at: datetime
    updated_at: datetime


class TenantCreate(ApiInput):
    name: str
    country: str = Field(description="AT or DE")
    accounting_mode: str = Field(description="EA (single-entry) or DE (double-entry)")
    currency: str = "EUR"
    timezone: str | None = Field(None, description="IANA zone; default by country")
    locale: str | None = Field(None, description="de_AT, de_DE, de_CH, en_GB, en_US")
    test_mode: bool = False
    chart_of_accounts: str | None = Field(
        None, description="AT: AT-EKR (default); DE: SKR03 (default) or SKR04"
    )


class TenantUpdate(ApiInput):
    name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    country: str | None = None
    accounting_mode: str | None = None
    currency: str | None = None
    test_mode: bool | None = None
    chart_of_accounts: str | None = None


@router.get("", response_model=Page[TenantOut], responses=CSV_RESPONSE, summary="List tenants")
def list_tenants(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("tenants:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(request, tenant_list(), params, rt, "tenants.csv")


@router.post("", response_model=TenantOut, status_code=201, summary="Create a tenant")
def create_tenant(
    body: TenantCreate, actor: Actor = requires("tenants:write"), rt: Runtime = Depends(runtime)
) -> Any:
    spec = onboarding.TenantInput(**body.model_dump())
    created = onboarding.create_tenant(db=rt.db, actor=actor, spec=spec, clock=rt.clock)
    return get_tenant(db=rt.db, tenant_id=created.id)


@router.get("/{tenant_id}", response_model=TenantOut, summary="Get a tenant")
def read_tenant(
    tenant_id: uuid.UUID, actor: Actor = requires("tenants:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return get_tenant(db=rt.db, tenant_id=tenant_id)


@router.patch("/{tenant_id}", response_model=TenantOut, summary="Change a tenant's settings")
def patch_tenant(
    tenant_id: uuid.UUID,
    body: TenantUpdate,
    actor: Actor = requires("tenants:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    service.update_tenant(
        db=rt.db, actor=actor, tenant_id=tenant_id, changes=changes, clock=rt.clock
    )
    return get_tenant(db=rt.db, tenant_id=tenant_id)


@router.post(
    "/{tenant_id}/api-keys",
    response_model=ApiKeyCreated,
    status_code=201,
    summary="Create the first API key of a tenant (onboarding)",
)
def create_tenant_key(
    tenant_id: uuid.UUID,
    body: ApiKeyCreate,
    actor: Actor = requires("tenants:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    get_tenant(db=rt.db, tenant_id=tenant_id)
    created = key_service.create_api_key(
        db=rt.db,
        actor=actor,
        tenant_id=tenant_id,
        name=body.name,
        scopes=body.scopes,
        validity_days=body.validity_days,
        clock=rt.clock,
        granter_scopes=TENANT_SCOPES,
    )
    return {**api_key_item(created.key, rt.clock.now()), "token": created.token}
