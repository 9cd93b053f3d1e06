"""Receipts with the state of their mail (ADR 0025): seed 003 ReceiptDto's
``customerMailSent``, on every receipt that names a ``customerMail``, is true once the mail
server accepted a mail of the receipt to that address (a ``receipt`` mail SENT), and false
while it is queued, being retried or failed. It is read from ``mails`` whenever a receipt is
read: one query for a whole list of receipts (by register and numbers, ``ix_mails_receipt``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.tables import mails
from beleg.domain.delivery.mails import MailKind, MailStatus
from beleg.queries.pos import registers as pos

CHUNK = 500  # receipt numbers per query (bound parameters stay well below every limit)


def list_receipts(
    *, db: Database, tenant_id: uuid.UUID, number: int, since: date | None, until: date | None
) -> list[dict[str, Any]]:
    """``queries/pos/registers.list_receipts`` with ``customerMailSent``."""
    receipts = pos.list_receipts(
        db=db, tenant_id=tenant_id, number=number, since=since, until=until
    )
    return with_mail_state(db, tenant_id, number, receipts)


def get_receipt(*, db: Database, tenant_id: uuid.UUID, number: int, receipt: str) -> dict[str, Any]:
    """``queries/pos/registers.get_receipt`` with ``customerMailSent``."""
    found = pos.get_receipt(db=db, tenant_id=tenant_id, number=number, receipt=receipt)
    return with_mail_state(db, tenant_id, number, [found])[0]


def with_mail_state(
    db: Database, tenant_id: uuid.UUID, register: int, receipts: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The receipts, each with a ``customerMail`` given ``customerMailSent`` right after it.
    Addresses compare without regard to case (as mail servers deliver them)."""
    mailed = [r["id"] for r in receipts if r.get("customerMail")]
    sent = _sent_to(db, tenant_id, register, mailed) if mailed else {}
    out = []
    for receipt in receipts:
        address = receipt.get("customerMail")
        if not address:
            out.append(receipt)
            continue
        state = address.casefold() in sent.get(receipt["id"], set())
        fields: dict[str, Any] = {}
        for key, value in receipt.items():
            fields[key] = value
            if key == "customerMail":
                fields["customerMailSent"] = state
        out.append(fields)
    return out


def _sent_to(
    db: Database, tenant_id: uuid.UUID, register: int, numbers: Sequence[str]
) -> dict[str, set[str]]:
    """The addresses each receipt's SENT receipt mails went to, by receipt number."""
    c = mails.c
    sent: dict[str, set[str]] = {}
    with db.reader() as session:
        for start in range(0, len(numbers), CHUNK):
            rows = session.execute(
                select(c.receipt_number, c.recipients).where(
                    c.tenant_id == tenant_id,
                    c.receipt_register_no == register,
                    c.receipt_number.in_(numbers[start : start + CHUNK]),
                    c.kind == MailKind.RECEIPT.value,
                    c.status == MailStatus.SENT.value,
                )
            ).all()
            for number, recipients in rows:
                sent.setdefault(number, set()).update(a.casefold() for a in recipients)
    return sent
