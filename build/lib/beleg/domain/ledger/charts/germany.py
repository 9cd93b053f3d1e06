"""Germany: DATEV SKR03 (process structure) and SKR04 (balance-sheet structure).

Both charts hold the same accounts under different numbers, so they are built from one table
of (role, SKR03 code, SKR04 code, name). Rates per § 12 UStG: 19 % standard, 7 % reduced,
0 % for exempt supplies. Intra-community acquisitions (§ 1a UStG) and services of § 13b UStG
are self-assessed (output VAT owed, input VAT deductible). Revenue and purchase accounts with
a fixed rate are DATEV "Automatikkonten": their rate is forced.
"""

from __future__ import annotations

from decimal import Decimal

from beleg.domain.ledger.charts.model import (
    Account,
    AccountType,
    Chart,
    Modifier,
    TaxEntry,
)

L, S, U = AccountType.ASSET, AccountType.MISCELLANEOUS, AccountType.PAYMENT
E, A = AccountType.REVENUE, AccountType.EXPENSE
SELF = (Modifier.INTRA_COMMUNITY_ACQUISITION, Modifier.REVERSE_CHARGE)
RATES = ("019", "007", "000")
FREE = ("000",)

TAX_ENTRIES = (
    TaxEntry("019", "19 % Regelsteuersatz", "19 % standard rate", Decimal(19), SELF),
    TaxEntry("007", "7 % ermäßigter Steuersatz", "7 % reduced rate", Decimal(7), SELF),
    TaxEntry("000", "0 % steuerfrei / nicht steuerbar", "0 % exempt / out of scope", Decimal(0)),
)

# (SKR03, SKR04, name, type, tax codes (default first), forced)
_ROWS: tuple[tuple[str, str, str, AccountType, tuple[str, ...], bool], ...] = (
    ("0027", "0135", "EDV-Software", L, FREE, True),
    ("0320", "0520", "Pkw", L, FREE, True),
    ("0650", "0650", "Büroeinrichtung", L, FREE, True),
    ("0800", "2900", "Gezeichnetes Kapital", S, FREE, True),
    ("1000", "1600", "Kasse", U, FREE, True),
    ("1200", "1800", "Bank", U, FREE, True),
    ("1210", "1810", "Bank 2", U, FREE, True),
    ("1360", "1460", "Geldtransit", U, FREE, True),
    ("1400", "1200", "Forderungen aus Lieferungen und Leistungen", S, FREE, True),
    ("1571", "1401", "Abziehbare Vorsteuer 7 %", S, FREE, True),
    ("1574", "1404", "Abziehbare Vorsteuer aus innergemeinschaftlichem Erwerb 19 %", S, FREE, True),
    ("1576", "1406", "Abziehbare Vorsteuer 19 %", S, FREE, True),
    ("1577", "1407", "Abziehbare Vorsteuer nach § 13b UStG 19 %", S, FREE, True),
    ("1600", "3300", "Verbindlichkeiten aus Lieferungen und Leistungen", S, FREE, True),
    ("1771", "3801", "Umsatzsteuer 7 %", S, FREE, True),
    ("1774", "3804", "Umsatzsteuer aus innergemeinschaftlichem Erwerb 19 %", S, FREE, True),
    ("1776", "3806", "Umsatzsteuer 19 %", S, FREE, True),
    ("1780", "3820", "Umsatzsteuer-Vorauszahlungen", S, FREE, True),
    ("1787", "3837", "Umsatzsteuer nach § 13b UStG 19 %", S, FREE, True),
    ("1800", "2100", "Privatentnahmen allgemein", S, FREE, True),
    ("1890", "2180", "Privateinlagen", S, FREE, True),
    ("2100", "7300", "Zinsen und ähnliche Aufwendungen", A, FREE, True),
    ("2150", "6880", "Aufwendungen aus Kursdifferenzen", A, FREE, True),
    ("2400", "6930", "Forderungsverluste", A, RATES, False),
    ("2650", "7100", "Sonstige Zinsen und ähnliche Erträge", E, FREE, True),
    ("2660", "4840", "Erträge aus Kursdifferenzen", E, FREE, True),
    ("3123", "5923", "Sonstige Leistungen nach § 13b UStG 19 %", A, ("019",), True),
    ("3300", "5300", "Wareneingang 7 % Vorsteuer", A, ("007",), True),
    ("3400", "5400", "Wareneingang 19 % Vorsteuer", A, ("019",), True),
    ("3425", "5425", "Innergemeinschaftlicher Erwerb 19 %", A, ("019",), True),
    ("4100", "6000", "Löhne und Gehälter", A, FREE, True),
    ("4210", "6310", "Miete", A, RATES, False),
    ("4360", "6400", "Versicherungen", A, FREE, True),
    ("4530", "6530", "Laufende Kfz-Betriebskosten", A, RATES, False),
    ("4600", "6600", "Werbekosten", A, RATES, False),
    ("4830", "6220", "Abschreibungen auf Sachanlagen", A, FREE, True),
    ("4920", "6805", "Telefon", A, RATES, False),
    ("4930", "6815", "Bürobedarf", A, RATES, False),
    ("4950", "6825", "Rechts- und Beratungskosten", A, RATES, False),
    ("4970", "6855", "Nebenkosten des Geldverkehrs", A, FREE, True),
    ("4980", "6850", "Sonstiger Betriebsbedarf", A, RATES, False),
    ("8120", "4120", "Steuerfreie Umsätze § 4 Nr. 1a UStG (Ausfuhr)", E, FREE, True),
    (
        "8125",
        "4125",
        "Steuerfreie innergemeinschaftliche Lieferungen § 4 Nr. 1b UStG",
        E,
        FREE,
        True,
    ),
    ("8200", "4200", "Erlöse", E, RATES, False),
    ("8300", "4300", "Erlöse 7 % USt", E, ("007",), True),
    ("8337", "4337", "Erlöse aus Leistungen nach § 13b UStG", E, FREE, True),
    ("8400", "4400", "Erlöse 19 % USt", E, ("019",), True),
)

_ROLES = {  # role -> SKR03 code; SKR04 follows from _ROWS
    "receivables": "1400",
    "payables": "1600",
    "private_part": "1800",
    "exchange_gain": "2660",
    "exchange_loss": "2150",
    "input_019": "1576",
    "input_007": "1571",
    "output_019": "1776",
    "output_007": "1771",
    "ig_input": "1574",
    "ig_output": "1774",
    "rc_input": "1577",
    "rc_output": "1787",
}


def _chart(name: str, column: int) -> Chart:
    """The chart whose codes stand in ``column`` of ``_ROWS`` (0: SKR03, 1: SKR04)."""
    codes = [row[1] if column == 1 else row[0] for row in _ROWS]
    to_code = {row[0]: code for row, code in zip(_ROWS, codes, strict=True)}

    def role(key: str) -> str:
        return to_code[_ROLES[key]]

    accounts = tuple(
        Account(code, row[2], row[3], row[4], row[5])
        for row, code in zip(_ROWS, codes, strict=True)
    )
    return Chart(
        name=name,
        country="DE",
        tax_entries=TAX_ENTRIES,
        accounts=accounts,
        receivables=role("receivables"),
        payables=role("payables"),
        input_vat={"019": role("input_019"), "007": role("input_007")},
        output_vat={"019": role("output_019"), "007": role("output_007")},
        self_assessed={
            Modifier.INTRA_COMMUNITY_ACQUISITION: (role("ig_input"), role("ig_output")),
            Modifier.REVERSE_CHARGE: (role("rc_input"), role("rc_output")),
        },
        private_part=role("private_part"),
        private_accounts=(role("private_part"), to_code["1890"]),
        exchange_gain=role("exchange_gain"),
        exchange_loss=role("exchange_loss"),
    )


SKR03 = _chart("SKR03", 0)
SKR04 = _chart("SKR04", 1)
