"""The published scope catalogue and the role -> scope mapping."""

from __future__ import annotations

from fastapi import APIRouter

from beleg.api.routing import BelegRoute
from beleg.api.schemas import ApiModel
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.domain.identity.scopes import CATALOGUE, Role, scopes_for_role

router = APIRouter(tags=["API keys"], route_class=BelegRoute)


class ScopeOut(ApiModel):
    name: str
    resource: str
    description: str
    platform: bool


class RoleOut(ApiModel):
    role: str
    scopes: list[str]


@router.get("/scopes", response_model=list[ScopeOut], summary="List the scope catalogue")
def list_scopes(actor: Actor = requires("api-keys:read")) -> list[ScopeOut]:
    return [
        ScopeOut(name=s.name, resource=s.resource, description=s.description, platform=s.platform)
        for s in CATALOGUE
    ]


@router.get("/roles", response_model=list[RoleOut], summary="List user roles and their scopes")
def list_roles(actor: Actor = requires("users:read")) -> list[RoleOut]:
    platform = actor.principal.platform_tenant
    return [
        RoleOut(role=r.value, scopes=sorted(scopes_for_role(r, platform_tenant=platform)))
        for r in Role
    ]
