"""Austria: the Einheitskontenrahmen (EKR) as a small-business chart, with the accounts and
tax class entries seed 003's examples use (4000, 4001, 7200, 2000, 2700, 2800, 2850, 3300,
9613; entries 000/010/013/020).

Rates per § 10 UStG 1994: 20 % standard, 10 % and 13 % reduced, 0 % for exempt supplies.
Intra-community acquisitions (Art. 1 UStG-Binnenmarkt) and reverse-charge services (§ 19
UStG) are self-assessed: the buyer books output VAT and, where deductible, the same input VAT.
"""

from __future__ import annotations

from decimal import Decimal

from beleg.domain.ledger.charts.model import (
    AccountType,
    Chart,
    Modifier,
    TaxEntry,
    balance,
    expense,
    revenue,
    tax_free,
)

L, S, U = AccountType.ASSET, AccountType.MISCELLANEOUS, AccountType.PAYMENT
E, A = AccountType.REVENUE, AccountType.EXPENSE
SELF = (Modifier.INTRA_COMMUNITY_ACQUISITION, Modifier.REVERSE_CHARGE)
RATES = ("020", "010", "013", "000")

TAX_ENTRIES = (
    TaxEntry("020", "20 % Normalsteuersatz", "20 % standard rate", Decimal(20), SELF),
    TaxEntry("010", "10 % ermäßigter Steuersatz", "10 % reduced rate", Decimal(10), SELF),
    TaxEntry("013", "13 % ermäßigter Steuersatz", "13 % reduced rate", Decimal(13), SELF),
    TaxEntry("000", "0 % steuerfrei / nicht steuerbar", "0 % exempt / out of scope", Decimal(0)),
)

ACCOUNTS = (
    # Class 0: fixed assets
    balance("0400", "Maschinen und Geräte", L),
    balance("0620", "Büromaschinen, EDV-Anlagen", L),
    balance("0630", "Personenkraftwagen", L),
    balance("0660", "Betriebs- und Geschäftsausstattung", L),
    # Class 2: receivables, VAT, means of payment
    balance("2000", "Lieferforderungen Inland"),
    balance("2100", "Lieferforderungen EU"),
    balance("2500", "Vorsteuer"),
    balance("2510", "Vorsteuer innergemeinschaftlicher Erwerb"),
    balance("2520", "Vorsteuer Reverse Charge (§ 19 UStG)"),
    balance("2700", "Kassa", U),
    balance("2800", "Bank", U),
    balance("2850", "Bank 2", U),
    balance("2880", "Schwebende Geldbewegungen", U),
    # Class 3: liabilities, VAT
    balance("3100", "Bankverbindlichkeiten (Kredite)"),
    balance("3300", "Lieferverbindlichkeiten Inland"),
    balance("3360", "Lieferverbindlichkeiten EU"),
    balance("3500", "Umsatzsteuer"),
    balance("3510", "Umsatzsteuer innergemeinschaftlicher Erwerb"),
    balance("3520", "Umsatzsteuer Reverse Charge (§ 19 UStG)"),
    balance("3540", "Verrechnung Finanzamt (Umsatzsteuer-Zahllast)"),
    # Class 4: revenue
    revenue("4000", "Einnahmen (Erlöse)", *RATES),
    revenue("4001", "Erlöse Handelswaren", *RATES),
    revenue("4010", "Erlöse 10 %", "010", "020", "013", "000"),
    revenue("4013", "Erlöse 13 %", "013", "020", "010", "000"),
    tax_free("4100", "Erlöse innergemeinschaftliche Lieferungen (steuerfrei)", E),
    tax_free("4150", "Erlöse Reverse Charge (Steuerschuld geht über)", E),
    tax_free("4200", "Erlöse Ausfuhrlieferungen (steuerfrei)", E),
    revenue("4400", "Erlöse Gastronomie", "010", "020", "013", "000", gastronomy=True),
    revenue("4600", "Erlöse aus dem Abgang von Anlagevermögen", *RATES),
    revenue("4880", "Übrige betriebliche Erträge", *RATES),
    # Class 5: materials and purchased services
    expense("5000", "Wareneinkauf", *RATES),
    expense("5100", "Wareneinkauf innergemeinschaftlicher Erwerb", *RATES),
    expense("5800", "Fremdleistungen", *RATES),
    # Class 6: personnel
    tax_free("6000", "Löhne", A),
    tax_free("6200", "Gehälter", A),
    tax_free("6500", "Gesetzlicher Sozialaufwand", A),
    # Class 7: depreciation and other operating expenses
    tax_free("7000", "Abschreibungen", A),
    expense("7200", "Instandhaltung und Betriebsausgaben", *RATES),
    expense("7300", "Transporte durch Dritte", *RATES),
    expense("7320", "Kfz-Betriebskosten", *RATES),
    expense("7380", "Telefon und Internet", *RATES),
    expense("7400", "Miet- und Pachtaufwand", *RATES),
    expense("7600", "Büromaterial", *RATES),
    expense("7650", "Werbung und Repräsentation", *RATES),
    tax_free("7690", "Spenden und Trinkgelder", A),
    tax_free("7700", "Versicherungen", A),
    expense("7750", "Rechts- und Beratungsaufwand", *RATES),
    expense("7770", "Aus- und Fortbildung", *RATES),
    tax_free("7780", "Mitgliedsbeiträge", A),
    tax_free("7790", "Spesen des Geldverkehrs", A),
    tax_free("7800", "Forderungsverluste", A),
    tax_free("7860", "Kursverluste", A),
    # Class 8: financial result
    tax_free("8060", "Kursgewinne", E),
    tax_free("8100", "Zinserträge", E),
    tax_free("8280", "Zinsen und ähnliche Aufwendungen", A),
    # Class 9: equity and private
    balance("9000", "Kapital"),
    balance("9600", "Privatentnahmen"),
    balance("9613", "Privatanteile"),
    balance("9700", "Privateinlagen"),
)

AT_EKR = Chart(
    name="AT-EKR",
    country="AT",
    tax_entries=TAX_ENTRIES,
    accounts=ACCOUNTS,
    receivables="2000",
    payables="3300",
    input_vat={"020": "2500", "010": "2500", "013": "2500"},
    output_vat={"020": "3500", "010": "3500", "013": "3500"},
    self_assessed={
        Modifier.INTRA_COMMUNITY_ACQUISITION: ("2510", "3510"),
        Modifier.REVERSE_CHARGE: ("2520", "3520"),
    },
    private_part="9613",
    private_accounts=("9600", "9613", "9700"),
    exchange_gain="8060",
    exchange_loss="7860",
)
