"""The tenant's test clock (test-mode tenants only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import Field

from beleg.api.inputs import BusinessDateTime
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiInput, ApiModel
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.services.billing.catch_up import catch_up
from beleg.services.tenancy import test_clock as service

router = APIRouter(prefix="/test-clock", tags=["Test clock"], route_class=BelegRoute)


class TestClockOut(ApiModel):
    mode: str = Field(description="SYSTEM (wall time) or FROZEN")
    now: datetime = Field(description="The tenant's current business time")
    frozen_at: datetime | None


class TestClockSet(ApiInput):
    frozen_at: BusinessDateTime = Field(
        description="With offset; never before the current frozen time"
    )


class TestClockAdvance(ApiInput):
    seconds: int = Field(0, ge=0, le=10**9)
    days: int = Field(0, ge=0, le=36_500)


def _out(frozen: datetime | None, rt: Runtime) -> dict[str, Any]:
    return {
        "mode": "FROZEN" if frozen else "SYSTEM",
        "now": frozen or rt.clock.now(),
        "frozenAt": frozen,
    }


@router.get("", response_model=TestClockOut, summary="The tenant's business time")
def read_clock(actor: Actor = requires("test-clock:read"), rt: Runtime = Depends(runtime)) -> Any:
    return _out(service.read_test_clock(db=rt.db, tenant_id=actor.principal.tenant_id), rt)


@router.put("", response_model=TestClockOut, summary="Freeze the tenant's time at an instant")
def set_clock(
    body: TestClockSet, actor: Actor = requires("test-clock:write"), rt: Runtime = Depends(runtime)
) -> Any:
    frozen = service.set_test_clock(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        frozen_at=body.frozen_at,
        clock=rt.clock,
    )
    _catch_up(actor, rt)
    return _out(frozen, rt)


@router.post("/advance", response_model=TestClockOut, summary="Move the tenant's time forward")
def advance_clock(
    body: TestClockAdvance,
    actor: Actor = requires("test-clock:write"),
    rt: Runtime = Depends(runtime),
) -> Any:
    frozen = service.advance_test_clock(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        by=timedelta(days=body.days, seconds=body.seconds),
        clock=rt.clock,
    )
    _catch_up(actor, rt)
    return _out(frozen, rt)


@router.delete("", status_code=204, summary="Return to system time")
def release_clock(
    actor: Actor = requires("test-clock:write"), rt: Runtime = Depends(runtime)
) -> Response:
    service.release_test_clock(
        db=rt.db, actor=actor, tenant_id=actor.principal.tenant_id, clock=rt.clock
    )
    return Response(status_code=204)


def _catch_up(actor: Actor, rt: Runtime) -> None:
    """What fires when time passes, before the answer (``services/billing/catch_up``)."""
    catch_up(
        db=rt.db,
        actor=actor,
        tenant_id=actor.principal.tenant_id,
        clock=rt.clock,
        chunk_size=rt.settings.billing_chunk_size,
    )
