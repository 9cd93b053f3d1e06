"""A credit-transfer file, ``pain.001.001.09`` (ISO 20022; DK/EPC guidelines), for refunds
and payouts to customers: one payment information block, so one execution date per file.
Pure: typed input in, XML bytes out, built by sepaxml and checked again with lxml against the
XSD it bundles; a file that fails is never returned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sepaxml import SepaTransfer

from beleg.formats.sepa import files
from beleg.formats.sepa.files import CENT, InvalidSepaFile, cents, exported

SCHEMA = "pain.001.001.09"
XSD = files.xsd_of(SCHEMA)
__all__ = ["XSD", "Debtor", "InvalidSepaFile", "Transfer", "TransferFile", "render", "validate"]


@dataclass(frozen=True, slots=True)
class Debtor:
    """The paying tenant: name (at most 70 characters written), IBAN compact, BIC optional."""

    name: str
    iban: str
    bic: str | None


@dataclass(frozen=True, slots=True)
class Transfer:
    """One payout. ``amount`` in EUR with at most 2 decimals, > 0."""

    end_to_end_id: str  # at most 35 characters: the credit note's number
    amount: Decimal
    creditor_name: str
    iban: str
    bic: str | None
    remittance: str  # unstructured, at most 140 characters


@dataclass(frozen=True, slots=True)
class TransferFile:
    message_id: str  # at most 35 characters
    created_at: datetime
    debtor: Debtor
    execution_date: date
    transfers: tuple[Transfer, ...]

    @property
    def control_sum(self) -> Decimal:
        return sum((t.amount for t in self.transfers), Decimal("0.00")).quantize(CENT)


def _payment(file: TransferFile, transfer: Transfer) -> dict[str, object]:
    payment: dict[str, object] = {
        "name": transfer.creditor_name,
        "IBAN": transfer.iban,
        "amount": cents(transfer.amount),
        "execution_date": file.execution_date,
        "description": transfer.remittance,
        "endtoend_id": transfer.end_to_end_id,
    }
    if transfer.bic:
        payment["BIC"] = transfer.bic
    return payment


def render(file: TransferFile) -> bytes:
    """The file's XML (UTF-8), XSD-valid, with NbOfTxs and CtrlSum over its transfers."""
    config: dict[str, object] = {
        "name": file.debtor.name[:70],
        "IBAN": file.debtor.iban,
        "batch": True,
        "currency": "EUR",
    }
    if file.debtor.bic:
        config["BIC"] = file.debtor.bic
    sepa = SepaTransfer(config, schema=SCHEMA, clean=True)
    for transfer in file.transfers:
        sepa.add_payment(_payment(file, transfer))
    return exported(sepa, schema=SCHEMA, message_id=file.message_id, created_at=file.created_at)


def validate(xml: bytes) -> None:
    """InvalidSepaFile unless ``xml`` is valid against the pain.001.001.09 XSD."""
    files.validate(xml, SCHEMA)
