"""The EN 16931 terms of a document in a syntax: UN/CEFACT CII D16B (Factur-X/ZUGFeRD profile EN
16931, XRechnung CII) or OASIS UBL 2.1 (XRechnung UBL; an Invoice, or a CreditNote for type
codes 381 and 261), rendered by factur-x (``generate_cii_xml``, ``generate_ubl_xml``), or
ebInterface 6.1 (``ebinterface.py``). factur-x knows the BT-24 identifiers of its own profiles
only, so an XRechnung is rendered as EN 16931 and its specification identifier set afterwards
(BT-24: ``ram:GuidelineSpecifiedDocumentContextParameter/ram:ID`` in CII,
``cbc:CustomizationID`` in UBL). Validation is ``validation.py``'s: nothing is checked here.
"""

from __future__ import annotations

import copy
from enum import StrEnum
from typing import Any

from facturx import generate_cii_xml, generate_ubl_xml

from beleg.formats.einvoice.ebinterface import render_ebinterface
from beleg.formats.einvoice.terms import EN16931, XRECHNUNG


class Syntax(StrEnum):
    CII = "CII"
    UBL = "UBL"
    EBINTERFACE = "EBINTERFACE"


def render(terms: dict[str, Any], syntax: Syntax) -> bytes:
    """``terms`` (``terms.terms_of``) as XML in ``syntax`` (UTF-8, with declaration)."""
    if syntax is Syntax.EBINTERFACE:
        return render_ebinterface(terms)
    given = copy.deepcopy(terms)  # factur-x normalises the dictionary it is given in place
    xrechnung = given.get("BT-24") == XRECHNUNG
    given["BT-24"] = EN16931
    generate = generate_cii_xml if syntax is Syntax.CII else generate_ubl_xml
    xml: bytes = generate(given, level="en16931", check_xsd=False, check_schematron=False)
    if xrechnung:
        xml = _with_specification(xml, syntax)
    return xml


def _with_specification(xml: bytes, syntax: Syntax) -> bytes:
    """The XRechnung 3.0 identifier in BT-24 in place of the EN 16931 one."""
    marker = b"<ram:ID>" if syntax is Syntax.CII else b"<cbc:CustomizationID>"
    old = marker + EN16931.encode() + b"<"
    if xml.count(old) != 1:
        raise ValueError("BT-24 not found once in the rendered e-invoice")
    return xml.replace(old, marker + XRECHNUNG.encode() + b"<")
