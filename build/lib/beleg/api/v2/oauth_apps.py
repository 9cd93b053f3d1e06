"""OAuth2 client applications (issue 4): registered by an admin, with exact redirect URIs,
allowed grant types and scopes; confidential apps get a secret shown once. A user starts a
pairing for an app here (seed 003 §2.1.2)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import Field

from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel
from beleg.api.security import requires
from beleg.domain.identity.oauth import OAuthApp
from beleg.domain.identity.principal import Actor
from beleg.services.identity import oauth_apps as service

router = APIRouter(prefix="/oauth-apps", tags=["OAuth apps"], route_class=BelegRoute)


class OAuthAppOut(ApiModel):
    id: uuid.UUID
    client_id: str
    name: str
    confidential: bool = Field(description="Has a client secret (server-based apps)")
    redirect_uris: list[str]
    grant_types: list[str]
    scopes: list[str]
    created_at: datetime
    created_by_name: str
    issuer_jwks: dict[str, Any] | None = Field(
        None, description="Public keys of a trusted app's JWT bearer assertions"
    )


class OAuthAppCreated(OAuthAppOut):
    client_secret: str | None = Field(description="Shown only in this response")


class OAuthAppCreate(ApiInput):
    name: str
    confidential: bool = Field(
        description="Server-based app with a secret; native or "
        "browser apps are public and must not send one"
    )
    redirect_uris: list[str] = Field(
        default_factory=list, description="Exact URIs; https, or http on a loopback address"
    )
    grant_types: list[str] = Field(description="password (pairing), refresh_token, ...")
    scopes: list[str] = Field(description="The most any token of this app may carry")


class PairingOut(ApiModel):
    code: str = Field(description="Enter it in the app; valid 5 minutes, once")
    expires_at: datetime


def _out(app: OAuthApp) -> dict[str, Any]:
    """An app as the API shows it (no secret hash, but whether it has one)."""
    return {
        "id": app.id,
        "clientId": app.client_id,
        "name": app.name,
        "confidential": app.confidential,
        "redirectUris": list(app.redirect_uris),
        "grantTypes": list(app.grant_types),
        "scopes": list(app.scopes),
        "createdAt": app.created_at,
        "createdByName": app.created_by_name,
        "issuerJwks": app.issuer_jwks,
    }


@router.get("", response_model=list[OAuthAppOut], summary="List OAuth apps")
def list_apps(actor: Actor = requires("oauth-apps:read"), rt: Runtime = Depends(runtime)) -> Any:
    return [_out(r) for r in service.list_apps(db=rt.db, tenant_id=actor.principal.tenant_id)]


@router.post("", response_model=OAuthAppCreated, status_code=201, summary="Register an app")
def create_app(
    body: OAuthAppCreate,
    actor: Actor = requires("oauth-apps:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    created = service.create_app(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        name=body.name,
        confidential=body.confidential,
        redirect_uris=body.redirect_uris,
        grant_types=body.grant_types,
        scopes=body.scopes,
        clock=rt.clock,
    )
    return {**_out(created.app), "clientSecret": created.client_secret}


@router.get("/{app_id}", response_model=OAuthAppOut, summary="Get an OAuth app")
def get_app(
    app_id: uuid.UUID, actor: Actor = requires("oauth-apps:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return _out(service.get_app(db=rt.db, tenant_id=actor.principal.tenant_id, app_id=app_id))


@router.delete("/{app_id}", status_code=204, summary="Remove an OAuth app")
def delete_app(
    app_id: uuid.UUID, actor: Actor = requires("oauth-apps:write"), rt: Runtime = Depends(runtime)
) -> Response:
    service.delete_app(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, app_id=app_id, clock=rt.clock
    )
    return Response(status_code=204)


@router.post(
    "/{app_id}/pairings",
    response_model=PairingOut,
    status_code=201,
    summary="Start pairing the acting user with an app (seed 003 §2.1.2)",
)
def start_pairing(
    app_id: uuid.UUID, actor: Actor = requires("oauth-apps:read"), rt: Runtime = Depends(runtime)
) -> Any:
    pairing = service.start_pairing(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, app_id=app_id, clock=rt.clock
    )
    return {"code": pairing.code, "expiresAt": pairing.expires_at}


class IssuerKeys(ApiInput):
    keys: list[dict[str, Any]] = Field(description="Public JWKs (RSA or EC) of the issuer")


@router.put(
    "/{app_id}/issuer-keys",
    response_model=OAuthAppOut,
    summary="Register a trusted app's public keys (JWT bearer grant, RFC 7523)",
)
def set_issuer_keys(
    app_id: uuid.UUID,
    body: IssuerKeys,
    actor: Actor = requires("oauth-apps:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return _out(
        service.set_issuer_keys(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            app_id=app_id,
            jwks={"keys": body.keys},
            clock=rt.clock,
        )
    )


@router.put(
    "/{app_id}/consent",
    status_code=204,
    summary="Allow the app to act for the acting user (seed 003 §1)",
)
def give_consent(
    app_id: uuid.UUID, actor: Actor = requires("oauth-apps:read"), rt: Runtime = Depends(runtime)
) -> Response:
    service.set_consent(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        app_id=app_id,
        granted=True,
        clock=rt.clock,
    )
    return Response(status_code=204)


@router.delete("/{app_id}/consent", status_code=204, summary="Withdraw the acting user's consent")
def withdraw_consent(
    app_id: uuid.UUID, actor: Actor = requires("oauth-apps:read"), rt: Runtime = Depends(runtime)
) -> Response:
    service.set_consent(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        app_id=app_id,
        granted=False,
        clock=rt.clock,
    )
    return Response(status_code=204)
