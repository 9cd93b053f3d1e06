"""A collective direct-debit file, ``pain.008.001.08`` (ISO 20022; DK/EPC implementation
guidelines): one payment information block, so one collection date, one sequence type and one
local instrument (CORE or B2B) per file. Pure: typed input in, XML bytes out. Each file is
validated twice: by sepaxml on export and again with lxml against the bundled XSD; a file that
fails is never returned (DESIGN: "SEPA files validate against the ISO 20022 XSD")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import sepaxml
from lxml import etree
from sepaxml import SepaDD

SCHEMA = "pain.008.001.08"
XSD = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"
CENT = Decimal("0.01")


class InvalidSepaFile(Exception):
    """The file did not validate against the XSD; the message names the schema error."""


@dataclass(frozen=True, slots=True)
class Creditor:
    name: str  # at most 70 characters are written
    iban: str  # compact
    bic: str | None
    creditor_id: str  # e.g. DE98ZZZ09999999999


@dataclass(frozen=True, slots=True)
class Debit:
    """One transaction. ``amount`` in EUR with at most 2 decimals, > 0."""

    end_to_end_id: str  # at most 35 characters: the invoice number
    amount: Decimal
    debtor_name: str
    iban: str
    bic: str | None
    mandate_reference: str
    mandate_signed_on: date
    remittance: str  # unstructured, at most 140 characters


@dataclass(frozen=True, slots=True)
class DebitFile:
    message_id: str  # at most 35 characters, unique per creditor
    created_at: datetime
    creditor: Creditor
    collection_date: date
    sequence_type: str  # FRST, RCUR, OOFF, FNAL
    instrument: str  # CORE or B2B
    debits: tuple[Debit, ...]

    @property
    def control_sum(self) -> Decimal:
        return sum((d.amount for d in self.debits), Decimal("0.00"))


def cents(amount: Decimal) -> int:
    """The amount in cents; ValueError unless positive with at most 2 decimals."""
    if amount <= 0 or amount.quantize(CENT) != amount:
        raise ValueError(f"a SEPA amount must be positive with at most 2 decimals: {amount}")
    return int(amount * 100)


def _payment(file: DebitFile, debit: Debit) -> dict[str, object]:
    payment: dict[str, object] = {
        "name": debit.debtor_name,
        "IBAN": debit.iban,
        "amount": cents(debit.amount),
        "type": file.sequence_type,
        "collection_date": file.collection_date,
        "mandate_id": debit.mandate_reference,
        "mandate_date": debit.mandate_signed_on,
        "description": debit.remittance,
        "endtoend_id": debit.end_to_end_id,
    }
    if debit.bic:
        payment["BIC"] = debit.bic
    return payment


def render(file: DebitFile) -> bytes:
    """The file's XML (UTF-8), XSD-valid, with NbOfTxs and CtrlSum over its debits."""
    config: dict[str, object] = {
        "name": file.creditor.name[:70],
        "IBAN": file.creditor.iban,
        "batch": True,
        "creditor_id": file.creditor.creditor_id,
        "currency": "EUR",
        "instrument": file.instrument,
    }
    if file.creditor.bic:
        config["BIC"] = file.creditor.bic
    sepa = SepaDD(config, schema=SCHEMA, clean=True)
    for debit in file.debits:
        sepa.add_payment(_payment(file, debit))
    try:
        xml: bytes = sepa.export(validate=True)
    except Exception as exc:  # sepaxml raises its own ValidationError or lxml's
        raise InvalidSepaFile(str(exc)) from exc
    xml = _stamped(xml, file)
    validate(xml)
    return xml


def _stamped(xml: bytes, file: DebitFile) -> bytes:
    """Our message id (also the payment information id) and the creation time from the
    injected clock instead of the random id and now() sepaxml writes."""
    root = etree.fromstring(xml)
    ns = {"p": root.nsmap[None]}
    created = file.created_at.replace(microsecond=0, tzinfo=None).isoformat()
    for path, text in (
        (".//p:GrpHdr/p:MsgId", file.message_id),
        (".//p:GrpHdr/p:CreDtTm", created),
        (".//p:PmtInf/p:PmtInfId", file.message_id),
    ):
        for node in root.iterfind(path, ns):
            node.text = text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def validate(xml: bytes) -> None:
    """InvalidSepaFile unless ``xml`` is valid against the pain.008.001.08 XSD."""
    schema = _schema()
    if not schema.validate(etree.fromstring(xml)):
        raise InvalidSepaFile(str(schema.error_log.last_error))
