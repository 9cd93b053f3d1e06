"""Posting journals to the ledger, a step that other use cases compose: a document, payment,
receipt or billing batch posts its journals inside its own transaction, together with its
own rows.

``post_journals`` writes in bulk: the accounts are checked in one query, the numbers of a
batch come as one block per (journal type, year) from the one allocator (gapless: the batch
commits whole or not at all), journals, postings and their audit entries are written with
one COPY each on PostgreSQL (``db/bulk.py``, executemany elsewhere), and the postings are
added to the maintained balances with one upsert (ADR 0017): a call costs the same number of
statements for 10 journals as for 100,000. No journal may be dated in a closed period (GoBD).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from beleg.clock import Clock
from beleg.db import Session, sequences
from beleg.db import ledger as repo
from beleg.db.audit import Change, record_changes
from beleg.domain.audit.chain import AuditAction
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.journals import (
    JournalDraft,
    JournalEntry,
    PostedJournal,
    journal_entry,
    reversal,
)
from beleg.domain.ledger.numbering import journal_number
from beleg.money import Currency


def post_journals(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    drafts: Sequence[JournalDraft],
    clock: Clock,
    reverses: Sequence[uuid.UUID | None] | None = None,
) -> list[PostedJournal]:
    """Number and store balanced journals and their audit entries, in the caller's
    transaction; ``reverses[i]`` is the id of the journal that ``drafts[i]`` cancels."""
    if not drafts:
        return []
    missing = repo.missing_accounts(
        session, tenant_id, {p.account for d in drafts for p in d.postings}
    )
    if missing:
        raise ValidationFailed("ledger.accounts_unknown", field="account", codes=", ".join(missing))
    main = _main_currency(session, tenant_id, drafts)
    numbers = _numbers(session, tenant_id, drafts)
    entries = [
        journal_entry(
            PostedJournal(uuid.uuid4(), number, draft, reverses[i] if reverses else None), main
        )
        for i, (draft, number) in enumerate(zip(drafts, numbers, strict=True))
    ]
    repo.insert_journals(session, tenant_id, entries, clock.now())
    changes = [
        Change(AuditAction.CREATE, "Journal", e.journal.number, None, _snapshot(e)) for e in entries
    ]
    record_changes(session, actor=actor, tenant_id=tenant_id, changes=changes, clock=clock)
    return [e.journal for e in entries]


def reversal_of(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    journal_id: uuid.UUID,
    booking_date: date,
    reason: str,
) -> JournalDraft:
    """The cancellation draft of the stored journal ``journal_id``, to post with ``reverses``
    set (its description is ``reason``, or the original's when empty)."""
    journal = repo.journal_by_id(session, tenant_id, journal_id)
    draft = reversal(journal.draft, booking_date=booking_date, number=journal.number)
    return replace(draft, description=reason or journal.draft.description)


def _main_currency(
    session: Session, tenant_id: uuid.UUID, drafts: Sequence[JournalDraft]
) -> Currency:
    """The tenant's main currency, after checking that no draft falls in a closed period."""
    main, closed = repo.main_currency_and_closing(session, tenant_id)
    if closed is not None:
        early = min(d.booking_date for d in drafts)
        if early <= closed:
            raise ValidationFailed(
                "ledger.period_closed",
                field="date",
                day=early.isoformat(),
                closed=closed.isoformat(),
            )
    return main


def _numbers(session: Session, tenant_id: uuid.UUID, drafts: Sequence[JournalDraft]) -> list[str]:
    """``E2026 1``-style numbers: one block per (type, year) in the drafts' order."""
    keys = [(d.journal_type, d.booking_date.year) for d in drafts]
    next_value = {
        key: sequences.allocate(
            session,
            tenant_id=tenant_id,
            series=sequences.journal_series(key[0].value),
            period=f"{key[1]:04d}",
            count=count,
        )
        for key, count in sorted(Counter(keys).items())
    }
    numbers = []
    for key in keys:
        numbers.append(journal_number(key[0], key[1], next_value[key]))
        next_value[key] += 1
    return numbers


def _snapshot(entry: JournalEntry) -> dict[str, Any]:
    draft = entry.journal.draft
    return {
        "type": draft.journal_type.value,
        "bookingDate": draft.booking_date,
        "currency": draft.currency.code,
        "rate": draft.rate,
        "reverses": draft.reverses,
        "postings": [
            {"account": p.account, "amount": p.amount, "amountMain": m, "taxCode": p.tax_code}
            for p, m in zip(draft.postings, entry.amounts_main, strict=True)
        ],
    }
