"""Units of measure for items, receipts and documents (seed 003 ``UnitOfMeasureDto``).

``id`` is the short code used in UOM fields (the seed's examples use ``PC``); each unit maps to
its UN/ECE Recommendation 20 code, which EN 16931 requires for BT-130 on e-invoices.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    unece_code: str
    name_de: str
    description_de: str
    name_en: str
    description_en: str


UNITS: tuple[Unit, ...] = (
    Unit("PC", "H87", "Stk", "Stück", "pc", "Piece"),
    Unit("C62", "C62", "Einh.", "Einheit", "unit", "One (unit)"),
    Unit("LS", "LS", "psch.", "Pauschale", "l.s.", "Lump sum"),
    Unit("SET", "SET", "Set", "Set", "set", "Set"),
    Unit("PKG", "XPK", "Pkg", "Packung", "pkg", "Package"),
    Unit("MIN", "MIN", "Min", "Minute", "min", "Minute"),
    Unit("H", "HUR", "Std", "Stunde", "h", "Hour"),
    Unit("DAY", "DAY", "Tag", "Tag", "day", "Day"),
    Unit("WEEK", "WEE", "Wo", "Woche", "wk", "Week"),
    Unit("MONTH", "MON", "Mon", "Monat", "mo", "Month"),
    Unit("QUARTER", "QAN", "Quartal", "Quartal", "qtr", "Quarter"),
    Unit("YEAR", "ANN", "Jahr", "Jahr", "yr", "Year"),
    Unit("G", "GRM", "g", "Gramm", "g", "Gram"),
    Unit("KG", "KGM", "kg", "Kilogramm", "kg", "Kilogram"),
    Unit("T", "TNE", "t", "Tonne", "t", "Tonne"),
    Unit("MM", "MMT", "mm", "Millimeter", "mm", "Millimetre"),
    Unit("CM", "CMT", "cm", "Zentimeter", "cm", "Centimetre"),
    Unit("M", "MTR", "m", "Meter", "m", "Metre"),
    Unit("KM", "KMT", "km", "Kilometer", "km", "Kilometre"),
    Unit("M2", "MTK", "m²", "Quadratmeter", "m²", "Square metre"),
    Unit("M3", "MTQ", "m³", "Kubikmeter", "m³", "Cubic metre"),
    Unit("L", "LTR", "l", "Liter", "l", "Litre"),
    Unit("KWH", "KWH", "kWh", "Kilowattstunde", "kWh", "Kilowatt hour"),
    Unit("GB", "E34", "GB", "Gigabyte", "GB", "Gigabyte"),
    Unit("TB", "E35", "TB", "Terabyte", "TB", "Terabyte"),
    Unit("USER", "IE", "Benutzer", "Benutzer (Person)", "user", "User (person)"),
    Unit(
        "TRANSACTION",
        "E48",
        "Vorgang",
        "Vorgang (Dienstleistungseinheit)",
        "txn",
        "Service unit (transaction)",
    ),
)
