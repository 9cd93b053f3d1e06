"""Operations endpoints: liveness, readiness, Prometheus metrics. No credentials needed: they
reveal nothing about tenants (bind the port privately or filter /metrics at the proxy)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from beleg.api.inputs import CheckedRoute
from beleg.api.runtime import Runtime, runtime
from beleg.db.schema import schema_status

router = APIRouter(tags=["Operations"], route_class=CheckedRoute)
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable and schema at the latest migration")
def readyz(rt: Runtime = Depends(runtime)) -> JSONResponse:
    status = schema_status(db=rt.db)
    ready = status.reachable and status.current == status.head
    body = {
        "status": "ready" if ready else "not-ready",
        "database": status.reachable,
        "schemaRevision": status.current,
        "expectedRevision": status.head,
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(rt: Runtime = Depends(runtime)) -> Response:
    if not rt.settings.metrics_enabled:
        return Response(status_code=404)
    return Response(generate_latest(rt.metrics.registry), media_type=CONTENT_TYPE_LATEST)
