"""The audit trail via API (seed 001): list, filter, export, verify."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from beleg.api.inputs import WholeNumber
from beleg.api.listing import CSV_RESPONSE, ListParams, list_response
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import MAX_BIGINT, ApiModel, Page
from beleg.api.security import requires
from beleg.domain.identity.principal import Actor
from beleg.queries.audit.trail import audit_list, get_audit_entry
from beleg.queries.audit.verification import verify_tenant_chain

router = APIRouter(prefix="/audit-trail", tags=["Audit trail"], route_class=BelegRoute)


class AuditEntryOut(ApiModel):
    seq: int
    occurred_at: datetime
    actor_type: str
    actor_id: str | None
    actor_name: str
    ip_address: str | None
    request_id: str | None
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str


class ChainBreakOut(ApiModel):
    seq: int
    reason: str


class VerificationOut(ApiModel):
    intact: bool
    entries: int
    breaks: list[ChainBreakOut]


@router.get(
    "",
    response_model=Page[AuditEntryOut],
    responses=CSV_RESPONSE,
    summary="List audit entries (newest first)",
)
def list_entries(
    request: Request,
    params: ListParams = Depends(),
    actor: Actor = requires("audit-trail:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    spec = audit_list(actor.principal.tenant_id)
    return list_response(request, spec, params, rt, "audit-trail.csv")


@router.get(
    "/verification", response_model=VerificationOut, summary="Verify the tenant's hash chain"
)
def verify(actor: Actor = requires("audit-trail:read"), rt: Runtime = Depends(runtime)) -> Any:
    result = verify_tenant_chain(db=rt.db, tenant_id=actor.principal.tenant_id)
    return {
        "intact": result.intact,
        "entries": result.entries,
        "breaks": [{"seq": b.seq, "reason": b.reason} for b in result.breaks],
    }


@router.get("/{seq}", response_model=AuditEntryOut, summary="Get one audit entry")
def read_entry(
    seq: Annotated[WholeNumber, Path(ge=1, le=MAX_BIGINT)],
    actor: Actor = requires("audit-trail:read"),
    rt: Runtime = Depends(runtime),
) -> Any:
    return get_audit_entry(db=rt.db, tenant_id=actor.principal.tenant_id, seq=seq)
