"""Rebooks (seed 003 POST /rebooks): one U journal per rebook, in the main currency."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.db.tables import ledger_rebooks
from beleg.domain.accounting.lines import check_amount
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.domain.ledger.rebooks import check_pair
from beleg.domain.ledger.rebooks import rebook_type as parse_type
from beleg.services.accounting.context import load_books
from beleg.services.ledger.journals import post_journals

MAX_TEXT = 200


def create_rebook(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    rebook_type: str,
    account: str,
    contra_account: str,
    amount: Decimal,
    booking_date: date,
    description: str,
    reference: str,
    clock: Clock,
) -> dict[str, Any]:
    """Move ``amount`` (main currency, no tax) from ``account`` to ``contra_account``."""
    kind = parse_type(rebook_type)
    value = check_amount(amount, "amount")
    for text, field in ((description, "description"), (reference, "reference")):
        if len(text) > MAX_TEXT:
            raise ValidationFailed(
                f"{field} has more than {MAX_TEXT} characters",
                de=f"{field} hat mehr als {MAX_TEXT} Zeichen",
                field=field,
            )
    with db.transaction() as session:
        books = load_books(session, tenant_id)
        check_pair(
            kind,
            books.accounts.get(account),
            books.accounts.get(contra_account),
            (account, contra_account),
        )
        if value <= 0 or value != value.quantize(books.main.quantum):
            raise ValidationFailed(
                f"amount must be more than 0 with at most {books.main.minor_units} decimals",
                de=f"Betrag muss größer 0 sein und höchstens "
                f"{books.main.minor_units} Nachkommastellen haben",
                field="amount",
            )
        draft = JournalDraft(
            JournalType.REBOOK,
            booking_date,
            books.main,
            (Posting(contra_account, value), Posting(account, -value)),
            description=description,
        )
        posted = post_journals(
            session, actor=actor, tenant_id=tenant_id, drafts=[draft], clock=clock
        )[0]
        row = {
            "tenant_id": tenant_id,
            "journal_id": posted.id,
            "rebook_type": kind.value,
            "account": account,
            "contra_account": contra_account,
            "amount": value,
            "reference": reference,
        }
        session.execute(insert(ledger_rebooks).values(**row))
        return {
            **row,
            "number": posted.number,
            "booking_date": booking_date,
            "description": description,
            "currency": books.main.code,
        }
