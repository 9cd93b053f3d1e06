"""Foundation data (seed 003 §4.7): countries, regions, currencies, units of measure."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from beleg.api.language import preferred_language
from beleg.api.routing import BelegRoute
from beleg.api.runtime import Runtime, runtime
from beleg.api.schemas import ApiModel
from beleg.api.security import requires
from beleg.domain.errors import NotFound
from beleg.domain.identity.principal import Actor
from beleg.queries.foundation import reference_data as data
from beleg.services.identity import oauth_tokens

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
