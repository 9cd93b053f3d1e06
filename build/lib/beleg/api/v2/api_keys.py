"""API keys with explicit scopes and a validity (seed 000/001)."""

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
from beleg.queries.identity.lists import api_key_item, api_key_list, get_api_key
from beleg.services.identity import api_keys as service

router = APIRouter(prefix="/api-keys", tags=["API keys"], route_class=BelegRoute)


class ApiKeyOut(ApiModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="Shown in clear to recognise the key: blg_<prefix>_...")
    scopes: list[str]
    validity_days: int | None = Field(description="7, 30, 60, 90, or null for unlimited")
    expires_at: datetime | None
    status: str = Field(description="ACTIVE or EXPIRED, derived from expiresAt")
    created_at: datetime
    updated_at: datetime
    created_by: str = Field(description="Name of the creating user or key")
    created_by_user_id: uuid.UUID | None
    created_by_key_id: uuid.UUID | None


class ApiKeyCreated(ApiKeyOut):
    token: str = Field(description="The secret. Shown only in this response; store it now.")


class ApiKeyCreate(ApiInput):
    name: str
    scopes: list[str] = Field(description="Names from GET /v2/scopes")
    validity_days: int | None = Field(description="7, 30, 60, 90, or null for unlimited")


class ApiKeyUpdate(ApiInput):
    name: str | None = None
    scopes: list[str] | None = None


@router.get("", response_model=Page[ApiKeyOut], responses=CSV_RESPONSE, summary="List API keys")
def list_keys(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("api-keys:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    spec = api_key_list(actor.principal.tenant_id, rt.clock.now())
    return list_response(request, spec, params, rt, "api-keys.csv")


@router.post("", response_model=ApiKeyCreated, status_code=201, summary="Create an API key")
def create_key(
    body: ApiKeyCreate, actor: Actor = requires("api-keys:write"), rt: Runtime = Depends(runtime)
) -> Any:
    created = service.create_api_key(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        name=body.name,
        scopes=body.scopes,
        validity_days=body.validity_days,
        clock=rt.clock,
    )
    return {**api_key_item(created.key, rt.clock.now()), "token": created.token}


@router.get("/{key_id}", response_model=ApiKeyOut, summary="Get an API key")
def read_key(
    key_id: uuid.UUID, actor: Actor = requires("api-keys:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return get_api_key(
        db=rt.db, tenant_id=actor.principal.tenant_id, key_id=key_id, now=rt.clock.now()
    )


@router.patch("/{key_id}", response_model=ApiKeyOut, summary="Rename a key or change scopes")
def patch_key(
    key_id: uuid.UUID,
    body: ApiKeyUpdate,
    actor: Actor = requires("api-keys:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    row = service.update_api_key(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        key_id=key_id,
        name=body.name,
        scopes=body.scopes,
        clock=rt.clock,
    )
    return api_key_item(row, rt.clock.now())


@router.delete("/{key_id}", status_code=204, summary="Delete (revoke) an API key")
def delete_key(
    key_id: uuid.UUID, actor: Actor = requires("api-keys:write"), rt: Runtime = Depends(runtime)
) -> None:
    service.delete_api_key(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, key_id=key_id, clock=rt.clock
    )
