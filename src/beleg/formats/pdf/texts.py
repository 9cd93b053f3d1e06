"""Printed words of sales documents in German and English, their formats, the rich-text sanitiser.

The reverse-charge wording is the one Art. 226 Nr. 11a MwStSystRL and § 14a Abs. 5 UStG
prescribe ("Steuerschuldnerschaft des Leistungsempfängers" / "Reverse charge").
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LOCALES = {"de": "de_DE", "en": "en_US"}

# kind -> language -> (title, label of the document number)
TITLES: dict[str, dict[str, tuple[str, str]]] = {
    "INVOICE": {"de": ("Rechnung", "Rechnungsnummer"), "en": ("Invoice", "Invoice number")},
    "CREDIT_MEMO": {
        "de": ("Gutschrift", "Gutschriftsnummer"),
        "en": ("Credit note", "Credit note number"),
    },
    "DELIVERY_NOTE": {
        "de": ("Lieferschein", "Lieferscheinnummer"),
        "en": ("Delivery note", "Delivery note number"),
    },
    "OFFER": {"de": ("Angebot", "Angebotsnummer"), "en": ("Offer", "Offer number")},
    "ORDER_CONFIRMATION": {
        "de": ("Auftragsbestätigung", "Auftragsnummer"),
        "en": ("Order confirmation", "Order number"),
    },
    "CANCELLATION": {
        "de": ("Stornorechnung", "Stornonummer"),
        "en": ("Cancellation", "Cancellation number"),
    },
}

# kind -> language -> label of the amount that remains to be paid (or is refunded)
AMOUNT_DUE: dict[str, dict[str, str]] = {
    "INVOICE": {"de": "Zahlbetrag", "en": "Amount due"},
    "CREDIT_MEMO": {"de": "Gutschriftsbetrag", "en": "Amount credited"},
    "DELIVERY_NOTE": {"de": "Zahlbetrag", "en": "Amount due"},
    "OFFER": {"de": "Zahlbetrag", "en": "Amount due"},
    "ORDER_CONFIRMATION": {"de": "Zahlbetrag", "en": "Amount due"},
    "CANCELLATION": {"de": "Stornobetrag", "en": "Amount cancelled"},
}

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "page": "Seite",
        "of": "von",
        "col_position": "Pos.",
        "col_name": "Bezeichnung",
        "col_quantity": "Menge",
        "col_unit": "Einheit",
        "col_unit_price": "Einzelpreis",
        "col_discount": "Rabatt",
        "col_tax_rate": "USt",
        "col_amount": "Betrag",
        "col_amount_N": "Netto",
        "col_amount_T": "Brutto",
        "date": "Datum",
        "due": "Fällig am",
        "valid_until": "Gültig bis",
        "service_date": "Leistungsdatum",
        "service_period": "Leistungszeitraum",
        "delivery_date": "Lieferdatum",
        "customer_number": "Kundennummer",
        "customer_vat_id": "Ihre USt-IdNr.",
        "vat_id": "USt-IdNr.",
        "tax_number": "Steuernummer",
        "net": "Nettobetrag",
        "tax_group": "USt {rate} von {base}",
        "tax": "Umsatzsteuer",
        "total": "Gesamtbetrag",
        "already_paid": "Bereits bezahlt",
        "deposits": "Abzüglich Anzahlungen",
        "exchange_rate": "Umrechnungskurs: 1 {currency} = {rate} {main}",
        "amounts_in": "Beträge in {main}",
        "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers",
        "correction_of": "Korrektur zu {kind} {number} vom {date}",
        "cancellation_of": "Storno zu {kind} {number} vom {date}",
        "reason": "Grund: {reason}",
        "option": "Option",
        "total_discount": "Gesamtrabatt",
        "on_account": "Akontozahlung",
        "payment": "Zahlung",
        "remittance": "Verwendungszweck",
        "qr_caption": "Mit der Banking-App scannen (GiroCode)",
        "sepa_notice": (
            "Den Rechnungsbetrag von {amount} ziehen wir frühestens am {date} per "
            "SEPA-Lastschrift von Ihrem Konto {iban} ein (Mandatsreferenz {reference}, "
            "Gläubiger-ID {creditor}). Bitte sorgen Sie für ausreichende Deckung."
        ),
        "sepa_notice_psp": (
            "Der Rechnungsbetrag von {amount} wird von unserem Zahlungsdienstleister per "
            "Lastschrift eingezogen; er kündigt Ihnen den Einzug mit Datum an."
        ),
    },
    "en": {
        "page": "Page",
        "of": "of",
        "col_position": "Pos.",
        "col_name": "Description",
        "col_quantity": "Qty",
        "col_unit": "Unit",
        "col_unit_price": "Unit price",
        "col_discount": "Discount",
        "col_tax_rate": "VAT",
        "col_amount": "Amount",
        "col_amount_N": "Net",
        "col_amount_T": "Gross",
        "date": "Date",
        "due": "Due date",
        "valid_until": "Valid until",
        "service_date": "Date of supply",
        "service_period": "Service period",
        "delivery_date": "Delivery date",
        "customer_number": "Customer number",
        "customer_vat_id": "Your VAT ID",
        "vat_id": "VAT ID",
        "tax_number": "Tax number",
        "net": "Net amount",
        "tax_group": "VAT {rate} on {base}",
        "tax": "VAT",
        "total": "Total",
        "already_paid": "Already paid",
        "deposits": "Less deposits",
        "exchange_rate": "Exchange rate: 1 {currency} = {rate} {main}",
        "amounts_in": "Amounts in {main}",
        "reverse_charge": "Reverse charge",
        "correction_of": "Correction of {kind} {number} dated {date}",
        "cancellation_of": "Cancellation of {kind} {number} dated {date}",
        "reason": "Reason: {reason}",
        "option": "Optional",
        "total_discount": "Total discount",
        "on_account": "Payment on account",
        "payment": "Payment",
        "remittance": "Payment reference",
        "qr_caption": "Scan with your banking app (EPC QR code)",
        "sepa_notice": (
            "We will collect the invoice amount of {amount} by SEPA direct debit from your "
            "account {iban} on {date} at the earliest (mandate reference {reference}, "
            "creditor identifier {creditor}). Please make sure the account is covered."
        ),
        "sepa_notice_psp": (
            "The invoice amount of {amount} will be collected by direct debit by our payment "
            "service provider, who will tell you the date of the collection."
        ),
    },
}


@dataclass(frozen=True, slots=True)
class Formatter:
    """babel formatting without quantisation: amounts keep the decimals they arrive with."""

    locale: str
    currency: str

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        return format_currency(
            amount, currency or self.currency, locale=self.locale, decimal_quantization=False
        )

    def number(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def rate(self, percent: Decimal) -> str:
        return format_percent(percent / 100, locale=self.locale, decimal_quantization=False)

    def date(self, value: dt.date) -> str:
        return format_date(value, "medium", locale=self.locale)


_ALLOWED_TAGS = {"p": "p", "b": "b", "strong": "b", "i": "i", "em": "i"}
_DROPPED_CONTENT = {"script", "style", "title", "head"}


class _Sanitiser(HTMLParser):
    """Keeps p, b, i (strong/em become b/i) and br without attributes; escapes all text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_CONTENT:
            self.skipping += 1
        elif tag == "br" and not self.skipping:
            self.out.append("<br>")
        elif tag in _ALLOWED_TAGS and not self.skipping:
            self.out.append(f"<{_ALLOWED_TAGS[tag]}>")
            self.open.append(_ALLOWED_TAGS[tag])

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _ALLOWED_TAGS and not self.skipping and _ALLOWED_TAGS[tag] in self.open:
            while self.open:
                name = self.open.pop()
                self.out.append(f"</{name}>")
                if name == _ALLOWED_TAGS[tag]:
                    break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{name}>" for name in reversed(self.open))


def sanitize_html(markup: str) -> str:
    """Safe HTML from untrusted markup: only p, b, i, br survive, everything else is text."""
    sanitiser = _Sanitiser()
    sanitiser.feed(markup)
    return sanitiser.result()


def rich_text_html(text: str | None) -> str:
    """Layout text as safe HTML: plain text keeps its line breaks, markup is sanitised."""
    if not text:
        return ""
    if "<" not in text:
        return html.escape(text, quote=False).replace("\n", "<br>")
    return sanitize_html(text)
