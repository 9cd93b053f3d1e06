"""Golden tests of the PDF view model (beleg.formats.pdf.layout) and of the EPC QR payload.

The golden files under tests/unit/golden/pdf_layout_*.json were written once from the
implementation and checked by eye. After a deliberate change, rewrite them with
``BELEG_UPDATE_GOLDEN=1 pytest tests/unit/test_pdf_layout.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from beleg.formats.pdf.epc import epc_payload, epc_svg
from beleg.formats.pdf.layout import build_layout
from beleg.formats.pdf.model import (
    ConvertedTotals,
    Correction,
    Customer,
    DocumentKind,
    DocumentLayoutInput,
    LayoutLine,
    LineKind,
    Notes,
    Payment,
    Seller,
    TaxGroup,
    Totals,
)
from beleg.formats.pdf.texts import rich_text_html, sanitize_html

GOLDEN = Path(__file__).with_name("golden")
NBSP = "\u00a0"
D = Decimal

AUSTRIAN_SELLER = Seller(
    name="Muster Software GmbH",
    address_lines=("Hauptstraße 1", "1010 Wien", "Österreich"),
    vat_id="ATU12345678",
    tax_number="12 345/6789",
    iban="AT61 1904 3002 3457 3201",
    bic="BKAUATWWXXX",
    bank_name="Bank Austria",
    contact_lines=("Tel. +43 1 234 56 78", "office@muster-software.at"),
    register_lines=("FN 123456a, Handelsgericht Wien",),
)


def invoice_input() -> DocumentLayoutInput:
    """(a) German invoice in EUR: 20 % and 10 %, a line discount, a total discount, EPC QR."""
    return DocumentLayoutInput(
        kind=DocumentKind.INVOICE,
        number="R 2026 17",
        date=date(2026, 11, 21),
        due_date=date(2026, 12, 5),
        delivery_from=date(2026, 11, 1),
        delivery_to=date(2026, 11, 30),
        language="de",
        currency="EUR",
        seller=AUSTRIAN_SELLER,
        customer=Customer(
            name="Beispiel Handel GmbH",
            address_lines=("z. Hd. Frau Maria Muster", "Ringstraße 5", "8010 Graz"),
            vat_id="ATU87654321",
            number="K-1001",
        ),
        intro="<p>Sehr geehrte Frau Muster,</p><p>wir danken für Ihren Auftrag & berechnen "
        "<b>folgende</b> Leistungen:</p><script>alert('x')</script>",
        lines=(
            LayoutLine(
                position=1,
                name="Software-Lizenz Pro",
                description="Jahreslizenz 01.12.2026 – 30.11.2027",
                quantity=D("2"),
                unit="PC",
                unit_price=D("500.00"),
                discount="10 %",
                net=D("900.00"),
                tax_rate=D("20"),
                total=D("1080.00"),
            ),
            LayoutLine(
                position=2,
                name="Fachbuch Buchhaltung",
                quantity=D("3"),
                unit="PC",
                unit_price=D("40.00"),
                net=D("120.00"),
                tax_rate=D("10"),
                total=D("132.00"),
            ),
            LayoutLine(
                position=3,
                name="Cloud-Speicher",
                description="Nutzung November 2026",
                quantity=D("12.5"),
                unit="GB",
                unit_price=D("0.1234"),
                net=D("1.54"),
                tax_rate=D("20"),
                total=D("1.85"),
            ),
            LayoutLine(
                kind=LineKind.TOTAL_DISCOUNT,
                name="Treuerabatt",
                net=D("-50.00"),
                tax_rate=D("20"),
                total=D("-60.00"),
            ),
        ),
        totals=Totals(
            net=D("971.54"),
            tax_groups=(
                TaxGroup(D("20"), D("851.54"), D("170.31")),
                TaxGroup(D("10"), D("120.00"), D("12.00")),
            ),
            total=D("1153.85"),
            amount_due=D("1153.85"),
        ),
        payment=Payment(terms="Zahlbar bis 05.12.2026 ohne Abzug.", epc_qr=True),
        footer="Es gelten unsere Allgemeinen Geschäftsbedingungen.",
    )


def credit_memo_input() -> DocumentLayoutInput:
    """(b) English credit note in USD, 1 USD = 0.92 EUR, correcting invoice R 2026 1."""
    return DocumentLayoutInput(
        kind=DocumentKind.CREDIT_MEMO,
        number="G 2026 3",
        date=date(2026, 11, 21),
        delivery_from=date(2026, 10, 28),
        delivery_to=date(2026, 10, 28),
        language="en",
        currency="USD",
        main_currency="EUR",
        currency_rate=D("0.92"),
        seller=Seller(
            name="Beleg Demo GmbH",
            address_lines=("Friedrichstraße 10", "10117 Berlin", "Germany"),
            vat_id="DE123456789",
            tax_number="27/123/45678",
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
            bank_name="Commerzbank",
            register_lines=(
                "Amtsgericht Charlottenburg HRB 123456",
                "Managing director: Erika Mustermann",
            ),
        ),
        customer=Customer(
            name="Acme Trading GmbH",
            address_lines=("Attn. Accounts Payable", "Speicherstadt 3", "20457 Hamburg", "Germany"),
            number="C-2040",
        ),
        lines=(
            LayoutLine(
                position=1,
                name="USB-C Dock",
                description="Returned goods, RMA 4711",
                quantity=D("2"),
                unit="PC",
                unit_price=D("149.00"),
                net=D("298.00"),
                tax_rate=D("19"),
                total=D("354.62"),
            ),
        ),
        totals=Totals(
            net=D("298.00"),
            tax_groups=(TaxGroup(D("19"), D("298.00"), D("56.62")),),
            total=D("354.62"),
            amount_due=D("354.62"),
        ),
        main_currency_totals=ConvertedTotals(net=D("274.16"), tax=D("52.09"), total=D("326.25")),
        notes=Notes(
            correction=Correction(number="R 2026 1", date=date(2026, 11, 1)),
            reason="Goods returned (RMA 4711)",
        ),
        payment=Payment(terms="The amount will be refunded to your account within 14 days."),
    )


def reverse_charge_input() -> DocumentLayoutInput:
    """(c) Reverse-charge invoice to a German business: 0 %, the note, 200 € already paid."""
    return DocumentLayoutInput(
        kind="INVOICE",
        number="R 2026 18",
        date=date(2026, 11, 21),
        due_date=date(2026, 12, 5),
        delivery_from=date(2026, 10, 1),
        delivery_to=date(2026, 10, 31),
        language="de",
        currency="EUR",
        main_currency="EUR",
        seller=AUSTRIAN_SELLER,
        customer=Customer(
            name="Kunde Deutschland GmbH",
            address_lines=("Marienplatz 1", "80331 München", "Deutschland"),
            vat_id="DE987654321",
        ),
        intro="Sehr geehrte Damen und Herren,\nfür Oktober berechnen wir Ihnen:",
        lines=(
            LayoutLine(
                position="1",
                name="IT-Beratung",
                description="Migration der Buchhaltung\nVor-Ort-Termin in München",
                quantity=D("10"),
                unit="H",
                unit_price=D("120.00"),
                net=D("1200.00"),
                tax_rate=D("0"),
                total=D("1200.00"),
            ),
        ),
        totals=Totals(
            net=D("1200.00"),
            tax_groups=(TaxGroup(D("0"), D("1200.00"), D("0.00")),),
            total=D("1200.00"),
            already_paid=D("200.00"),
            amount_due=D("1000.00"),
        ),
        notes=Notes(reverse_charge=True),
        payment=Payment(terms="Zahlbar bis 05.12.2026 ohne Abzug.", epc_qr=True),
        footer="Vielen Dank für Ihren Auftrag & die gute Zusammenarbeit.",
    )


def _check_golden(name: str, view_model: dict[str, Any]) -> None:
    path = GOLDEN / f"pdf_layout_{name}.json"
    text = json.dumps(view_model, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("BELEG_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with BELEG_UPDATE_GOLDEN=1 and review it"
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("invoice_de", invoice_input),
        ("credit_memo_en_usd", credit_memo_input),
        ("reverse_charge_de", reverse_charge_input),
    ],
)
def test_view_model_matches_golden(name: str, make: Any) -> None:
    _check_golden(name, build_layout(make()))


def test_german_invoice_strings() -> None:
    vm = build_layout(invoice_input())
    assert vm["document_title"] == "Rechnung R 2026 17"
    assert {"label": "Leistungszeitraum", "value": "01.11.2026 – 30.11.2026"} in vm["info"]
    assert {"label": "Fällig am", "value": "05.12.2026"} in vm["info"]
    assert vm["totals"][-1] == {
        "label": "Gesamtbetrag",
        "value": f"1.153,85{NBSP}€",
        "role": "total",
    }
    assert vm["totals"][1]["label"] == f"USt 20{NBSP}% von 851,54{NBSP}€"
    line = vm["lines"][2]
    assert (line["quantity"], line["unit"], line["unit_price"]) == ("12,5", "GB", f"0,1234{NBSP}€")
    assert vm["lines"][0]["unit"] == "Stk"
    assert vm["intro_html"] == (
        "<p>Sehr geehrte Frau Muster,</p><p>wir danken für Ihren "
        "Auftrag &amp; berechnen <b>folgende</b> Leistungen:</p>"
    )
    assert vm["footer_columns"][2] == [
        "Bank Austria",
        "IBAN: AT61 1904 3002 3457 3201",
        "BIC: BKAUATWWXXX",
    ]


def test_english_credit_memo_strings() -> None:
    vm = build_layout(credit_memo_input())
    assert vm["title"] == "Credit note"
    assert vm["conversion"]["rate"] == "Exchange rate: 1 USD = 0.92 EUR"
    assert vm["conversion"]["rows"][-1] == {"label": "Total", "value": "€326.25"}
    assert vm["notes"] == [
        "Correction of invoice R 2026 1 dated Nov 1, 2026",
        "Reason: Goods returned (RMA 4711)",
    ]
    assert {"label": "Date", "value": "Nov 21, 2026"} in vm["info"]
    assert {"label": "Date of supply", "value": "Oct 28, 2026"} in vm["info"]
    assert vm["totals"][1] == {"label": "VAT 19% on $298.00", "value": "$56.62", "role": "tax"}
    assert vm["payment"]["epc_payload"] == ""


def test_reverse_charge_strings() -> None:
    vm = build_layout(reverse_charge_input())
    assert vm["notes"] == ["Steuerschuldnerschaft des Leistungsempfängers"]
    assert vm["conversion"] is None
    assert [row["role"] for row in vm["totals"]] == ["net", "tax", "total", "deduction", "due"]
    assert vm["totals"][1]["label"] == f"USt 0{NBSP}% von 1.200,00{NBSP}€"
    assert vm["totals"][3]["value"] == f"-200,00{NBSP}€"
    assert vm["totals"][4] == {"label": "Zahlbetrag", "value": f"1.000,00{NBSP}€", "role": "due"}
    assert vm["payment"]["epc_payload"].endswith("\nEUR1000.00\n\n\nR 2026 18")
    assert vm["intro_html"] == (
        "Sehr geehrte Damen und Herren,<br>für Oktober berechnen wir Ihnen:"
    )


def test_epc_payload_text() -> None:
    assert build_layout(invoice_input())["payment"]["epc_payload"] == (
        "BCD\n002\n1\nSCT\nBKAUATWWXXX\nMuster Software GmbH\nAT611904300234573201\n"
        "EUR1153.85\n\n\nR 2026 17"
    )
    assert epc_payload(
        name="Müller & Söhne",
        iban="DE89 3704 0044 0532 0130 00",
        amount=D("12.3"),
        remittance="R 1",
    ) == ("BCD\n002\n1\nSCT\n\nMüller & Söhne\nDE89370400440532013000\nEUR12.30\n\n\nR 1")


def test_epc_payload_agrees_with_segno() -> None:
    helpers = pytest.importorskip("segno.helpers")
    make_data = getattr(helpers, "_make_epc_qr_data", None)
    if make_data is None:
        pytest.skip("segno no longer exposes _make_epc_qr_data")
    ours = epc_payload(
        name="Muster Software GmbH",
        iban="AT611904300234573201",
        amount=D("1153.85"),
        remittance="R 2026 17",
        bic="BKAUATWWXXX",
    )
    theirs = make_data(
        "Muster Software GmbH",
        "AT611904300234573201",
        D("1153.85"),
        text="R 2026 17",
        bic="BKAUATWWXXX",
        encoding="utf-8",
    )
    assert ours is not None
    assert ours.encode("utf-8") == theirs


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(D("0.00"), "EUR"), (D("-5.00"), "EUR"), (D("1000000000.00"), "EUR"), (D("10.00"), "USD")],
)
def test_no_epc_code_outside_euro_range(amount: Decimal, currency: str) -> None:
    assert (
        epc_payload(
            name="X",
            iban="AT611904300234573201",
            amount=amount,
            remittance="R 1",
            currency=currency,
        )
        is None
    )


def test_epc_refuses_fractions_of_a_cent_and_long_names() -> None:
    with pytest.raises(ValueError, match="whole cents"):
        epc_payload(name="X", iban="AT611904300234573201", amount=D("1.005"), remittance="R")
    with pytest.raises(ValueError, match="name"):
        epc_payload(name="X" * 71, iban="AT611904300234573201", amount=D("1"), remittance="R")


def test_epc_svg_is_a_standalone_svg() -> None:
    svg = epc_svg("BCD\n002\n1\nSCT\n\nX\nAT611904300234573201\nEUR1.00\n\n\nR 1")
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "viewBox" in svg


def test_no_qr_code_for_usd_or_credit_notes() -> None:
    usd = replace(invoice_input(), currency="USD")
    assert build_layout(usd)["payment"]["epc_payload"] == ""
    credit = replace(invoice_input(), kind=DocumentKind.CREDIT_MEMO)
    assert build_layout(credit)["payment"]["epc_payload"] == ""


def test_delivery_note_prints_no_prices() -> None:
    note = replace(
        invoice_input(),
        kind=DocumentKind.DELIVERY_NOTE,
        totals=None,
        delivery_from=date(2026, 11, 20),
        delivery_to=None,
    )
    vm = build_layout(note)
    assert vm["show_prices"] is False and vm["totals"] == [] and vm["payment"]["epc_payload"] == ""
    assert vm["title"] == "Lieferschein"
    assert {"label": "Lieferdatum", "value": "20.11.2026"} in vm["info"]
    assert all(row["label"] != "Fällig am" for row in vm["info"])


def test_offer_marks_options_and_validity() -> None:
    lines = (
        *invoice_input().lines[:2],
        LayoutLine(
            position=3,
            name="Schulung",
            kind="OFFER_OPTION",
            quantity=D("1"),
            unit="DAY",
            unit_price=D("800.00"),
            net=D("800.00"),
            tax_rate=D("20"),
            total=D("960.00"),
        ),
    )
    vm = build_layout(replace(invoice_input(), kind=DocumentKind.OFFER, lines=lines))
    assert vm["title"] == "Angebot"
    assert vm["lines"][2]["marker"] == "Option" and vm["lines"][2]["unit"] == "Tag"
    assert {"label": "Gültig bis", "value": "05.12.2026"} in vm["info"]


def test_main_currency_totals_are_converted_when_not_given() -> None:
    given = build_layout(credit_memo_input())["conversion"]
    assert (
        build_layout(replace(credit_memo_input(), main_currency_totals=None))["conversion"] == given
    )
    with pytest.raises(ValueError, match="currency_rate"):
        replace(credit_memo_input(), currency_rate=None)


def test_titles_per_kind() -> None:
    titles = {
        kind: (
            build_layout(replace(invoice_input(), kind=kind))["title"],
            build_layout(replace(invoice_input(), kind=kind, language="en"))["title"],
        )
        for kind in DocumentKind
    }
    assert titles == {
        DocumentKind.INVOICE: ("Rechnung", "Invoice"),
        DocumentKind.CREDIT_MEMO: ("Gutschrift", "Credit note"),
        DocumentKind.DELIVERY_NOTE: ("Lieferschein", "Delivery note"),
        DocumentKind.OFFER: ("Angebot", "Offer"),
        DocumentKind.ORDER_CONFIRMATION: ("Auftragsbestätigung", "Order confirmation"),
        DocumentKind.CANCELLATION: ("Stornorechnung", "Cancellation"),
    }


def test_sanitiser_keeps_only_simple_markup() -> None:
    dirty = (
        '<p class="x" onclick="evil()">Hallo <strong>Welt</strong> &amp; <em>du</em><br/>'
        '<img src="http://example.com/x.png"><a href="javascript:1">Link</a>'
        "<style>p{}</style><script>alert(1)</script>1 < 2</p><b>offen"
    )
    clean = sanitize_html(dirty)
    assert clean == ("<p>Hallo <b>Welt</b> &amp; <i>du</i><br>Link1 &lt; 2</p><b>offen</b>")
    assert sanitize_html(clean) == clean
    assert rich_text_html("Tom & Jerry\nzweite Zeile") == "Tom &amp; Jerry<br>zweite Zeile"
    assert rich_text_html(None) == ""
