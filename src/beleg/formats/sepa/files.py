"""What every SEPA file Beleg writes shares: amounts in cents, sepaxml's export, our own
message id and creation time in place of the random id and ``now()`` sepaxml writes, and a
second check against the XSD sepaxml bundles. A file that fails is never returned."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import sepaxml
from lxml import etree

CENT = Decimal("0.01")


class InvalidSepaFile(Exception):
    """The file did not validate against the XSD; the message names the schema error."""


def cents(amount: Decimal) -> int:
    """The amount in cents; ValueError unless positive with at most 2 decimals."""
    if amount <= 0 or amount.quantize(CENT) != amount:
        raise ValueError(f"a SEPA amount must be positive with at most 2 decimals: {amount}")
    return int(amount * 100)


def xsd_of(schema: str) -> Path:
    return Path(sepaxml.__file__).parent / "schemas" / f"{schema}.xsd"


def exported(sepa: Any, *, schema: str, message_id: str, created_at: datetime) -> bytes:
    """``sepa`` (a sepaxml ``SepaDD`` or ``SepaTransfer``) as XML with our message id (also
    the payment information id) and creation time, valid against ``schema``'s XSD."""
    try:
        xml: bytes = sepa.export(validate=True)
    except Exception as exc:  # sepaxml raises its own ValidationError or lxml's
        raise InvalidSepaFile(str(exc)) from exc
    xml = _stamped(xml, message_id, created_at)
    validate(xml, schema)
    return xml


def _stamped(xml: bytes, message_id: str, created_at: datetime) -> bytes:
    root = etree.fromstring(xml)
    ns = {"p": root.nsmap[None]}
    created = created_at.replace(microsecond=0, tzinfo=None).isoformat()
    for path, text in (
        (".//p:GrpHdr/p:MsgId", message_id),
        (".//p:GrpHdr/p:CreDtTm", created),
        (".//p:PmtInf/p:PmtInfId", message_id),
    ):
        for node in root.iterfind(path, ns):
            node.text = text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@lru_cache(maxsize=4)
def _schema(schema: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(xsd_of(schema))))


def validate(xml: bytes, schema: str) -> None:
    """InvalidSepaFile unless ``xml`` is valid against ``schema``'s XSD."""
    checker = _schema(schema)
    if not checker.validate(etree.fromstring(xml)):
        raise InvalidSepaFile(str(checker.error_log.last_error))
