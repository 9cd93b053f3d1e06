"""A tenant's security settings (issue 4): password policy, 2FA, brute-force protection;
and the reset of a user's second factor. Admin/SuperUser only (security-settings scopes)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import Field

from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.domain.identity.security import SecurityPolicy
from beleg.services.identity import security as service
from beleg.services.identity import totp

router = APIRouter(tags=["Security settings"], route_class=BelegRoute)


class SecuritySettings(ApiModel):
    password_min_length: int = Field(description="8 to 128; default 12")
    password_max_age_days: int | None = Field(
        description="Days until a password must be changed; null: never"
    )
    require_2fa: bool = Field(alias="require2fa", description="Every user signs in with TOTP")
    lockout_threshold: int = Field(
        description="Failed logins before a lockout (per user name and per client address)"
    )
    lockout_minutes: int = Field(description="How long a lockout lasts")


class SecuritySettingsUpdate(ApiInput):
    password_min_length: int | None = None
    password_max_age_days: int | None = None
    require_2fa: bool | None = Field(None, alias="require2fa")
    lockout_threshold: int | None = None
    lockout_minutes: int | None = None


def _out(policy: SecurityPolicy) -> dict[str, Any]:
    values = asdict(policy)
    return {
        "passwordMinLength": values["password_min_length"],
        "passwordMaxAgeDays": values["password_max_age_days"],
        "require2fa": values["require_2fa"],
        "lockoutThreshold": values["lockout_threshold"],
        "lockoutMinutes": values["lockout_minutes"],
    }


@router.get("/tenant-config/security", response_model=SecuritySettings)
def read_settings(
    actor: Actor = requires("security-settings:read"), rt: Runtime = Depends(runtime)
) -> Any:
    return _out(service.read_policy(db=rt.db, tenant_id=actor.principal.tenant_id))


@router.put("/tenant-config/security", response_model=SecuritySettings)
def update_settings(
    body: SecuritySettingsUpdate,
    actor: Actor = requires("security-settings:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    return _out(
        service.update_policy(
            db=rt.db,
            actor=actor,
            tenant_id=actor.principal.tenant_id,
            changes=changes,
            clock=rt.clock,
        )
    )


@router.delete(
    "/users/{user_id}/two-factor",
    status_code=204,
    summary="Remove a user's second factor (lost device); audited",
)
def reset_two_factor(
    user_id: uuid.UUID,
    actor: Actor = requires("security-settings:write"),
    rt: Runtime = Depends(runtime),
) -> Response:
    totp.reset(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, user_id=user_id, clock=rt.clock
    )
    return Response(status_code=204)
