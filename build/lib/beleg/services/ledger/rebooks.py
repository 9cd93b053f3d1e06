"""Rebooks (seed 003 POST /rebooks): one U journal per rebook, in the main currency."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import ledger as repo
from beleg.db.database import Database
from beleg.domain.amounts import check_amount
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.rebooks import Rebook, check_pair, rebook_journal
from beleg.domain.ledger.rebooks import rebook_type as parse_type
from beleg.money import has_at_most_places
from beleg.services.ledger.posting import post_journals

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
) -> Rebook:
    """Move ``amount`` (main currency, no tax) from ``account`` to ``contra_account``."""
    kind = parse_type(rebook_type)
    value = check_amount(amount, "amount")
    _check_texts(description=description, reference=reference)
    with db.transaction() as session:
        books = repo.load_books(session, tenant_id)
        check_pair(
            kind,
            books.accounts.get(account),
            books.accounts.get(contra_account),
            (account, contra_account),
        )
        if value <= 0 or not has_at_most_places(value, books.main.minor_units):
            raise ValidationFailed(
                "ledger.rebook_amount", field="amount", places=books.main.minor_units
            )
        draft = rebook_journal(
            account=account,
            contra_account=contra_account,
            amount=value,
            booking_date=booking_date,
            description=description,
            main=books.main,
        )
        posted = post_journals(
            session, actor=actor, tenant_id=tenant_id, drafts=[draft], clock=clock
        )
        rebook = Rebook(
            posted[0].number,
            kind,
            account,
            contra_account,
            value,
            booking_date,
            description,
            reference,
            books.main.code,
        )
        repo.insert_rebook(session, tenant_id, posted[0].id, rebook)
        return rebook


def _check_texts(**texts: str) -> None:
    for field, text in texts.items():
        if len(text) > MAX_TEXT:
            raise ValidationFailed("ledger.text_too_long", field=field, name=field, limit=MAX_TEXT)
