"""Foundation data (seed 003 §4.7): countries, regions, currencies, units of measure; the
user's notifications and logout."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field

from beleg.api.language import preferred_language
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel
from beleg.api.security import requires
from beleg.api.v11.rendering import AccountingJSON
from beleg.domain.errors import NotFound
from beleg.domain.identity.principal import Actor
from beleg.messages import text
from beleg.queries.foundation import reference_data as data
from beleg.services.identity import notifications, oauth_tokens

router = APIRouter(tags=["Foundation"], route_class=BelegRoute)


class CountryDto(ApiModel):
    id: str
    name: str


class RegionDto(ApiModel):
    id: str
    name: str


class CurrencyDto(ApiModel):
    id: str
    name: str


class UnitOfMeasureDto(ApiModel):
    id: str
    name: str
    description: str


class NotificationDto(ApiModel):
    sender: str
    text: str
    priority: str = Field(description="NONE, HIGH or URGENT")
    date_time: datetime = Field(description="When it was created (UTC)")


@router.get("/countries", response_model=list[CountryDto], operation_id="getAllCountries")
def countries(request: Request, actor: Actor = requires("foundation:read")) -> list[dict[str, str]]:
    return data.list_countries(preferred_language(request))


@router.get("/countries/{country}", response_model=CountryDto, operation_id="getCountry")
def country(
    country: str, request: Request, actor: Actor = requires("foundation:read")
) -> dict[str, str]:
    return data.get_country(country, preferred_language(request))


@router.get(
    "/countries/{country}/regions", response_model=list[RegionDto], operation_id="getAllRegions"
)
def regions(
    country: str, request: Request, actor: Actor = requires("foundation:read")
) -> list[dict[str, str]]:
    return data.list_regions(country, preferred_language(request))


@router.get(
    "/countries/{country}/regions/{region}", response_model=RegionDto, operation_id="getRegion"
)
def region(
    country: str, region: str, request: Request, actor: Actor = requires("foundation:read")
) -> dict[str, str]:
    return data.get_region(country, region, preferred_language(request))


@router.get("/currencies", response_model=list[CurrencyDto], operation_id="getAllCurrencies")
def currencies(
    request: Request, actor: Actor = requires("foundation:read")
) -> list[dict[str, str]]:
    return data.list_currencies(preferred_language(request))


@router.get(
    "/units_of_measure", response_model=list[UnitOfMeasureDto], operation_id="getAllUnitsOfMeasure"
)
def units(request: Request, actor: Actor = requires("foundation:read")) -> list[dict[str, str]]:
    return data.list_units(preferred_language(request))


@router.delete(
    "/session",
    status_code=204,
    operation_id="logout",
    summary="Log out: revoke the session of a refresh token (seed 003 §4.7.8)",
)
def logout(
    refresh_token: str, actor: Actor = requires("foundation:read"), rt: Runtime = Depends(runtime)
) -> Response:
    if not oauth_tokens.logout(db=rt.db, actor=actor, refresh_token=refresh_token, clock=rt.clock):
        raise NotFound("foundation.session_not_found", field="refresh_token")
    return Response(status_code=204)


@router.post(
    "/notifications",
    response_model=list[NotificationDto],
    response_class=AccountingJSON,
    operation_id="getUnreadNotifications",
    summary="The user's unread notifications, which are marked read (seed 003 §4.7.7)",
)
def unread_notifications(
    request: Request, actor: Actor = requires("foundation:read"), rt: Runtime = Depends(runtime)
) -> Response:
    language = preferred_language(request)
    taken = notifications.take_unread(db=rt.db, actor=actor, clock=rt.clock)
    return AccountingJSON(
        [
            {
                "sender": text("identity.notification_sender", language),
                "text": text(n.message, language, **n.params),
                "priority": n.priority.value,
                "dateTime": n.created_at,
            }
            for n in taken
        ]
    )
