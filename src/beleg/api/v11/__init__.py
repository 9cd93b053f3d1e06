"""The accounting API (/api/1.1), wire-compatible with seed 003."""

from fastapi import APIRouter

from beleg.api.routing import BelegRoute
from beleg.api.v11 import foundation


def router() -> APIRouter:
    api = APIRouter(prefix="/api/1.1", route_class=BelegRoute)
    api.include_router(foundation.router)
    return api
