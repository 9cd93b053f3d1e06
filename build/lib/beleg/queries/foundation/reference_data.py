"""Foundation data of the accounting API, localised (German by default, English on request)."""

from __future__ import annotations

from beleg.domain.errors import NotFound
from beleg.domain.foundation.country_names import COUNTRY_NAMES
from beleg.domain.foundation.currency_names import CURRENCY_NAMES
from beleg.domain.foundation.regions import REGIONS
from beleg.domain.foundation.units import UNITS


def _english(language: str) -> bool:
    return language == "en"


def list_countries(language: str) -> list[dict[str, str]]:
    """CountryDto list: ISO 3166-1 alpha-2 code and localised name, sorted by name."""
    index = 1 if _english(language) else 0
    items = [{"id": code, "name": names[index]} for code, names in COUNTRY_NAMES.items()]
    return sorted(items, key=lambda item: item["name"])


def get_country(code: str, language: str) -> dict[str, str]:
    names = COUNTRY_NAMES.get(code.upper())
    if names is None:
        raise NotFound("foundation.country_not_found", field="country")
    return {"id": code.upper(), "name": names[1 if _english(language) else 0]}


def list_regions(country: str, language: str) -> list[dict[str, str]]:
    """RegionDto list of a country; a country without known regions answers an empty list."""
    get_country(country, language)
    english = _english(language)
    return [
        {"id": r.code, "name": r.name_en if english else r.name_de}
        for r in REGIONS.get(country.upper(), ())
    ]


def get_region(country: str, region: str, language: str) -> dict[str, str]:
    """A region of a country; an unknown country or region is not found (naming ``region``)."""
    try:
        regions = list_regions(country, language)
    except NotFound:
        regions = []
    for item in regions:
        if item["id"] == region.upper():
            return item
    raise NotFound("foundation.region_not_found", field="region")


def list_currencies(language: str) -> list[dict[str, str]]:
    """CurrencyDto list: ISO 4217 code and localised name."""
    index = 1 if _english(language) else 0
    return [{"id": code, "name": names[index]} for code, names in CURRENCY_NAMES.items()]


def list_units(language: str) -> list[dict[str, str]]:
    """UnitOfMeasureDto list."""
    english = _english(language)
    return [
        {
            "id": u.id,
            "name": u.name_en if english else u.name_de,
            "description": u.description_en if english else u.description_de,
        }
        for u in UNITS
    ]
