"""Receipt mails (seed 003 §4.19.14 ``customerMail``, §4.19.16 ``send_mail``; ADR 0025).

A receipt created with ``customerMail`` queues its mail in the transaction that creates the
receipt, and ``send_mail`` queues one to the address it is given (required, even when the
receipt has a ``customerMail``); both are ``mails`` rows of kind ``receipt`` that point at
the receipt (register and number), so the worker attaches the receipt's PDF when it sends the
mail (``mail_attachments.py``). Sending happens later, outside the request: a refusal by the
server never fails the receipt call, it is recorded on the mail and retried. The texts are
the tenant's ``receipt`` template or the built-in one, in the language of the tenant's
default layout setup.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.database import Database
from beleg.db.pos.printing import PrintFacts, print_facts
from beleg.domain.delivery.mails import MailKind, ReceiptRef, checked_address
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.pos.receipts import Receipt
from beleg.formats import mail as texts
from beleg.services.delivery.mails import queue_mail
from beleg.services.pos.receipts import ReceiptInput, write_receipt


def create_receipt(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    register_no: int,
    data: ReceiptInput,
    clock: Clock,
) -> Receipt:
    """Create the receipt (``services/pos/receipts.py``) and, when it names a
    ``customerMail``, queue its mail in the same transaction. An address that is not one is a
    ValidationFailed naming ``customerMail``; an empty one asks for no mail."""
    given = (data.customer_mail or "").strip() or None
    address = checked_address(given, "customerMail")
    with db.transaction() as session:
        receipt = write_receipt(
            session,
            actor=actor,
            tenant_id=tenant_id,
            register_no=register_no,
            data=replace(data, customer_mail=address),
            clock=clock,
        )
        if address is not None:
            _queue(session, tenant_id, ReceiptRef(register_no, receipt.number), address, clock)
        return receipt


def send_receipt_mail(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    register_no: int,
    number: str,
    address: str | None,
    clock: Clock,
) -> uuid.UUID:
    """Queue the receipt's mail to ``address``; return the mail's id. A missing or invalid
    address is a ValidationFailed naming ``address``; an unknown register or receipt is
    NotFound."""
    checked = checked_address(address, "address") if address and address.strip() else None
    if checked is None:
        raise ValidationFailed("delivery.mail_address_required", field="address")
    with db.transaction() as session:
        return _queue(session, tenant_id, ReceiptRef(register_no, number), checked, clock)


def _queue(
    session: Session, tenant_id: uuid.UUID, receipt: ReceiptRef, address: str, clock: Clock
) -> uuid.UUID:
    facts = print_facts(session, tenant_id, receipt.register, receipt.number)
    language = facts.language if facts.language in texts.LOCALES else "de"
    return queue_mail(
        session,
        tenant_id=tenant_id,
        kind=MailKind.RECEIPT,
        language=language,
        recipients=[address],
        context=receipt_context(facts, language),
        receipt=receipt,
        clock=clock,
    )


def receipt_context(facts: PrintFacts, language: str) -> dict[str, str]:
    """The receipt mail's variables, formatted in ``language``."""
    row = facts.row
    return {
        "company_name": facts.seller_name,
        "register": str(facts.register),
        "register_name": facts.register_name,
        "receipt_number": row.number,
        "receipt_date": texts.day(row.date_time.date(), language),
        "total": texts.money(row.total, facts.currency, language),
        "currency": facts.currency,
    }
