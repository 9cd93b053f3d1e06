"""Regions (federal states, cantons) per country.

Codes follow seed 003's style (``WIEN``: the German name in upper case, umlauts transliterated,
spaces and hyphens as ``_``); each region also carries its ISO 3166-2 code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    iso_3166_2: str
    name_de: str
    name_en: str


def _r(code: str, iso: str, de: str, en: str | None = None) -> Region:
    return Region(code, iso, de, en or de)


REGIONS: dict[str, tuple[Region, ...]] = {
    "AT": (
        _r("BURGENLAND", "AT-1", "Burgenland"),
        _r("KAERNTEN", "AT-2", "Kärnten", "Carinthia"),
        _r("NIEDEROESTERREICH", "AT-3", "Niederösterreich", "Lower Austria"),
        _r("OBEROESTERREICH", "AT-4", "Oberösterreich", "Upper Austria"),
        _r("SALZBURG", "AT-5", "Salzburg"),
        _r("STEIERMARK", "AT-6", "Steiermark", "Styria"),
        _r("TIROL", "AT-7", "Tirol", "Tyrol"),
        _r("VORARLBERG", "AT-8", "Vorarlberg"),
        _r("WIEN", "AT-9", "Wien", "Vienna"),
    ),
    "DE": (
        _r("BADEN_WUERTTEMBERG", "DE-BW", "Baden-Württemberg"),
        _r("BAYERN", "DE-BY", "Bayern", "Bavaria"),
        _r("BERLIN", "DE-BE", "Berlin"),
        _r("BRANDENBURG", "DE-BB", "Brandenburg"),
        _r("BREMEN", "DE-HB", "Bremen"),
        _r("HAMBURG", "DE-HH", "Hamburg"),
        _r("HESSEN", "DE-HE", "Hessen", "Hesse"),
        _r(
            "MECKLENBURG_VORPOMMERN",
            "DE-MV",
            "Mecklenburg-Vorpommern",
            "Mecklenburg-Western Pomerania",
        ),
        _r("NIEDERSACHSEN", "DE-NI", "Niedersachsen", "Lower Saxony"),
        _r("NORDRHEIN_WESTFALEN", "DE-NW", "Nordrhein-Westfalen", "North Rhine-Westphalia"),
        _r("RHEINLAND_PFALZ", "DE-RP", "Rheinland-Pfalz", "Rhineland-Palatinate"),
        _r("SAARLAND", "DE-SL", "Saarland"),
        _r("SACHSEN", "DE-SN", "Sachsen", "Saxony"),
        _r("SACHSEN_ANHALT", "DE-ST", "Sachsen-Anhalt", "Saxony-Anhalt"),
        _r("SCHLESWIG_HOLSTEIN", "DE-SH", "Schleswig-Holstein"),
        _r("THUERINGEN", "DE-TH", "Thüringen", "Thuringia"),
    ),
    "CH": (
        _r("AARGAU", "CH-AG", "Aargau"),
        _r("APPENZELL_AUSSERRHODEN", "CH-AR", "Appenzell Ausserrhoden"),
        _r("APPENZELL_INNERRHODEN", "CH-AI", "Appenzell Innerrhoden"),
        _r("BASEL_LANDSCHAFT", "CH-BL", "Basel-Landschaft", "Basel-Country"),
        _r("BASEL_STADT", "CH-BS", "Basel-Stadt", "Basel-City"),
        _r("BERN", "CH-BE", "Bern"),
        _r("FREIBURG", "CH-FR", "Freiburg", "Fribourg"),
        _r("GENF", "CH-GE", "Genf", "Geneva"),
        _r("GLARUS", "CH-GL", "Glarus"),
        _r("GRAUBUENDEN", "CH-GR", "Graubünden", "Grisons"),
        _r("JURA", "CH-JU", "Jura"),
        _r("LUZERN", "CH-LU", "Luzern", "Lucerne"),
        _r("NEUENBURG", "CH-NE", "Neuenburg", "Neuchâtel"),
        _r("NIDWALDEN", "CH-NW", "Nidwalden"),
        _r("OBWALDEN", "CH-OW", "Obwalden"),
        _r("SCHAFFHAUSEN", "CH-SH", "Schaffhausen"),
        _r("SCHWYZ", "CH-SZ", "Schwyz"),
        _r("SOLOTHURN", "CH-SO", "Solothurn"),
        _r("ST_GALLEN", "CH-SG", "St. Gallen"),
        _r("TESSIN", "CH-TI", "Tessin", "Ticino"),
        _r("THURGAU", "CH-TG", "Thurgau"),
        _r("URI", "CH-UR", "Uri"),
        _r("WAADT", "CH-VD", "Waadt", "Vaud"),
        _r("WALLIS", "CH-VS", "Wallis", "Valais"),
        _r("ZUG", "CH-ZG", "Zug"),
        _r("ZUERICH", "CH-ZH", "Zürich", "Zurich"),
    ),
}
