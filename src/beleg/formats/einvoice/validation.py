"""Validation of an e-invoice in the three official layers, in order (rules/README.md): the XSD of
its syntax (lxml), the EN 16931 Schematron (CEN/TC 434 1.3.16) and, when BT-24 says XRechnung,
KoSIT's XRechnung Schematron (2.5.0, XRechnung 3.0.2), both compiled XSLT run with saxonche. An
ebInterface 6.1 invoice has its XSD only. A layer that fails stops the next ones (a file that
breaks its schema has no business rules to check). Each stylesheet is compiled once per process,
on first use (about a second); a transformation then takes milliseconds.

An assertion's ``flag`` is ``fatal`` or ``warning`` (SVRL ``failed-assert/@flag``); only a fatal
one makes the e-invoice invalid.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree
from saxonche import PySaxonProcessor

from beleg.formats.einvoice.syntax import Syntax
from beleg.formats.einvoice.terms import XRECHNUNG

RULES = Path(__file__).parent / "rules"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
FATAL = "fatal"
SCHEMAS = {
    (
        Syntax.CII,
        "CrossIndustryInvoice",
    ): "en16931/cii/schema/D16B-uncoupled/CrossIndustryInvoice_100pD16B.xsd",
    (Syntax.UBL, "Invoice"): "ubl-2.1/xsd/maindoc/UBL-Invoice-2.1.xsd",
    (Syntax.UBL, "CreditNote"): "ubl-2.1/xsd/maindoc/UBL-CreditNote-2.1.xsd",
    (Syntax.EBINTERFACE, "Invoice"): "ebinterface/Invoice-6p1.xsd",
}
STYLESHEETS = {
    ("EN16931", Syntax.CII): "en16931/cii/xslt/EN16931-CII-validation.xslt",
    ("EN16931", Syntax.UBL): "en16931/ubl/xslt/EN16931-UBL-validation.xslt",
    ("XRECHNUNG", Syntax.CII): "xrechnung/xslt/XRechnung-CII-validation.xsl",
    ("XRECHNUNG", Syntax.UBL): "xrechnung/xslt/XRechnung-UBL-validation.xsl",
}


class Layer(StrEnum):
    XSD = "XSD"
    EN16931 = "EN16931"
    XRECHNUNG = "XRECHNUNG"


@dataclass(frozen=True, slots=True)
class FailedAssertion:
    """One rule the e-invoice breaks: its layer, id (``BR-CO-10``, ``BR-DE-15``, ``XSD``),
    flag and the rule's own text (English, as published)."""

    layer: Layer
    rule: str
    flag: str
    text: str

    @property
    def fatal(self) -> bool:
        return self.flag == FATAL


def validate(xml: bytes, syntax: Syntax) -> list[FailedAssertion]:
    """The failed assertions of ``xml`` in ``syntax``, layer by layer (empty: valid)."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return [FailedAssertion(Layer.XSD, "XSD", FATAL, str(error))]
    failed = _schema_errors(root, syntax)
    if failed or syntax is Syntax.EBINTERFACE:  # ebInterface publishes no Schematron
        return failed
    layers = [Layer.EN16931]
    if XRECHNUNG.encode() in xml:
        layers.append(Layer.XRECHNUNG)
    for layer in layers:
        failed += _schematron(xml, layer, syntax)
        if any(f.fatal for f in failed):
            break
    return failed


def _schema_errors(root: Any, syntax: Syntax) -> list[FailedAssertion]:
    kind = etree.QName(root).localname
    path = SCHEMAS.get((syntax, kind))
    if path is None:
        return [FailedAssertion(Layer.XSD, "XSD", FATAL, f"unexpected root element {kind}")]
    schema = _schema(path)
    if schema.validate(root):
        return []
    return [
        FailedAssertion(Layer.XSD, "XSD", FATAL, f"line {e.line}: {e.message}")
        for e in schema.error_log
    ]


def _schematron(xml: bytes, layer: Layer, syntax: Syntax) -> list[FailedAssertion]:
    processor, stylesheet = _stylesheet(layer.value, syntax)
    document = processor.parse_xml(xml_text=xml.decode())
    report = etree.fromstring(stylesheet.transform_to_string(xdm_node=document).encode())
    return [
        FailedAssertion(
            layer,
            failed.get("id") or "?",
            failed.get("flag") or FATAL,
            " ".join("".join(failed.itertext()).split()),
        )
        for failed in report.iter(f"{SVRL}failed-assert")
    ]


_COMPILING = threading.Lock()


@cache
def _schema(path: str) -> Any:
    with _COMPILING:
        return etree.XMLSchema(etree.parse(str(RULES / path)))


@cache
def _processor() -> Any:
    return PySaxonProcessor(license=False)


@cache
def _stylesheet(layer: str, syntax: Syntax) -> tuple[Any, Any]:
    with _COMPILING:
        processor = _processor()
        compiler = processor.new_xslt30_processor()
        path = RULES / STYLESHEETS[(layer, syntax)]
        return processor, compiler.compile_stylesheet(stylesheet_file=str(path))
