"""Use cases of journals: post one, cancel one by reversal (Storno), close periods."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from beleg.clock import Clock
from beleg.db import ledger as repo
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import Conflict
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.journals import JournalDraft, PostedJournal, reversal
from beleg.services.ledger.posting import post_journals


def book_journal(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, draft: JournalDraft, clock: Clock
) -> PostedJournal:
    """Post one journal in its own transaction."""
    with db.transaction() as session:
        return post_journals(
            session, actor=actor, tenant_id=tenant_id, drafts=[draft], clock=clock
        )[0]


def reverse_journal(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    number: str,
    booking_date: date,
    reason: str,
    clock: Clock,
) -> PostedJournal:
    """Cancel a journal by posting its reversal (Storno). A journal is reversed at most once,
    and a reversal is not itself reversed: post the booking anew instead."""
    with db.transaction() as session:
        original = repo.journal_by_number(session, tenant_id, number)
        if original.reverses_id is not None:
            raise Conflict("ledger.journal_is_cancellation", field="journal", number=number)
        already = repo.cancelled_by(session, tenant_id, original.id)
        if already is not None:
            raise Conflict(
                "ledger.journal_already_cancelled", field="journal", number=number, by=already
            )
        storno = reversal(original.draft, booking_date=booking_date, number=number)
        storno = replace(storno, description=reason or original.draft.description)
        return post_journals(
            session,
            actor=actor,
            tenant_id=tenant_id,
            drafts=[storno],
            clock=clock,
            reverses=[original.id],
        )[0]


def close_books(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, until: date, clock: Clock
) -> date:
    """Close every period up to and including ``until``: no booking may be dated there any
    more (GoBD: booked records of closed periods are final). Closing only moves forwards."""
    with db.transaction() as session:
        current = repo.lock_closed_until(session, tenant_id)
        if current is not None and until < current:
            raise Conflict("ledger.period_cannot_reopen", field="until", closed=current.isoformat())
        repo.set_closed_until(session, tenant_id, until)
        record_change(
            session,
            actor=actor,
            tenant_id=tenant_id,
            action=AuditAction.UPDATE,
            entity_type="BooksClosing",
            entity_id=tenant_id,
            before={"closedUntil": current},
            after={"closedUntil": until},
            clock=clock,
        )
        return until
