"""A PDF/A-3b file from the view model of ``build_layout``, with WeasyPrint.

PDF/A-3b (ISO 19005-3, conformance level B) is the archival form that can later carry an
embedded e-invoice XML (ZUGFeRD / Factur-X) and suits the retention duty of invoices
(§ 14b UStG, § 147 AO; § 132 BAO in Austria). Fonts (DejaVu Sans, Debian fonts-dejavu-core) are
embedded and subset by WeasyPrint; the XMP metadata carries pdfaid:part 3 and conformance B,
the title (document title and number), author (seller) and the language of the document.

Safe in several worker processes: the only module state is the cached template environment and
stylesheet text, both read-only after the first call. No resource is fetched: the fetcher only
allows ``data:`` URLs (the EPC QR code), so no text in a document can reach the network or disk.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from beleg.formats.pdf.epc import epc_svg
from beleg.formats.pdf.texts import sanitize_html

TEMPLATES = Path(__file__).with_name("templates")
PDF_VARIANT = "pdf/a-3b"


def render_pdf(view_model: Mapping[str, Any]) -> bytes:
    """The PDF/A-3b bytes of one sales document."""
    document = HTML(
        string=render_html(view_model),
        base_url=TEMPLATES.as_uri(),
        url_fetcher=URLFetcher(allowed_protocols={"data"}),
    )
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


A4_PAPERS = ("STANDARD", "STANDARD_PAPER", "CUSTOM_PAPER", "CUSTOM_TEMPLATE")


def render_receipt_pdf(view_model: Mapping[str, Any]) -> bytes:
    """A cash receipt (``formats.receipt_print.receipt_view``) as PDF/A-3b: A4 for the paper
    layouts, 80 mm receipt paper otherwise; the RKSV code as a QR code."""
    page = "A4" if view_model["paper"] in A4_PAPERS else "80mm 240mm"
    qr = view_model.get("qr")
    html = (
        _environment()
        .get_template("receipt.html")
        .render(vm=view_model, page=page, qr_data_uri=_svg_data_uri(_qr_svg(qr)) if qr else None)
    )
    pdf = HTML(
        string=html, base_url=TEMPLATES.as_uri(), url_fetcher=URLFetcher(allowed_protocols={"data"})
    ).write_pdf(pdf_variant=PDF_VARIANT)
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def render_template_pdf(template: str, view_model: Mapping[str, Any]) -> bytes:
    """A PDF/A-3b of one of the other templates (a dunning notice) from its view model."""
    html = _environment().get_template(template).render(vm=view_model)
    pdf = HTML(
        string=html, base_url=TEMPLATES.as_uri(), url_fetcher=URLFetcher(allowed_protocols={"data"})
    ).write_pdf(pdf_variant=PDF_VARIANT)
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def _qr_svg(text: str) -> str:
    """The RKSV machine-readable code as a QR code (error correction M, byte mode)."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        buffer, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4
    )
    return buffer.getvalue().decode("utf-8")


def render_html(view_model: Mapping[str, Any]) -> str:
    """The HTML that ``render_pdf`` prints (useful for a browser preview)."""
    payment = view_model.get("payment") or {}
    payload = payment.get("epc_payload")
    return (
        _environment()
        .get_template("document.html")
        .render(
            vm=view_model,
            css=Markup(_stylesheet()),  # our own file, not user input  # noqa: S704
            qr_data_uri=_svg_data_uri(epc_svg(payload)) if payload else None,
        )
    )


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["rich"] = _rich
    environment.filters["css_string"] = _css_string
    return environment


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return (TEMPLATES / "document.css").read_text(encoding="utf-8")


def _rich(markup: str | None) -> Markup:
    """Sanitised again at print time: the view model may have travelled through a queue."""
    return Markup(sanitize_html(markup or ""))  # noqa: S704 - sanitised to p/b/i/br


def _css_string(text: str) -> Markup:
    """A quoted CSS string for the inline page-number rule (no HTML escaping inside <style>)."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>' or ord(char) < 0x20 else char for char in str(text)
    )
    return Markup(f'"{escaped}"')  # noqa: S704 - quotes, backslash, < and > escaped


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
