"""A collective direct-debit file, ``pain.008.001.08`` (ISO 20022; DK/EPC implementation
guidelines): one payment information block, so one collection date, one sequence type and one
local instrument (CORE or B2B) per file. Pure: typed input in, XML bytes out. Each file is
validated twice: by sepaxml on export and again with lxml against the bundled XSD; a file that
fails is never returned (DESIGN: "SEPA files validate against the ISO 20022 XSD")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sepaxml import SepaDD

from beleg.formats.sepa import files
from beleg.formats.sepa.files import CENT, InvalidSepaFile, cents, exported

SCHEMA = "pain.008.001.08"
XSD = files.xsd_of(SCHEMA)
__all__ = ["CENT", "XSD", "Creditor", "Debit", "DebitFile", "InvalidSepaFile", "render", "validate"]


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
    return exported(sepa, schema=SCHEMA, message_id=file.message_id, created_at=file.created_at)


def validate(xml: bytes) -> None:
    """InvalidSepaFile unless ``xml`` is valid against the pain.008.001.08 XSD."""
    files.validate(xml, SCHEMA)
