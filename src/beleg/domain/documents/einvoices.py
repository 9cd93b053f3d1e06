"""The e-invoice of an issued document as a workflow (seed 001 "workflow states"; e-invoicing
issue, item 6): the worker makes it after the document's PDF, in its customer's format, and
it is ``VALIDATED`` with its XML once every layer passed, or ``ERROR`` with what is missing
or which rules it breaks; a user may set an error aside (``IGNORED``). ``SENT`` once a mail
carrying it was accepted by the mail server (ADR 0021)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from beleg.domain.contacts.einvoicing import EInvoiceFormat
from beleg.domain.errors import Conflict


class EInvoiceState(StrEnum):
    CREATED = "CREATED"
    VALIDATED = "VALIDATED"
    SENT = "SENT"
    ERROR = "ERROR"
    IGNORED = "IGNORED"


@dataclass(frozen=True, slots=True)
class Finding:
    """Why an e-invoice is in ERROR: a missing term (``field`` as the API names it, ``rule``
    the message code, no text) or a broken rule (``field`` its layer, ``rule`` its id, ``text``
    the rule's published text)."""

    field: str
    rule: str
    text: str | None

    def snapshot(self) -> dict[str, Any]:
        return {"field": self.field, "rule": self.rule, "text": self.text}


@dataclass(frozen=True, slots=True)
class EInvoiceRecord:
    document_id: uuid.UUID
    format: EInvoiceFormat
    state: EInvoiceState
    problems: tuple[Finding, ...]
    content: bytes | None
    created_at: datetime
    updated_at: datetime

    def snapshot(self) -> dict[str, Any]:
        return {
            "documentId": str(self.document_id),
            "format": self.format.value,
            "state": self.state.value,
            "problems": [p.snapshot() for p in self.problems],
        }


def ignored(record: EInvoiceRecord, *, now: datetime) -> EInvoiceRecord:
    """``record`` set aside: only an e-invoice in ERROR can be ignored."""
    if record.state is not EInvoiceState.ERROR:
        raise Conflict("einvoice.not_in_error", field="state", state=record.state.value)
    return EInvoiceRecord(
        record.document_id,
        record.format,
        EInvoiceState.IGNORED,
        record.problems,
        record.content,
        record.created_at,
        now,
    )


def sent(record: EInvoiceRecord, *, now: datetime) -> EInvoiceRecord:
    """``record`` delivered to its recipient: a VALIDATED (or SENT) e-invoice is SENT; any
    other state stays as it is (a mail never carries an e-invoice in ERROR)."""
    if record.state not in (EInvoiceState.VALIDATED, EInvoiceState.SENT):
        return record
    return EInvoiceRecord(
        record.document_id,
        record.format,
        EInvoiceState.SENT,
        record.problems,
        record.content,
        record.created_at,
        now,
    )
