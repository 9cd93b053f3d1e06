"""PDF rendering with WeasyPrint: text content (pdftotext), page counter, PDF/A-3b metadata.

Three renders of about half a second each: the German invoice, the English credit note and an
invoice of several pages.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zlib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from beleg.formats.pdf.layout import build_layout
from beleg.formats.pdf.model import LayoutLine
from beleg.formats.pdf.render import render_html, render_pdf
from tests.unit.test_pdf_layout import credit_memo_input, invoice_input

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.fixture(scope="module")
def invoice_pdf() -> bytes:
    return render_pdf(build_layout(invoice_input()))


def _text(pdf: bytes, tmp_path: Path) -> str:
    if not Path(PDFTOTEXT).exists():
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed")
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout.replace("\u00a0", " ")


def _inflated_streams(pdf: bytes) -> bytes:
    """Every stream of the file, inflated where it is Flate-compressed (XMP, object streams)."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        raw = pdf[match.end() : end]
        try:
            chunks.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            chunks.append(raw)
    return b"\n".join(chunks)


def _xmp(pdf: bytes) -> bytes:
    try:
        from pypdf import PdfReader  # noqa: PLC0415 - optional: fall back to a byte search
    except ImportError:
        return _inflated_streams(pdf)
    metadata = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"]
    return metadata.get_object().get_data()


def test_invoice_pdf_text(invoice_pdf: bytes, tmp_path: Path) -> None:
    assert invoice_pdf.startswith(b"%PDF-")
    text = _text(invoice_pdf, tmp_path)
    for expected in (
        "Rechnung R 2026 17",
        "R 2026 17",
        "Beispiel Handel GmbH",
        "1.153,85 €",
        "USt 20 % von 851,54 €",
        "0,1234 €",
        "Seite 1 von 1",
        "Leistungszeitraum",
        "01.11.2026 – 30.11.2026",
        "IBAN: AT61 1904 3002 3457 3201",
        "Steuernummer: 12 345/6789",
        "Verwendungszweck: R 2026 17",
    ):
        assert expected in text, expected
    assert "alert" not in text


def test_invoice_pdf_is_pdf_a_3b(invoice_pdf: bytes) -> None:
    xmp = _xmp(invoice_pdf)
    assert re.search(rb'pdfaid:part(="|>)3', xmp), xmp[:400]
    assert re.search(rb'pdfaid:conformance(="|>)B', xmp)
    assert b"Rechnung R 2026 17" in xmp
    catalog = _inflated_streams(invoice_pdf)
    assert b"/Lang (de)" in catalog
    assert b"/GTS_PDFA1" in catalog  # the sRGB output intent PDF/A requires


def test_english_credit_note_and_several_pages(tmp_path: Path) -> None:
    text = _text(render_pdf(build_layout(credit_memo_input())), tmp_path)
    for expected in (
        "Credit note G 2026 3",
        "Page 1 of 1",
        "Exchange rate: 1 USD = 0.92 EUR",
        "€326.25",
        "Correction of invoice R 2026 1 dated Nov 1, 2026",
    ):
        assert expected in text, expected
    lines = tuple(
        LayoutLine(
            position=n,
            name=f"Artikel {n}",
            description="Beschreibung",
            quantity=Decimal(1),
            unit="PC",
            unit_price=Decimal("10.00"),
            net=Decimal("10.00"),
            tax_rate=Decimal(20),
            total=Decimal("12.00"),
        )
        for n in range(1, 31)
    )
    long_text = _text(render_pdf(build_layout(replace(invoice_input(), lines=lines))), tmp_path)
    pages = re.findall(r"Seite (\d+) von (\d+)", long_text)
    assert len(pages) >= 2 and pages[0] == ("1", str(len(pages)))
    assert pages[-1] == (str(len(pages)), str(len(pages)))
    assert long_text.count("Bezeichnung") >= 2  # the table header repeats on page 2


def test_html_is_escaped_and_self_contained() -> None:
    data = replace(
        invoice_input(),
        intro='<p onclick="x">Hi</p><img src="http://evil/x.png">',
        customer=replace(invoice_input().customer, name="<b>Evil</b> & Co"),
    )
    html = render_html(build_layout(data))
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in html
    assert "http://evil" not in html and "onclick" not in html
    assert '"Seite" " " counter(page) " " "von" " " counter(pages)' in html
    assert 'src="data:image/svg+xml;base64,' in html
