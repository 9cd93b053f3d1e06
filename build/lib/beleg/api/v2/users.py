"""Users of the tenant and their roles."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from beleg import messages
from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel, Page
from beleg.api.security import requires
from beleg.api.v2.api_keys import ApiKeyOut
from beleg.domain.identity.principal import Actor
from beleg.queries.identity.lists import get_user, user_item, user_list
from beleg.services.identity import users as service

router = APIRouter(prefix="/users", tags=["Users"], route_class=BelegRoute)


class UserOut(ApiModel):
    id: uuid.UUID
    username: str
    display_name: str
    email: str | None
    role: str = Field(description="VIEWER, ACCOUNTANT, ADMIN or SUPERUSER")
    password_changed_at: datetime
    created_at: datetime
    updated_at: datetime


class UserDetail(UserOut):
    api_keys: list[ApiKeyOut] = Field(description="API keys this user created")


class UserCreate(ApiInput):
    username: str = Field(description="a-z, A-Z, 0-9 and . _ - @; stored in lower case")
    password: str = Field(description="At least 12 characters; stored only as argon2id hash")
    role: str
    display_name: str | None = None
    email: str | None = None


class UserUpdate(ApiInput):
    display_name: str | None = None
    email: str | None = None
    role: str | None = None
    password: str | None = None


class UserDeleted(ApiModel):
    deleted: UserOut
    kept_api_key_ids: list[uuid.UUID]
    message: str


@router.get("", response_model=Page[UserOut], responses=CSV_RESPONSE, summary="List users")
def list_users(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("users:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return list_response(request, user_list(actor.principal.tenant_id), params, rt, "users.csv")


@router.post("", response_model=UserOut, status_code=201, summary="Create a user")
def create_user(
    body: UserCreate, actor: Actor = requires("users:write"), rt: Runtime = Depends(runtime)
) -> Any:
    user = service.create_user(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        clock=rt.clock,
        **body.model_dump(),
    )
    return user_item(user)


@router.get("/{user_id}", response_model=UserDetail, summary="Get a user and their API keys")
def read_user(
    user_id: uuid.UUID, actor: Actor = requires("users:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return get_user(
        db=rt.db, tenant_id=actor.principal.tenant_id, user_id=user_id, now=rt.clock.now()
    )


@router.patch("/{user_id}", response_model=UserOut, summary="Change a user")
def patch_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    actor: Actor = requires("users:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    user = service.update_user(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        user_id=user_id,
        changes=body.model_dump(exclude_unset=True),
        clock=rt.clock,
    )
    return user_item(user)


@router.delete(
    "/{user_id}", response_model=UserDeleted, summary="Delete a user (their API keys are kept)"
)
def delete_user(
    user_id: uuid.UUID, actor: Actor = requires("users:write"), rt: Runtime = Depends(runtime)
) -> Any:
    result = service.delete_user(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, user_id=user_id, clock=rt.clock
    )
    kept = list(result.kept_api_key_ids)
    message = (  # /v2 answers in English
        messages.text("identity.user_deleted_keys_kept", messages.ENGLISH, count=len(kept))
        if kept
        else messages.text("identity.user_deleted", messages.ENGLISH)
    )
    return {"deleted": user_item(result.user), "keptApiKeyIds": kept, "message": message}
