"""ZUGFeRD 2.x / Factur-X: the CII e-invoice embedded in the document's PDF/A-3 (the hybrid
invoice of Factur-X 1.0 §5, ZUGFeRD 2.3). factur-x (``generate_from_binary``) attaches the
XML as ``factur-x.xml`` with ``/AFRelationship /Data``, lists it in the catalogue's ``/AF``
array and writes the XMP extension schema (``fx:DocumentType INVOICE``,
``fx:ConformanceLevel EN 16931``) that PDF/A-3 requires of an embedded file. The PDF must
already be PDF/A-3 (the documents' PDFs are: ``formats/pdf/render.py``); the XML must have
been validated (``validation.py``), nothing is checked here.
"""

from __future__ import annotations

from facturx import generate_from_binary, get_xml_from_pdf

ATTACHMENT = "factur-x.xml"
LEVEL = "en16931"  # the profile the terms are rendered in (syntax.py)


def embedded(pdf: bytes, cii: bytes, *, language: str) -> bytes:
    """``pdf`` with ``cii`` embedded as its Factur-X EN 16931 XML; ``language`` (``de-DE``)
    is the PDF's declared natural language."""
    result: bytes = generate_from_binary(
        pdf,
        cii,
        flavor="factur-x",
        level=LEVEL,
        check_xsd=False,
        check_schematron=False,
        lang=language,
        afrelationship="data",
    )
    return result


def extracted(pdf: bytes) -> tuple[str, bytes] | None:
    """The file name and XML of the e-invoice embedded in ``pdf``; None without one."""
    name, xml = get_xml_from_pdf(pdf, check_xsd=False)
    if not name or not xml:
        return None
    return str(name), bytes(xml)
